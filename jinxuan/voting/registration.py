"""The public vote and, for now, the composite it feeds, as the stage runtime sees them (registered on load)."""

from django.urls import reverse
from django.utils import timezone

from jinxuan.pipeline.registry import StageApp, register_stage_app


def _public(campaign):
    from .services import window  # services import models: loaded after the app registry

    if window(campaign).opens_at is None:
        return None
    return ("网络投票", reverse("vote:index", args=[campaign.slug]))


def _started(campaign) -> bool:
    from .models import Vote, VoteWindow

    if Vote.objects.filter(campaign=campaign).exists():
        return True
    w = VoteWindow.objects.filter(campaign=campaign).first()
    return w is not None and w.opens_at is not None and w.opens_at <= timezone.now()


def _activity(campaign) -> str | None:
    from .models import Vote

    total = Vote.objects.filter(campaign=campaign).count()
    if not total:
        return None
    valid = Vote.objects.filter(campaign=campaign, valid=True).count()
    return f"已收到 {total} 票（有效 {valid} 票）"


def _close_vote_window(campaign, actor):
    """Closing the vote ends its window now (if it ends later): no vote is accepted after."""
    from .services import set_window, window

    w = window(campaign)
    now = timezone.now()
    if w.closes_at is None or w.closes_at > now:
        set_window(campaign, w.opens_at if w.opens_at and w.opens_at < now else None, now, actor=actor)
    return None


def _close_composite(campaign, actor):
    from .services import close_vote

    return close_vote(campaign, actor=actor)


def register() -> None:
    register_stage_app(StageApp(
        kind="public_vote", label="网络投票", collects="公众经手机验证码验证后在线投票，按预设限额计票",
        public_link=_public, manage_link=lambda c: ("网络投票", reverse("vote_manage:overview", args=[c.slug])),
        started=_started, activity=_activity, close=_close_vote_window, permissions=("vote.manage", "vote.oversee"),
    ))
    register_stage_app(StageApp(
        kind="composite", label="综合得分", module="jinxuan.outcomes.composite",
        collects="按预设权重合成前序阶段的结果（如专业评审 95%、网络投票 5%），按比例晋级",
        close=_close_composite, permissions=("vote.manage",),
    ))
