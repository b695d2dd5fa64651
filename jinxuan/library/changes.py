"""The library's change log: every write to the library appends the numbers of the cases it touched, in the same
transaction, so the log holds exactly the committed changes, in commit order.

Appenders take the one `ChangeHead` row's lock (an UPDATE) before numbering their changes and keep it until they
commit: numbers follow commit order with no gaps, so a host that has applied change N and then sees N+2 knows that
N+1 is gone (pruned) rather than still uncommitted.  Library writes are rare (publication, import, edits), so
taking turns costs nothing that matters.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import F
from django.utils import timezone

from .models import Change, ChangeHead, _new_epoch

DB = DEFAULT_DB_ALIAS  # the log is read and written on the primary only (never a replica that may lag)
KEEP_DAYS = 30  # older changes are pruned; a host behind by more rebuilds its index from the cases

log = logging.getLogger(__name__)


def append(case_ids) -> None:
    """Record that the cases `case_ids` changed (in the caller's transaction, if any); after the commit this
    host's index applies the change at once (other hosts within seconds, `follow.py`)."""
    global _recent
    ids = list(dict.fromkeys(int(i) for i in case_ids))
    if not ids:
        return
    _recent = None
    with transaction.atomic(using=DB):
        heads = ChangeHead.objects.using(DB)
        if not heads.filter(pk=1).update(seq=F("seq") + len(ids)):
            heads.bulk_create([ChangeHead(pk=1)], ignore_conflicts=True)
            heads.filter(pk=1).update(seq=F("seq") + len(ids))
        last = heads.values_list("seq", flat=True).get(pk=1)
        now = timezone.now()
        Change.objects.using(DB).bulk_create(
            [Change(seq=last - len(ids) + 1 + n, case_id=i, at=now) for n, i in enumerate(ids)], batch_size=2000)
        transaction.on_commit(_apply_here, using=DB, robust=True)
    _recent = None


def _apply_here() -> None:
    from . import follow  # cycle: follow imports changes

    try:
        follow.catch_up(wait=5)
    except Exception:  # the commit stands; the worker's loop applies the change  # noqa: BLE001
        log.exception("案例库检索索引未能在提交后立即更新")


HEAD_TTL = 1.0  # seconds a process reuses the head it read before a search
_recent: tuple[float, int, str] | None = None


def recent_head() -> tuple[int, str]:
    """`head()`, read again when older than HEAD_TTL or after this process appended a change."""
    global _recent
    found = _recent
    if found is None or time.monotonic() - found[0] > HEAD_TTL:
        seq, epoch = head()
        _recent = found = (time.monotonic(), seq, epoch)
    return found[1], found[2]


def head() -> tuple[int, str]:
    """(number of the last change, epoch of the log); (0, "") before the first change."""
    row = ChangeHead.objects.using(DB).filter(pk=1).values_list("seq", "epoch").first()
    return (row[0], row[1]) if row else (0, "")


def start_epoch() -> str:
    """Start the log over under a new epoch (after a restore: the restored log's numbers may repeat numbers that
    hosts' indexes already applied from the database before it), so every host rebuilds its index once."""
    global _recent

    epoch = _new_epoch()
    with transaction.atomic(using=DB):
        if not ChangeHead.objects.using(DB).filter(pk=1).update(epoch=epoch):
            ChangeHead.objects.using(DB).create(pk=1, epoch=epoch)
    _recent = None
    return epoch


def after(seq: int, limit: int) -> list[tuple[int, int]]:
    """(number, case id) of the first `limit` changes after `seq`, in order."""
    return list(Change.objects.using(DB).filter(seq__gt=seq).order_by("seq").values_list("seq", "case_id")[:limit])


def made_at(seq: int):
    return Change.objects.using(DB).filter(seq=seq).values_list("at", flat=True).first()


def prune(days: int = KEEP_DAYS) -> int:
    """Delete the changes older than `days`, keeping the last one (the head's own change). Returns how many."""
    last, _ = head()
    deleted, _ = (Change.objects.using(DB).filter(at__lt=timezone.now() - timedelta(days=days), seq__lt=last)
                  .delete())
    return deleted
