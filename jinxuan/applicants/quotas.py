"""Upload quotas derived from the preset's attachment rules, and reservations of unfinished resumable uploads.

An application may hold at most (sum over its attachment rules of max size × max files) × UPLOAD_QUOTA_MARGIN
bytes, counting both stored attachments and the declared sizes of its unfinished uploads. A user's unfinished
uploads, over all applications, may reserve at most the same amount for the campaign being uploaded to. An
unfinished upload expires UPLOAD_EXPIRY_SECONDS (24 h) after it started; `purge.purge_uploads` removes it.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from .models import Application, PendingUpload


class QuotaExceeded(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def application_quota(spec) -> int:
    raw = sum(rule.max_size_kb * 1024 * rule.max_files for rule in spec.attachments)
    return int(raw * settings.UPLOAD_QUOTA_MARGIN)


def user_quota(spec) -> int:
    """What one user's unfinished uploads may reserve at once: one application's worth."""
    return application_quota(spec)


def live(queryset, now=None):
    return queryset.filter(expires_at__gt=now or timezone.now())


def _total(queryset) -> int:
    return queryset.aggregate(total=Sum("size"))["total"] or 0


def application_usage(application: Application, excluding: str = "") -> tuple[int, int]:
    """(bytes stored, bytes reserved by unfinished uploads other than `excluding`)."""
    stored = _total(application.attachments.all())
    reserved = _total(live(application.pending_uploads.exclude(upload_id=excluding)))
    return stored, reserved


def human(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, round(n / 1024))} KB"


def check_application(application: Application, size: int, excluding: str = "") -> None:
    quota = application_quota(application.campaign.spec)
    stored, reserved = application_usage(application, excluding)
    if stored + reserved + size > quota:
        pending = f"（其中未完成的上传占 {human(reserved)}）" if reserved else ""
        raise QuotaExceeded(f"本申报的附件总量已达上限：已占用 {human(stored + reserved)}{pending}，本次 {human(size)}，"
                            f"上限 {human(quota)}。请先删除不需要的附件，或完成、取消未完成的上传后再试")


def reserve(application: Application, user, key: str, size: int, upload_id: str) -> PendingUpload:
    """Record an unfinished upload once both quotas allow its declared size (rows locked against races)."""
    now = timezone.now()
    with transaction.atomic():
        app = Application.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=application.pk)
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        check_application(app, size)
        quota = user_quota(app.campaign.spec)
        mine = _total(live(PendingUpload.objects.filter(user=user), now))
        if mine + size > quota:
            raise QuotaExceeded(f"您未完成的上传已占用 {human(mine)}，本次 {human(size)}，超过上限 {human(quota)}。"
                                "请先完成或取消其他未完成的上传，或等待其过期（24 小时）后再试")
        return PendingUpload.objects.create(
            upload_id=upload_id, application=app, user=user, key=key, size=size,
            expires_at=now + dt.timedelta(seconds=settings.UPLOAD_EXPIRY_SECONDS))


def reservation(application: Application, upload_id: str) -> PendingUpload | None:
    """The application's unexpired reservation with this id, or None."""
    return live(application.pending_uploads.filter(upload_id=upload_id)).first()


def release(upload_id: str) -> None:
    PendingUpload.objects.filter(upload_id=upload_id).delete()
