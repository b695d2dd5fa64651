"""Files built in the background: a registry of kinds, the request, the build with its progress, and who may fetch.

A kind (registered by the app that owns the data, from its AppConfig.ready()) says which permission on the
campaign it needs and how to build the file: build(campaign, params, user, progress) → (bytes, filename), where
progress(done, total) may be called as rows are written. The file is kept for KEEP_HOURS, then purged."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .models import PreparedFile

log = logging.getLogger(__name__)
KEEP_HOURS = 24
PROGRESS_EVERY = 2000  # rows between two progress writes


@dataclass(frozen=True)
class Kind:
    key: str
    label: str        # what the file is, in Chinese ("投票明细（Excel）")
    permission: str   # needed on the campaign, when asking and again when fetching
    build: Callable   # (campaign, params, user, progress) → (bytes, filename)
    unit: str = "行"  # what progress counts


_KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> Kind:
    _KINDS[kind.key] = kind
    return kind


def kind_of(key: str) -> Kind | None:
    return _KINDS.get(key)


def may_fetch(user, prepared) -> bool:
    """Only the person who asked, while they still hold the kind's permission on the campaign."""
    kind = kind_of(prepared.kind) if prepared is not None else None
    return (kind is not None and prepared.requested_by_id == user.pk
            and user.has_perm(kind.permission, prepared.campaign))


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete the files (and rows) older than KEEP_HOURS."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=KEEP_HOURS)
    gone = 0
    for old in PreparedFile.objects.filter(created_at__lt=cutoff):
        if old.file:
            old.file.delete(save=False)
        old.delete()
        gone += 1
    return gone


def request_file(campaign, user, key: str, params: dict | None = None) -> PreparedFile:
    """Ask for a file: the same request still queued or being built is not asked twice (a second click)."""
    from .tasks import prepare_file

    purge_expired()
    params = params or {}
    same = PreparedFile.objects.filter(campaign=campaign, requested_by=user, kind=key, params=params,
                                       state__in=[PreparedFile.QUEUED, PreparedFile.RUNNING]).first()
    if same is not None:
        return same
    prepared = PreparedFile.objects.create(campaign=campaign, requested_by=user, kind=key, params=params)
    transaction.on_commit(lambda: prepare_file.enqueue(prepared.pk))
    return prepared


def counted(rows: Iterable, progress: Callable[[int, int], None], total: int) -> Iterator:
    """`rows` as they are, telling `progress` every PROGRESS_EVERY rows."""
    n = 0
    progress(0, total)
    for n, row in enumerate(rows, 1):
        if n % PROGRESS_EVERY == 0:
            progress(n, total)
        yield row
    progress(n, total)


def build(pk: int) -> PreparedFile | None:
    """Build one asked-for file (the background task). A failure is kept on the row in Chinese."""
    prepared = PreparedFile.objects.select_related("campaign", "requested_by").filter(pk=pk).first()
    if prepared is None or prepared.state not in (PreparedFile.QUEUED, PreparedFile.RUNNING):
        return prepared
    kind = kind_of(prepared.kind)
    PreparedFile.objects.filter(pk=pk).update(state=PreparedFile.RUNNING, started_at=timezone.now())

    def progress(done: int, total: int) -> None:
        PreparedFile.objects.filter(pk=pk).update(done=done, total=total)

    try:
        if kind is None:
            raise LookupError(prepared.kind)
        data, filename = kind.build(prepared.campaign, prepared.params, prepared.requested_by, progress)
        prepared.refresh_from_db()
        prepared.file.save(filename, ContentFile(data), save=False)
        prepared.filename, prepared.state, prepared.finished_at = filename, PreparedFile.DONE, timezone.now()
        prepared.save(update_fields=["file", "filename", "state", "finished_at"])
    except Exception:
        log.exception("prepared file %s failed", pk)
        PreparedFile.objects.filter(pk=pk).update(
            state=PreparedFile.FAILED, finished_at=timezone.now(), error="生成文件时出错，请稍后重试；如仍失败请联系管理员。")
    prepared.refresh_from_db()
    return prepared
