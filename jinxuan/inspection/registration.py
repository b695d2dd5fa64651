"""The site inspection as the stage runtime sees it (registered when the app loads)."""

from django.urls import reverse

from jinxuan.accounts.rules import install
from jinxuan.pipeline.registry import StageApp, register_stage_app

from .access import may_inspect
from .services import close_inspection, live_draw


def _draw(campaign):
    return live_draw(campaign)


def _activity(campaign) -> str | None:
    draw = _draw(campaign)
    if draw is None:
        return None
    if not draw.is_drawn:
        return "已提交种子承诺，尚未抽取"
    done = draw.inspections.filter(state="submitted").count()
    return f"抽中 {draw.inspections.count()} 件，已提交考察结论 {done} 件"


def _close(campaign, actor):
    return close_inspection(campaign, actor=actor)


def register() -> None:
    install("inspection.inspect", may_inspect)
    register_stage_app(StageApp(
        kind="site_inspection", label="实地考察", module="jinxuan.inspection.stage",
        collects="以事先承诺的种子可复核地抽取考察对象，考察人员逐件提交结论",
        public_link=lambda c: ("实地考察抽签（可复核）", reverse("inspection:draw", args=[c.slug]))
        if _draw(c) is not None else None,
        manage_link=lambda c: ("实地考察", reverse("inspection:manage", args=[c.slug])),
        started=lambda c: _draw(c) is not None, activity=_activity, close=_close,
        permissions=("inspection.manage", "inspection.inspect", "inspection.oversee"),
    ))
