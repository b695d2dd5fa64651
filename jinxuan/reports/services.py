"""Read a campaign's stages, stage runs, applications and each stage's lifecycle into the pure tables."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from jinxuan.applicants.models import Application, ApplicationUnit
from jinxuan.applicants.states import State
from jinxuan.pipeline import runtime
from jinxuan.pipeline.models import StageRun
from jinxuan.pipeline.registry import stage_app

from . import tables as T
from .charts import funnel_chart, histogram_chart


def stages(campaign) -> list[T.Stage]:
    return [T.Stage(s.key, s.kind, s.name, s.starts, s.ends) for s in campaign.stages.order_by("position")]


def runs(campaign) -> dict[str, T.Run]:
    """The run of each stage: its latest final run, else its latest provisional one."""
    final: dict[str, T.Run] = {}
    provisional: dict[str, T.Run] = {}
    for run in StageRun.objects.filter(campaign=campaign).order_by("pk"):
        target = final if run.is_final else provisional
        target[run.stage_key] = T.Run(run.result, run.is_final, run.created_at)
    return provisional | final


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else "系统"


def live(campaign) -> dict[str, T.Live]:
    """Each stage's lifecycle (the runtime) and what it holds now (its registered app)."""
    out = {}
    for s in campaign.stages.order_by("position"):
        state = runtime.lifecycle(campaign, s)
        app = stage_app(s.kind)
        parts = []
        if state.opened_at:
            parts.append(f"{_who(state.opened_by)} 于 {timezone.localtime(state.opened_at):%Y-%m-%d %H:%M} 开启")
        if state.closed and state.closed_at:
            parts.append(f"{_who(state.closed_by)} 于 {timezone.localtime(state.closed_at):%Y-%m-%d %H:%M} 结束")
        if state.reopen_reason and not state.closed:
            parts.append(f"已重开：{state.reopen_reason}")
        preview = app.preview(campaign) if app and state.status == "open" and not runtime.final_run(campaign, s) else None
        out[s.key] = T.Live(state.status, (app.activity(campaign) or "") if app else "", state.stale_reason,
                            app.collects if app else "", "；".join(parts), preview)
    return out


def applications(campaign):
    leads = Prefetch("units", queryset=ApplicationUnit.objects.filter(is_lead=True).defer("answers")
                     .select_related("organisation"), to_attr="lead_units")
    return (campaign.applications.exclude(state=State.DRAFT).defer("answers")  # the tables show no answers
            .select_related("track").prefetch_related(leads).order_by("pk"))


def app_infos(campaign, apps) -> dict[int, T.AppInfo]:
    out = {}
    for a in apps:
        a.campaign = campaign  # for `number`, without a query per row
        lead = a.lead_units[0].organisation.name if a.lead_units else ""
        out[a.pk] = T.AppInfo(a.pk, a.number, a.title, a.track.name, lead)
    return out


def stage_tables(campaign) -> list[T.StageTable]:
    apps = list(applications(campaign))
    return T.build_tables(stages(campaign), runs(campaign), app_infos(campaign, apps),
                          live(campaign))


def key_numbers(campaign, tables: list[T.StageTable]) -> list[tuple[str, str]]:
    """The handful of numbers at the top of the report."""
    counts = dict.fromkeys(State.values, 0)
    for state in Application.objects.filter(campaign=campaign).values_list("state", flat=True):
        counts[state] += 1
    submitted = sum(n for s, n in counts.items() if s != State.DRAFT)
    numbers = [("已提交申报", str(submitted)), ("赛道 / 榜单", str(campaign.tracks.count()))]
    done = [t for t in tables if t.started]
    if done:
        last = done[-1]
        numbers.append((f"最近完成阶段：{last.stage.name}", f"晋级 {last.advanced} / 进入 {last.entered}"))
    numbers.append(("已完成阶段", f"{len(done)} / {len(tables)}"))
    if counts[State.AWARDED]:
        numbers.append(("入选", str(counts[State.AWARDED])))
    return numbers


def report(campaign) -> dict:
    tables = stage_tables(campaign)
    steps = T.funnel(tables)
    scored = []
    for t in tables:
        if t.scores:
            scored.append({"table": t, "summary": T.summary(t.scores),
                           "chart": histogram_chart(T.stage_histogram(t), t.distribution_title)})
    return {"campaign": campaign, "tables": tables, "steps": steps, "funnel": funnel_chart(steps),
            "scored": scored, "numbers": key_numbers(campaign, tables), "generated": timezone.now()}
