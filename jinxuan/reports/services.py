"""Read a campaign's stages, stage runs, applications and formal-review decisions into the pure tables."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from jinxuan.applicants.models import Application, ApplicationUnit
from jinxuan.applicants.states import State
from jinxuan.formalreview.models import Decision, FormalDecision, ScreeningResult
from jinxuan.pipeline import runtime
from jinxuan.pipeline.models import StageRun
from jinxuan.pipeline.registry import stage_app

from . import tables as T

PASSED_FORMAL = {State.ACCEPTED, State.IN_STAGE, State.ELIMINATED, State.DISQUALIFIED, State.AWARDED}
IN_FORMAL = {State.SUBMITTED, State.FORMAL_REVIEW, State.NEEDS_CORRECTION}


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
        out[s.key] = T.Live(state.status, (app.activity(campaign) or "") if app else "", state.stale_reason,
                            app.collects if app else "", "；".join(parts))
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


def formal_rows(campaign, apps) -> list[T.FormalRow]:
    """Every submitted application, as formal review left it (states and the latest decision)."""
    decisions: dict[int, FormalDecision] = {}
    for d in FormalDecision.objects.filter(application__campaign=campaign).order_by("decided_at", "pk"):
        decisions[d.application_id] = d
    screenings: dict[int, ScreeningResult] = {}
    for s in (ScreeningResult.objects.filter(application__campaign=campaign).order_by("created_at", "pk")
              .only("application_id", "blocking", "warnings", "created_at")):
        screenings[s.application_id] = s
    rows = []
    for a in apps:
        if a.state == State.WITHDRAWN and a.submitted_at is None:
            continue  # withdrawn as a draft: never entered formal review
        if a.state in PASSED_FORMAL:
            outcome = T.ADVANCED
        elif a.state in IN_FORMAL:
            outcome = T.PENDING
        else:
            outcome = T.ELIMINATED
        d, s = decisions.get(a.pk), screenings.get(a.pk)
        if d is not None:
            reason = d.reason.strip() or d.get_decision_display()
            if d.decision == Decision.PASS and d.override_reason:
                reason += f"（推翻 {len(d.overridden)} 项阻断性问题：{d.override_reason}）"
        elif outcome == T.ADVANCED:
            reason = "形式审核通过"
        else:
            reason = a.state_reason or State(a.state).label
        if a.state == State.WITHDRAWN:
            reason = a.state_reason or "已撤回"
        rows.append(T.FormalRow(a.pk, outcome, State(a.state).label, reason,
                                d.get_decision_display() if d else "", s.blocking if s else None,
                                s.warnings if s else None, len(d.overridden) if d else 0))
    return rows


def stage_tables(campaign) -> list[T.StageTable]:
    apps = list(applications(campaign))
    return T.build_tables(stages(campaign), runs(campaign), app_infos(campaign, apps), formal_rows(campaign, apps),
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
    from .charts import funnel_chart, histogram_chart

    tables = stage_tables(campaign)
    steps = T.funnel(tables)
    scored = []
    for t in tables:
        if t.scores:
            scored.append({"table": t, "summary": T.summary(t.scores),
                           "chart": histogram_chart(T.stage_histogram(t), t.distribution_title)})
    return {"campaign": campaign, "tables": tables, "steps": steps, "funnel": funnel_chart(steps),
            "scored": scored, "numbers": key_numbers(campaign, tables), "generated": timezone.now()}
