"""24 hours before a deadline, remind the owners of unsubmitted drafts (once per draft)."""

import datetime as dt

from django.utils import timezone

from jinxuan.campaigns.models import Campaign
from jinxuan.notifications.mail import notify
from jinxuan.notifications.models import Event

from .models import Application
from .services import member_emails
from .states import State


def send_deadline_reminders(now: dt.datetime | None = None, window: dt.timedelta = dt.timedelta(hours=24)) -> int:
    now = now or timezone.now()
    sent = 0
    for campaign in Campaign.objects.filter(submission_closes__gt=now, submission_closes__lte=now + window):
        deadline = timezone.localtime(campaign.submission_closes).strftime("%Y年%m月%d日 %H:%M")
        for app in Application.objects.filter(campaign=campaign, state=State.DRAFT):
            sent += len(notify(Event.DEADLINE_REMINDER, member_emails(app),
                               {"campaign": campaign.short_name, "title": app.title, "deadline": deadline},
                               campaign=campaign, dedupe_key=f"reminder:{app.pk}"))
    return sent
