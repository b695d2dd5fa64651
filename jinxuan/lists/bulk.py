"""Bulk actions: the selected ids are checked against the list the user may see (posted ids are never trusted),
each row runs in its own savepoint inside one transaction, each row done is audited, and the result is said in
Chinese."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from jinxuan.audit.log import record
from jinxuan.pipeline import runtime

MAX_SELECTED = 2000
OUTSIDE = "不在您可处理的列表中"


class BulkSkip(Exception):
    """Raised by a row function: this row is left as it was, for the reason given (Chinese)."""


@dataclass
class BulkOutcome:
    verb: str
    done: list[Any] = field(default_factory=list)
    skipped: list[tuple[Any, str]] = field(default_factory=list)  # (object or the posted id, reason)
    refused: str = ""  # the whole action was refused (e.g. the stage is closed)

    @property
    def outside(self) -> int:
        return sum(1 for obj, reason in self.skipped if reason == OUTSIDE)

    @property
    def message(self) -> str:
        if self.refused:
            return self.refused
        if not self.done and not self.skipped:
            return "没有选择任何条目"
        parts = [f"已{self.verb} {len(self.done)} 条"]
        if self.skipped:
            parts.append(f"跳过 {len(self.skipped)} 条")
        text = "，".join(parts)
        reasons = {}
        for _, reason in self.skipped:
            reasons[reason] = reasons.get(reason, 0) + 1
        if reasons:
            text += "（" + "；".join(f"{r} {n} 条" for r, n in reasons.items()) + "）"
        return text + "。"

    @property
    def ok(self) -> bool:
        return bool(self.done) and not self.refused


def _reason(e: Exception) -> str:
    messages = getattr(e, "messages", None)  # Django's ValidationError
    text = "；".join(messages) if messages else str(e)
    return text.strip().rstrip("。") or "未处理"


def selected_ids(values: Iterable[str]) -> list[int]:
    """The posted ids as integers, in order, without repeats; anything that is not a positive integer is dropped."""
    out: list[int] = []
    seen = set()
    for v in values:
        try:
            n = int(str(v).strip())
        except (TypeError, ValueError):
            continue
        if 0 < n < 2**63 and n not in seen:
            seen.add(n)
            out.append(n)
        if len(out) >= MAX_SELECTED:
            break
    return out


def run_bulk(*, queryset: QuerySet, ids: Iterable, row: Callable[[Any], Any], verb: str,
             audit: str | None, actor=None, campaign=None, reason: str = "",
             refuse: Callable[[], str | None] | None = None,
             skip_on: tuple[type[Exception], ...] = ()) -> BulkOutcome:
    """Run `row(obj)` for each selected object that `queryset` (the list the user may see) holds.

    - `ids`: the posted ids (raw strings are fine); those outside `queryset` are skipped, never touched.
    - `row`: does the work for one object; raises `BulkSkip(reason)` to leave it (or one of `skip_on`, whose
      message is Chinese); may return a dict that goes to the audit event's `after`.
    - `audit`: the audit event key written once per row done (None when `row` calls a service that audits).
    - `refuse`: checked first, inside the transaction; a non-empty answer refuses the whole action (closed stage).
    """
    outcome = BulkOutcome(verb=verb)
    wanted = selected_ids(ids)
    if not wanted:
        return outcome
    with transaction.atomic():
        if refuse is not None:
            refusal = refuse()
            if refusal:
                outcome.refused = refusal
                return outcome
        found = {o.pk: o for o in queryset.filter(pk__in=wanted)}
        for pk in wanted:
            obj = found.get(pk)
            if obj is None:
                outcome.skipped.append((pk, OUTSIDE))
                continue
            try:
                with transaction.atomic():
                    after = row(obj)
                    if audit:
                        record(audit, obj, campaign=campaign, actor=actor, reason=reason,
                               after=after if isinstance(after, dict) else {"bulk": True})
            except (BulkSkip, *skip_on) as e:
                outcome.skipped.append((obj, _reason(e)))
                continue
            outcome.done.append(obj)
    return outcome


def stage_closed(campaign, kind: str) -> Callable[[], str | None]:
    """A `refuse` for `run_bulk`: the Chinese refusal while the campaign's stage of `kind` is closed."""
    def refuse() -> str | None:
        stage = runtime.stage_of(campaign, kind)
        if stage is not None and runtime.is_closed(campaign, stage):
            return runtime.closed_message(stage)
        return None

    return refuse
