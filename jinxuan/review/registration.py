"""The expert review as the stage runtime sees it (registered when the app loads)."""

from django.urls import reverse

from jinxuan.accounts.rules import install
from jinxuan.pipeline.registry import StageApp, register_stage_app

from .models import Assignment, Review
from .services import close_review
from .visibility import may_see


def _activity(campaign) -> str | None:
    assigned = Assignment.objects.filter(campaign=campaign).count()
    if not assigned:
        return None
    done = Review.objects.filter(assignment__campaign=campaign, state=Review.SUBMITTED).count()
    return f"已提交评分 {done} / {assigned} 份"


def _close(campaign, actor):
    return close_review(campaign, actor=actor)


def _may_score(user, application) -> bool:
    return may_see(user, application)


def register() -> None:
    import rules

    install("review.score", rules.predicate(_may_score, name="may_review"))
    register_stage_app(StageApp(
        kind="expert_review", label="专业评审", module="jinxuan.review.stage",
        collects="专家按评分细则在线评分，按预设的汇总方式排名",
        manage_link=lambda c: ("专业评审", reverse("review_manage:overview", args=[c.slug])),
        started=lambda c: _activity(c) is not None, activity=_activity, close=_close,
        permissions=("review.manage", "review.score"),
    ))
