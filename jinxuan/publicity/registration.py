"""The publicity as the stage runtime sees it (registered when the app loads)."""

from django.urls import reverse

from jinxuan.pipeline.registry import StageApp, register_stage_app

from .models import Objection, Publicity
from .services import close_publicity


def _record(campaign):
    return Publicity.objects.filter(campaign=campaign, starts_on__isnull=False).first()


def _activity(campaign) -> str | None:
    pub = _record(campaign)
    if pub is None:
        return None
    pending = Objection.objects.filter(campaign=campaign, status=Objection.PENDING).count()
    return f"公示期 {pub.starts_on:%Y年%m月%d日} 至 {pub.ends_on:%Y年%m月%d日}，待处理异议 {pending} 件"


def _close(campaign, actor):
    return close_publicity(campaign, actor=actor)


def _reopen(campaign, actor):
    """Reopened, the period takes objections again until the organiser closes it anew."""
    Publicity.objects.filter(campaign=campaign).update(closed_at=None, stage_run=None)


def register() -> None:
    register_stage_app(StageApp(
        kind="publicity", label="结果公示", module="jinxuan.publicity.stage",
        collects="公示名单按法定工作日公示，受理并处理异议，依冻结排名顺位递补",
        public_link=lambda c: ("结果公示与异议", reverse("publicity:index", args=[c.slug])) if _record(c) else None,
        manage_link=lambda c: ("结果公示", reverse("publicity:manage", args=[c.slug])),
        started=lambda c: _record(c) is not None, activity=_activity, close=_close, reopen=_reopen,
        permissions=("publicity.manage", "publicity.handle"),
    ))
