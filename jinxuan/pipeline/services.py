"""Persist a stage result and move the applications it decides on: advanced → 评审中 (next stage), an entry
whose detail says ``disqualified`` → 取消资格, any other → 未晋级. Each move needs and records its reason."""

from django.db import transaction

from jinxuan.applicants.models import Application
from jinxuan.applicants.services import transition
from jinxuan.applicants.states import State
from jinxuan.audit.log import record

from .engine import StageResult
from .models import StageRun


@transaction.atomic
def apply_result(campaign, result: StageResult, actor=None, notify: bool = True,
                 advanced_to: str = State.IN_STAGE) -> StageRun:
    """`advanced_to`: the state of advanced entries — 评审中 for every stage but the last (award: 入选)."""
    run = StageRun.objects.create(
        campaign=campaign, stage_key=result.stage_key, kind=result.kind,
        result=result.to_json(), inputs_digest=result.inputs_digest, is_final=True,
    )
    record("stage.result_applied", run, campaign=campaign, actor=actor,
           after={"stage": result.stage_key, "advanced": sorted(result.advanced), "inputs_digest": result.inputs_digest})
    apps = {a.pk: a for a in Application.objects.filter(campaign=campaign, pk__in=[e.application_id for e in result.entries])}
    for entry in result.entries:
        app = apps[entry.application_id]
        if entry.advanced:
            transition(app, advanced_to, stage=result.stage_key, actor=actor, reason=entry.reason,
                       notify_members=notify)
        elif (entry.detail or {}).get("disqualified"):  # e.g. a failed site inspection: 取消资格, not 未晋级
            transition(app, State.DISQUALIFIED, stage=result.stage_key, actor=actor,
                       reason=entry.reason or f"{result.stage_key}：取消资格", notify_members=notify)
        else:
            transition(app, State.ELIMINATED, stage=result.stage_key, actor=actor,
                       reason=entry.reason or f"未通过{result.stage_key}", notify_members=notify)
    return run
