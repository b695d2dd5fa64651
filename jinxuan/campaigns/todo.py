"""The shape of a to-do list (items grouped per campaign and role), deadlines in words, and the per-campaign
counts each role's list is built from (jinxuan.dashboard.todo gathers them; a stage app may build its own role's)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from .models import Campaign


@dataclass
class Item:
    text: str  # Chinese prose, e.g. "待形式审核的申报"
    url: str
    count: int | None = None
    note: str = ""  # a deadline in words: 距截止 3 天 / 已逾期 2 天
    urgent: bool = False


@dataclass
class Group:
    campaign: Campaign | None  # None: not tied to one campaign (organisation claims, consent requests)
    role: str  # the role's label
    items: list[Item] = field(default_factory=list)


def today() -> dt.date:
    return timezone.localdate()


def deadline_words(ends: dt.date | None, on: dt.date | None = None) -> tuple[str, bool]:
    """("距截止 N 天" | "今天截止" | "已逾期 N 天", overdue) for a deadline at the end of `ends` (Beijing)."""
    if ends is None:
        return "", False
    days = (ends - (on or today())).days
    if days > 0:
        return f"距截止 {days} 天（{ends:%Y-%m-%d}）", False
    if days == 0:
        return f"今天截止（{ends:%Y-%m-%d}）", False
    return f"已逾期 {-days} 天（截止 {ends:%Y-%m-%d}）", True


def moment_words(when: dt.datetime | None, now: dt.datetime | None = None) -> tuple[str, bool]:
    """The same words for a deadline that is a moment (a correction deadline)."""
    if when is None:
        return "", False
    return deadline_words(timezone.localdate(when), timezone.localdate(now) if now else None)


def campaigns_with_stages(ids) -> list[Campaign]:
    qs = Campaign.objects.prefetch_related("stages").order_by("-year", "pk")
    return list(qs if ids is None else qs.filter(pk__in=ids))


def stage_of(campaign, kind):
    return next((s for s in campaign.stages.all() if s.kind == kind), None)


def per_campaign(qs, **annotations) -> dict[int, dict]:
    """campaign id → the annotations, one aggregate query for all of the user's campaigns."""
    return {r.pop("campaign_id"): r for r in qs.values("campaign_id").annotate(**annotations)}
