"""Bulk actions of the formal-review queue: pass the selected applications, or ask them all for a correction.

Each application gets its own decision through `services.decide`, so each is audited on its own
(`formal.decision`, with the bulk action's id in `batch`) exactly like a decision taken one by one. Passing skips
every application with a blocking finding (passing those needs a reason per application, on the reader's page).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.utils import timezone

from jinxuan.applicants.models import Application
from jinxuan.pipeline import runtime

from .models import Decision
from .queue import current_result
from .services import DecisionError, decide

MAX_SELECTED = 500


class BulkError(ValueError):
    """A refused bulk action (nothing was decided); `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass
class BulkResult:
    batch: str
    done: list[Application] = field(default_factory=list)
    skipped: list[tuple[Application, str]] = field(default_factory=list)  # (application, why)


def _selected(campaign, ids) -> list[Application]:
    clean = []
    for raw in ids:
        try:
            clean.append(int(raw))
        except (TypeError, ValueError):
            continue
    if not clean:
        raise BulkError("请先勾选申报")
    if len(clean) > MAX_SELECTED:
        raise BulkError(f"一次最多处理 {MAX_SELECTED} 份申报")
    apps = Application.objects.filter(campaign=campaign, pk__in=clean).select_related("campaign").order_by("pk")
    return list(apps)


def _check(campaign, reason: str) -> str:
    try:
        runtime.require_open(campaign, "formal_review", DecisionError)
    except DecisionError as exc:
        raise BulkError(str(exc), status=409) from exc
    reason = reason.strip()
    if not reason:
        raise BulkError("请填写原因（将记录在每份申报的审核记录中）")
    return reason


def bulk_pass(campaign, ids, reason: str, actor=None) -> BulkResult:
    """Pass every selected application that has no blocking finding; the others are skipped and named."""
    reason = _check(campaign, reason)
    result = BulkResult(batch=uuid.uuid4().hex[:12])
    for app in _selected(campaign, ids):
        screening = current_result(app)
        blocking = screening.blocking if screening else 0
        if blocking:
            result.skipped.append((app, f"有 {blocking} 项阻断性问题，请逐份审核"))
            continue
        try:
            decide(app, Decision.PASS, reason=reason, actor=actor, batch=result.batch)
        except DecisionError as exc:
            result.skipped.append((app, str(exc)))
        else:
            result.done.append(app)
    return result


def parse_due(raw: str, now: dt.datetime | None = None) -> dt.datetime:
    """A correction deadline typed as a date (YYYY-MM-DD): the end of that day, Beijing time, in the future."""
    now = now or timezone.now()
    try:
        day = dt.date.fromisoformat((raw or "").strip())
    except ValueError as exc:
        raise BulkError("请填写补正截止日期（年-月-日）") from exc
    due = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))
    if due <= now:
        raise BulkError("补正截止日期须晚于今天")
    return due


def bulk_correction(campaign, ids, reason: str, due: dt.datetime, actor=None) -> BulkResult:
    """Ask every selected application for a correction with one reason and one deadline."""
    reason = _check(campaign, reason)
    result = BulkResult(batch=uuid.uuid4().hex[:12])
    for app in _selected(campaign, ids):
        try:
            decide(app, Decision.CORRECTION, reason=reason, actor=actor, due=due, batch=result.batch)
        except DecisionError as exc:
            result.skipped.append((app, str(exc)))
        else:
            result.done.append(app)
    return result
