"""Closing a `composite` (综合得分) stage: it reads only the stored results of the earlier stages it names (the
expert review's scores, the public vote's counts …) and ranks the previous stage's advanced set. The kind itself
is pure (`jinxuan.outcomes.composite`); this is its orchestration, registered by the pipeline app."""

from django.db import transaction

from jinxuan.applicants.models import Application
from jinxuan.applicants.states import State
from jinxuan.campaigns.stage_params import CompositeParams

from . import runtime
from .engine import StageContext, implementation
from .services import apply_result


class CompositeError(ValueError):
    """A refused composite; the message is shown to the organiser."""


@transaction.atomic
def close_composite(campaign, actor=None, notify: bool = True):
    stage = runtime.stage_of(campaign, "composite")
    if stage is None:
        raise CompositeError("本活动没有综合得分阶段")
    if runtime.final_run(campaign, stage) is not None:
        raise CompositeError("综合得分已计算，晋级名单已确定")
    runtime.settle_earlier(campaign, stage, actor=actor)  # e.g. the public vote stores its counts first
    params = CompositeParams.model_validate(stage.params)
    names = dict(campaign.stages.values_list("key", "name"))
    earlier = {}
    for source in [c.source for c in params.components] + [k for k in params.tie_break if k in names]:
        run = runtime.final_run(campaign, source)
        if run is None:
            raise CompositeError(f"「{names.get(source, source)}」尚无结果，不能计算综合得分")
        earlier[source] = runtime.stored_result(run)
    previous = runtime.previous_run(campaign, stage)
    if previous is None:
        raise CompositeError("上一阶段尚未结束")
    apps = list(Application.objects.filter(campaign=campaign, pk__in=runtime.advanced_ids(previous),
                                           state=State.IN_STAGE).select_related("track").order_by("pk"))
    result = implementation("composite")(stage.key, stage.params).run(
        runtime.entrants(apps), StageContext(campaign.slug, earlier=earlier))
    return apply_result(campaign, result, actor=actor, notify=notify)
