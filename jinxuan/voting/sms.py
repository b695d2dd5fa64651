"""Pluggable SMS sending. `SMS_BACKEND` names a class with `send(phone, body)`; the default stores the message
in the database (organisers and the demo read it from there), `ConsoleBackend` prints it. A real provider is a
class of a few lines wrapping its SDK, named in the setting."""

from django.conf import settings
from django.utils.module_loading import import_string

from .models import SmsMessage


class DatabaseBackend:
    def send(self, phone: str, body: str) -> None:
        SmsMessage.objects.create(phone=phone, body=body)


class ConsoleBackend:
    def send(self, phone: str, body: str) -> None:
        print(f"[短信] {phone}: {body}", flush=True)  # noqa: T201 - the console backend's purpose


def backend():
    return import_string(getattr(settings, "SMS_BACKEND", "jinxuan.voting.sms.DatabaseBackend"))()
