"""The one owner of a campaign's stages: which stage, its final run, the stage before it, its entrants, and its
lifecycle (pending → open → closed, reopened only with a reason).

Nothing else recomputes these. Stage apps call `require_open` before accepting any work for their stage, and the
closing of a stage goes through `mark_closed` (called by `services.apply_result`), which also closes every
earlier stage: a stage that read their results froze them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jinxuan.audit.log import record

from .engine import BYPASS_FLAG, Entrant, RankedEntry, StageResult
from .models import StageRun, StageState
from .registry import stage_app

STATUS_LABELS = dict(StageState.STATUSES)
MANAGE_PERMISSION = "pipeline.manage_stages"  # open / close / reopen; installed by the app (see apps.py)


class StageClosed(ValueError):
    """Work refused because its stage is closed; the message is shown to the user (HTTP 409 in the API)."""


class LifecycleError(ValueError):
    """A refused open / close / reopen; the message is shown to the organiser."""


# ------------------------------------------------------------------------------------------------ look-ups


def stage_of(campaign, kind: str):
    """The campaign's (first) stage of this kind, or None."""
    return campaign.stages.filter(kind=kind).order_by("position").first()


def stage_by_key(campaign, key: str):
    return campaign.stages.filter(key=key).first()


def _key(stage) -> str:
    return stage if isinstance(stage, str) else stage.key


def final_run(campaign, stage) -> StageRun | None:
    """The stored final result of a stage (a stage definition or its key), or None while it has none."""
    if stage is None:
        return None
    return StageRun.objects.filter(campaign=campaign, stage_key=_key(stage), is_final=True).order_by("-pk").first()


def kind_run(campaign, kind: str) -> StageRun | None:
    """The final run of the campaign's stage of this kind."""
    return final_run(campaign, stage_of(campaign, kind))


def previous_stage(campaign, stage):
    if stage is None:
        return None
    return campaign.stages.filter(position__lt=stage.position).order_by("-position").first()


def later_stages(campaign, stage) -> list:
    return list(campaign.stages.filter(position__gt=stage.position).order_by("position"))


def previous_run(campaign, stage) -> StageRun | None:
    """The final run of the stage just before this one."""
    return final_run(campaign, previous_stage(campaign, stage))


def advanced_ids(run: StageRun | None) -> list[int]:
    if run is None:
        return []
    return [e["application_id"] for e in run.result["entries"] if e["advanced"]]


def entered_ids(run: StageRun | None) -> list[int]:
    if run is None:
        return []
    return [e["application_id"] for e in run.result["entries"]]


def superseded_run(campaign, stage) -> StageRun | None:
    """The latest run of a reopened stage (no longer final): the entrants it read are read again on re-close."""
    return (StageRun.objects.filter(campaign=campaign, stage_key=_key(stage), is_final=False)
            .order_by("-pk").first())


def stored_result(run: StageRun) -> StageResult:
    """A stored stage result as the engine's StageResult (what `StageContext.earlier` holds)."""
    entries = tuple(
        RankedEntry(e["application_id"], e["rank"], Decimal(str(e["score"])) if e["score"] is not None else None,
                    e["advanced"], e.get("reason", ""), e.get("detail") or {})
        for e in run.result["entries"])
    return StageResult(run.stage_key, run.kind, entries, run.result.get("params") or {}, run.inputs_digest,
                       run.result.get("inputs") or {})


# ------------------------------------------------------------------------------------------------ entrants


def skips_review_and_vote(campaign) -> bool:
    """The preset's choice: a district recommendation also skips the expert review and the public vote."""
    return campaign.spec.district_recommendation_skips == "review_and_vote"


def flags_of(application, bypass: bool | None = None) -> frozenset[str]:
    """Every flag a stage may read of an application (the inputs digest covers them)."""
    flags = set()
    if getattr(application, "district_recommended", False):
        flags.add("district_recommended")
        if bypass is None:
            bypass = skips_review_and_vote(application.campaign)
        if bypass:
            flags.add(BYPASS_FLAG)
    return frozenset(flags)


def entrant(application, bypass: bool | None = None) -> Entrant:
    """The one way an application becomes a stage entrant."""
    submitted = application.submitted_at.isoformat() if application.submitted_at else ""
    return Entrant(application.pk, application.track.key, submitted, flags_of(application, bypass))


def entrants(applications: Iterable) -> list[Entrant]:
    applications = list(applications)
    bypass = {}  # campaign id → the preset's choice, read once
    for a in applications:
        if a.campaign_id not in bypass:
            bypass[a.campaign_id] = skips_review_and_vote(a.campaign)
    return [entrant(a, bypass[a.campaign_id]) for a in applications]


# ------------------------------------------------------------------------------------------------ lifecycle


@dataclass(frozen=True)
class Lifecycle:
    stage_key: str
    status: str
    opened_at: object = None
    opened_by: object = None
    closed_at: object = None
    closed_by: object = None
    reopen_reason: str = ""
    stale_since: object = None
    stale_reason: str = ""

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def stale(self) -> bool:
        return self.stale_since is not None

    @property
    def closed(self) -> bool:
        return self.status == StageState.CLOSED


def _row(campaign, stage) -> StageState | None:
    return StageState.objects.filter(campaign=campaign, stage_key=_key(stage)).select_related(
        "opened_by", "closed_by").first()


def lifecycle(campaign, stage) -> Lifecycle:
    """The stage's status: as recorded; for a stage nobody opened or closed through the runtime, closed once it
    has a final result, open once it holds work (its app says so), else pending."""
    row = _row(campaign, stage)
    if row is not None:
        return _recorded(row)
    run = final_run(campaign, stage)
    return _unrecorded(campaign, stage, run.created_at if run is not None else None)


def _recorded(row: StageState) -> Lifecycle:
    return Lifecycle(row.stage_key, row.status, row.opened_at, row.opened_by, row.closed_at, row.closed_by,
                     row.reopen_reason, row.stale_since, row.stale_reason)


def _unrecorded(campaign, stage, final_at) -> Lifecycle:
    if final_at is not None:
        return Lifecycle(stage.key, StageState.CLOSED, closed_at=final_at)
    app = stage_app(stage.kind)
    status = StageState.OPEN if app is not None and app.started(campaign) else StageState.PENDING
    return Lifecycle(stage.key, status)


def is_closed(campaign, stage) -> bool:
    return stage is not None and lifecycle(campaign, stage).closed


def closed_message(stage) -> str:
    return f"「{stage.name}」阶段已结束，不再接受任何提交、评分、投票、异议或决定；如确需更正，请由活动工作组说明原因后重开该阶段"


def require_open(campaign, kind_or_stage, error: type[Exception] = StageClosed) -> None:
    """Raise `error` (a stage app's own refusal, shown to the user) when the campaign's stage (of this kind, or
    this stage) is closed."""
    stage = stage_of(campaign, kind_or_stage) if isinstance(kind_or_stage, str) else kind_or_stage
    if stage is not None and is_closed(campaign, stage):
        raise error(closed_message(stage))


def applications_closed(campaign) -> str | None:
    """The refusal for any submission, edit or upload once the first stage (which reads the applications) is
    closed; installed into `applicants.submission`."""
    first = campaign.stages.order_by("position").first()
    if first is not None and is_closed(campaign, first):
        return f"「{first.name}」阶段已结束，申报材料已冻结，不能再提交、修改或上传附件"
    return None


def _state_row(campaign, stage) -> StageState:
    row, _ = StageState.objects.select_for_update().get_or_create(campaign=campaign, stage_key=stage.key)
    return row


@transaction.atomic
def open_stage(campaign, stage, actor=None) -> StageState:
    row = _state_row(campaign, stage)
    if row.status == StageState.CLOSED or (row.status == StageState.PENDING and final_run(campaign, stage)):
        raise LifecycleError(f"「{stage.name}」已结束；如需更正，请说明原因后重开")
    if row.status == StageState.OPEN:
        raise LifecycleError(f"「{stage.name}」已在进行中")
    row.status, row.opened_at, row.opened_by = StageState.OPEN, timezone.now(), actor
    row.save()
    record("stage.opened", campaign, campaign=campaign, actor=actor, after={"stage": stage.key, "name": stage.name})
    return row


@transaction.atomic
def mark_closed(campaign, stage, actor=None, run: StageRun | None = None) -> StageState:
    """Record that the stage is closed (its result is stored, if it has one); earlier stages close with it; a new
    result is no longer stale."""
    now = timezone.now()
    for earlier in campaign.stages.filter(position__lt=stage.position).order_by("position"):
        row = _state_row(campaign, earlier)
        if row.status != StageState.CLOSED:
            row.status, row.closed_at, row.closed_by = StageState.CLOSED, now, actor
            row.save()
            record("stage.closed", campaign, campaign=campaign, actor=actor,
                   after={"stage": earlier.key, "name": earlier.name, "because": stage.key})
    row = _state_row(campaign, stage)
    before = row.status
    row.status, row.closed_at, row.closed_by = StageState.CLOSED, now, actor
    if run is not None:
        row.stale_since, row.stale_reason = None, ""
    row.save()
    if before != StageState.CLOSED:
        record("stage.closed", campaign, campaign=campaign, actor=actor,
               after={"stage": stage.key, "name": stage.name, "stage_run": run.pk if run else None})
    return row


def settle_earlier(campaign, stage, actor=None) -> list[StageRun]:
    """Before a stage computes its result, every earlier stage still open stores its own (through its app's close
    action), so that what this stage reads is a stored, final result."""
    stored = []
    for earlier in campaign.stages.filter(position__lt=stage.position).order_by("position"):
        if final_run(campaign, earlier) is not None or is_closed(campaign, earlier):
            continue
        app = stage_app(earlier.kind)
        if app is not None and app.close is not None:
            run = app.close(campaign, actor)
            if isinstance(run, StageRun):
                stored.append(run)
    return stored


def close_stage(campaign, stage, actor=None):
    """The organiser's close: the stage app's own close (computes and stores the result) if it has one, else the
    lifecycle alone. Returns the stored run, if any."""
    if is_closed(campaign, stage):
        raise LifecycleError(f"「{stage.name}」已结束")
    app = stage_app(stage.kind)
    if app is not None and app.close is not None:
        run = app.close(campaign, actor)
        mark_closed(campaign, stage, actor=actor, run=run if isinstance(run, StageRun) else None)
        return run
    mark_closed(campaign, stage, actor=actor)
    return None


@transaction.atomic
def reopen_stage(campaign, stage, reason: str, actor=None) -> list[str]:
    """Reopen a closed stage with a reason (audited). Its result stops being final (kept for replay and the
    record); every later stage holding a result is marked stale until it is recomputed. Returns their keys."""
    reason = (reason or "").strip()
    if not reason:
        raise LifecycleError("重开阶段必须说明原因")
    if not is_closed(campaign, stage):
        raise LifecycleError(f"「{stage.name}」尚未结束，无需重开")
    run = final_run(campaign, stage)
    if run is not None:
        StageRun.objects.filter(pk=run.pk).update(is_final=False)
    now = timezone.now()
    row = _state_row(campaign, stage)
    row.status, row.reopened_at, row.reopen_reason = StageState.OPEN, now, reason
    row.save()
    stale = []
    for later in later_stages(campaign, stage):
        if final_run(campaign, later) is None:
            continue
        later_row = _state_row(campaign, later)
        if later_row.status == StageState.PENDING:
            later_row.status = StageState.CLOSED
        later_row.stale_since, later_row.stale_reason = now, f"「{stage.name}」于重开后可能改变结果：{reason}"
        later_row.save()
        stale.append(later.key)
    app = stage_app(stage.kind)
    if app is not None and app.reopen is not None:
        app.reopen(campaign, actor)
    record("stage.reopened", campaign, campaign=campaign, actor=actor, reason=reason,
           before={"stage": stage.key, "status": StageState.CLOSED, "stage_run": run.pk if run else None},
           after={"status": StageState.OPEN, "stale": stale})
    return stale


def final_times(campaign) -> dict[str, object]:
    """When each stage's latest final result was stored, by stage key (stages without one are absent); the
    results themselves are not read."""
    return dict(StageRun.objects.filter(campaign=campaign, is_final=True).order_by("pk")
                .values_list("stage_key", "created_at"))


def lifecycles(campaign, stages: Iterable | None = None, finals: dict | None = None) -> dict[str, Lifecycle]:
    """`lifecycle()` of each of `stages` (default: every stage of the campaign, in order), reading the recorded
    states and the final results' times once for all. `finals`: `final_times(campaign)` if the caller has it."""
    stages = list(campaign.stages.order_by("position") if stages is None else stages)
    rows = {r.stage_key: r for r in StageState.objects.filter(campaign=campaign).select_related("opened_by", "closed_by")}
    finals = final_times(campaign) if finals is None else finals
    return {s.key: _recorded(rows[s.key]) if s.key in rows else _unrecorded(campaign, s, finals.get(s.key))
            for s in stages}
