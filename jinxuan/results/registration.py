"""The award and publish stages as the stage runtime sees them (registered when the app loads)."""

from django.urls import reverse

from jinxuan.pipeline.registry import StageApp, register_stage_app

from .models import Award, AwardDecision
from .services import close_award, is_published, publish_results


def _published(campaign) -> bool:
    return is_published(campaign)


def _close_award(campaign, actor):
    return close_award(campaign, actor=actor).stage_run


def _close_publish(campaign, actor):
    return publish_results(campaign, actor=actor).publish_run


def _reopen_award(campaign, actor):
    """Reopened, the award decision is taken again; the earlier one stays in the audit log."""
    Award.objects.filter(campaign=campaign, published_at__isnull=True).delete()
    AwardDecision.objects.filter(campaign=campaign, published_at__isnull=True).delete()


def register() -> None:
    manage = lambda c: ("评定与发布", reverse("results:manage", args=[c.slug]))  # noqa: E731
    register_stage_app(StageApp(
        kind="award", label="评定奖项", module="jinxuan.results.stage",
        collects="按预设的奖项方案与排名依据评定奖项", manage_link=manage, close=_close_award,
        reopen=_reopen_award, permissions=("results.manage",),
    ))
    register_stage_app(StageApp(
        kind="publish", label="发布", collects="发布评选结果，获奖案例进入案例库",
        public_link=lambda c: ("评选结果", reverse("results:index", args=[c.slug])) if _published(c) else None,
        manage_link=manage, started=_published, close=_close_publish, permissions=("results.manage",),
    ))
