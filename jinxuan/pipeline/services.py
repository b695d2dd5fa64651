"""Persist a stage result and move the applications it decides on: advanced → 评审中 (next stage), an entry
whose detail says ``disqualified`` → 取消资格, any other → 未晋级. Each move needs and records its reason.
Storing a final result closes the stage (`runtime.mark_closed`)."""

from django.db import transaction

from jinxuan.applicants.models import Application
from jinxuan.applicants.services import transition
from jinxuan.applicants.states import State
from jinxuan.audit.log import record

from . import runtime
from .engine import StageResult
from .models import StageRun


@transaction.atomic
def store_run(campaign, result: StageResult, actor=None) -> StageRun:
    """Store a final stage result (audited) and close its stage, without moving any application."""
    run = StageRun.objects.create(
        campaign=campaign, stage_key=result.stage_key, kind=result.kind,
        result=result.to_json(), inputs_digest=result.inputs_digest, is_final=True,
    )
    record("stage.result_applied", run, campaign=campaign, actor=actor,
           after={"stage": result.stage_key, "advanced": sorted(result.advanced), "inputs_digest": result.inputs_digest})
    stage = runtime.stage_by_key(campaign, result.stage_key)
    if stage is not None:
        runtime.mark_closed(campaign, stage, actor=actor, run=run)
    return run


@transaction.atomic
def apply_result(campaign, result: StageResult, actor=None, notify: bool = True,
                 advanced_to: str = State.IN_STAGE) -> StageRun:
    """`advanced_to`: the state of advanced entries — 评审中 for every stage but the last (award: 入选).
    A stage closed again after a reopen finds some applications already where its result puts them: they stay."""
    run = store_run(campaign, result, actor=actor)
    apps = {a.pk: a for a in Application.objects.filter(campaign=campaign, pk__in=[e.application_id for e in result.entries])}
    for entry in result.entries:
        app = apps[entry.application_id]
        if entry.advanced:
            reason = entry.reason or (f"{result.stage_key}：重新计算后晋级" if app.state == State.ELIMINATED else "")
            if app.state == advanced_to and advanced_to != State.IN_STAGE:
                continue
            transition(app, advanced_to, stage=result.stage_key, actor=actor, reason=reason, notify_members=notify)
        elif (entry.detail or {}).get("disqualified"):  # e.g. a failed site inspection: 取消资格, not 未晋级
            if app.state == State.DISQUALIFIED:
                continue
            transition(app, State.DISQUALIFIED, stage=result.stage_key, actor=actor,
                       reason=entry.reason or f"{result.stage_key}：取消资格", notify_members=notify)
        else:
            if app.state == State.ELIMINATED:
                continue
            transition(app, State.ELIMINATED, stage=result.stage_key, actor=actor,
                       reason=entry.reason or f"未通过{result.stage_key}", notify_members=notify)
    return run
