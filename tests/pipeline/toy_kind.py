"""The toy stage kind's engine class: every entrant advances, ranked by application id. Importing registers it."""

from jinxuan.pipeline.engine import RankedEntry, StageKind, register

from .toy_stage import KIND


@register
class ToyStage(StageKind):
    kind = KIND

    def rank(self, entrants, context):
        return [RankedEntry(e.application_id, i, None, True, f"玩具阶段第 {i} 名") for i, e in enumerate(entrants, 1)]
