"""E-mail verification: a signed, expiring link sent to the address; opening it proves the mailbox is the user's.

An address counts for nothing it grants until verified, and is unique among verified accounts (case-insensitive;
the database enforces it too: `unique_verified_email`).
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from jinxuan.audit.log import record
from jinxuan.notifications.mail import notify
from jinxuan.notifications.models import Event

from .models import User

SALT = "jinxuan.accounts.verify-email"
MAX_AGE = dt.timedelta(days=3)


class VerificationError(ValueError):
    """The link cannot verify the address; the message is shown to the user."""


def normalise(email: str) -> str:
    return (email or "").strip().lower()


def verified_owner(email: str, exclude: User | None = None) -> User | None:
    """The verified account that holds this address, if any."""
    found = User.objects.filter(email__iexact=normalise(email), email_verified_at__isnull=False)
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return found.first()


def make_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": normalise(user.email)}, salt=SALT, compress=True)


def link_for(user: User, base_url: str) -> str:
    return base_url + reverse("accounts:verify_email", args=[make_token(user)])


def send_verification(user: User, base_url: str) -> None:
    notify(Event.VERIFY_EMAIL, [user.email], {"name": str(user), "link": link_for(user, base_url),
                                              "hours": int(MAX_AGE.total_seconds() // 3600)})


def mark_verified(user: User, *, how: str, actor=None) -> User:
    """Record that the owner of the mailbox acted through a link sent to it (refused if another verified
    account already holds the address)."""
    if user.email_verified:
        return user
    if verified_owner(user.email, exclude=user) is not None:
        raise VerificationError("该电子邮箱已由另一个已验证的账户使用，不能再用于本账户。")
    try:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
            record("accounts.email_verified", user, actor=actor or user, after={"email": normalise(user.email),
                                                                               "how": how})
    except IntegrityError as exc:  # a concurrent verification of the same address won
        raise VerificationError("该电子邮箱已由另一个已验证的账户使用，不能再用于本账户。") from exc
    user.refresh_from_db(fields=["email_verified_at"])
    return user


def verify_token(token: str) -> User:
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired as exc:
        raise VerificationError("验证链接已过期，请登录后重新发送验证邮件。") from exc
    except signing.BadSignature as exc:
        raise VerificationError("验证链接无效。") from exc
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or normalise(user.email) != data.get("e"):
        raise VerificationError("验证链接与账户当前的电子邮箱不符，请登录后重新发送验证邮件。")
    return mark_verified(user, how="link")
