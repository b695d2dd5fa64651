"""Read a campaign's stages, stage runs, applications and each stage's lifecycle into the pure tables."""

from __future__ import annotations

from django.db.models import Max
from django.utils import timezone

from jinxuan.applicants.models import Application, ApplicationUnit, application_number
from jinxuan.applicants.prefetch import states_read_once
from jinxuan.applicants.states import State
from jinxuan.campaigns.kept import kept
from jinxuan.pipeline import runtime
from jinxuan.pipeline.models import StageRun
from jinxuan.pipeline.registry import stage_app

from . import tables as T
from .charts import funnel_chart, histogram_chart

PREVIEW_SECONDS = 24 * 3600  # an open stage's preview is kept (keyed by what it read) at most this long


def _stages(campaign, only: str | None = None):
    qs = campaign.stages.order_by("position")
    return qs.filter(key=only) if only else qs


def stages(campaign, only: str | None = None) -> list[T.Stage]:
    return [T.Stage(s.key, s.kind, s.name, s.starts, s.ends) for s in _stages(campaign, only)]


def runs(campaign, only: str | None = None) -> dict[str, T.Run]:
    """The run of each stage: its latest final run, else its latest provisional one."""
    final: dict[str, T.Run] = {}
    provisional: dict[str, T.Run] = {}
    qs = StageRun.objects.filter(campaign=campaign, **({"stage_key": only} if only else {}))
    for run in qs.order_by("pk"):
        target = final if run.is_final else provisional
        target[run.stage_key] = T.Run(run.result, run.is_final, run.created_at)
    return provisional | final


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else "系统"


def kept_preview(campaign, stage, app):
    """What an open stage would store if it closed now. Computing it reads every entrant (seconds at national
    scale), so it is kept in the cache under what it read: the app's stamp of its inputs, the campaign's preset
    and its latest stage run (a new run of the stage before changes who entered)."""
    stamp = app.preview_stamp(campaign)
    if stamp is None:
        return app.preview(campaign)
    last_run = StageRun.objects.filter(campaign=campaign).aggregate(m=Max("pk"))["m"]
    return kept(campaign, f"stage-preview:{stage.key}", (last_run, stamp), lambda: app.preview(campaign),
                PREVIEW_SECONDS)


def live(campaign, only: str | None = None) -> dict[str, T.Live]:
    """Each stage's lifecycle (the runtime) and what it holds now (its registered app)."""
    out = {}
    defs = list(_stages(campaign, only))
    finals = runtime.final_times(campaign)
    states = runtime.lifecycles(campaign, defs, finals)
    with states_read_once():
        for s in defs:
            out[s.key] = _live(campaign, s, states[s.key], s.key in finals)
    return out


def _live(campaign, s, state, has_final: bool) -> T.Live:
    """One stage's lifecycle line, activity and (open, without a final result) preview."""
    app = stage_app(s.kind)
    parts = []
    if state.opened_at:
        parts.append(f"{_who(state.opened_by)} 于 {timezone.localtime(state.opened_at):%Y-%m-%d %H:%M} 开启")
    if state.closed and state.closed_at:
        parts.append(f"{_who(state.closed_by)} 于 {timezone.localtime(state.closed_at):%Y-%m-%d %H:%M} 结束")
    if state.reopen_reason and not state.closed:
        parts.append(f"已重开：{state.reopen_reason}")
    preview = kept_preview(campaign, s, app) if app and state.status == "open" and not has_final else None
    return T.Live(state.status, (app.activity(campaign) or "") if app else "", state.stale_reason,
                  app.collects if app else "", "；".join(parts), preview)


def app_infos(campaign, ids=None) -> dict[int, T.AppInfo]:
    """Number, title, track and lead unit of the submitted applications (or those of `ids`), read as values: the
    tables need no application objects."""
    qs = campaign.applications.exclude(state=State.DRAFT)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    leads = dict(ApplicationUnit.objects.filter(application__in=qs.values("pk"), is_lead=True)
                 .values_list("application_id", "organisation__name"))
    return {pk: T.AppInfo(pk, application_number(campaign, pk), title, track, leads.get(pk, ""))
            for pk, title, track in qs.order_by("pk").values_list("pk", "title", "track__name")}


def _entry_ids(result: dict | None) -> set[int]:
    return {int(e["application_id"]) for e in (result or {}).get("entries", [])}


def stage_tables(campaign, only: str | None = None, rows: bool = True) -> list[T.StageTable]:
    """Every stage's table, or only the table of the stage keyed `only` (its rows' applications only). `rows`
    False: rows for counting only (the overview and the report show counts and charts, not rows)."""
    stage_runs, now = runs(campaign, only), live(campaign, only)
    apps = None
    if rows:
        ids = None
        if only:
            ids = set().union(*(_entry_ids(r.result) for r in stage_runs.values()),
                              *(_entry_ids(lv.preview) for lv in now.values()))
        apps = app_infos(campaign, ids)
    names = dict(campaign.stages.values_list("key", "name"))
    return T.build_tables(stages(campaign, only), stage_runs, apps, now, names)


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
    tables = stage_tables(campaign, rows=False)
    steps = T.funnel(tables)
    scored = []
    for t in tables:
        if t.scores:
            scored.append({"table": t, "summary": T.summary(t.scores),
                           "chart": histogram_chart(T.stage_histogram(t), t.distribution_title)})
    return {"campaign": campaign, "tables": tables, "steps": steps, "funnel": funnel_chart(steps),
            "scored": scored, "numbers": key_numbers(campaign, tables), "generated": timezone.now()}
