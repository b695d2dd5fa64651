"""The roadshow as the stage runtime sees it (registered when the app loads)."""

from django.urls import reverse

from jinxuan.pipeline.registry import StageApp, register_stage_app

from .models import Slot, SlotState
from .services import close_roadshow


def _has_slots(campaign) -> bool:
    return Slot.objects.filter(campaign=campaign).exists()


def _activity(campaign) -> str | None:
    slots = Slot.objects.filter(campaign=campaign)
    total = slots.count()
    if not total:
        return None
    return f"已结束评分 {slots.filter(state=SlotState.CLOSED).count()} / {total} 场"


def _close(campaign, actor):
    return close_roadshow(campaign, actor=actor)


def register() -> None:
    register_stage_app(StageApp(
        kind="roadshow", label="路演答辩", module="jinxuan.roadshow.stage",
        collects="评委在现场用手机逐场评分并签署，只按路演得分排名",
        public_link=lambda c: ("路演答辩现场评分", reverse("roadshow:board", args=[c.slug])) if _has_slots(c) else None,
        manage_link=lambda c: ("路演答辩", reverse("roadshow:control", args=[c.slug])),
        started=_has_slots, activity=_activity, close=_close,
        permissions=("roadshow.manage", "roadshow.judge", "roadshow.oversee"),
    ))
