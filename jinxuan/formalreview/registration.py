"""The formal review as the stage runtime sees it (registered when the app loads)."""

from django.urls import reverse

from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from jinxuan.campaigns.loader import install_after_load
from jinxuan.pipeline.registry import StageApp, register_stage_app

from .recheck import recheck_if_changed
from .services import close_formal, preview_formal, preview_stamp


def _submitted(campaign):
    return Application.objects.filter(campaign=campaign).exclude(state__in=[State.DRAFT])


def _activity(campaign) -> str | None:
    qs = _submitted(campaign)
    total = qs.count()
    if not total:
        return None
    waiting = qs.filter(state__in=[State.SUBMITTED, State.FORMAL_REVIEW, State.NEEDS_CORRECTION]).count()
    return f"已提交 {total} 件，待审核或补正 {waiting} 件"


def _close(campaign, actor):
    return close_formal(campaign, actor=actor)


def _preview(campaign):
    return preview_formal(campaign)


def _recheck(campaign, previous_hash, actor) -> str | None:
    batch = recheck_if_changed(campaign, previous_hash, actor=actor)
    return f"预设已变更：已对 {batch.total} 份待审申报重新运行形式审核规则" if batch else None


def register() -> None:
    install_after_load(_recheck)
    register_stage_app(StageApp(
        kind="formal_review", label="形式审核", module="jinxuan.formalreview.stage", close=_close, collects="申报单位提交的申报书与附件，规则自动检查后由形式审核人员逐件决定",
        manage_link=lambda c: ("形式审核", reverse("formalreview:queue", args=[c.slug])),
        started=lambda c: _submitted(c).exists(), activity=_activity, preview=_preview, preview_stamp=preview_stamp, permissions=("formalreview.decide",),
    ))
