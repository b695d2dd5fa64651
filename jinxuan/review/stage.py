"""Django-free. The `expert_review` stage kind: ranks entrants by the preset's chosen aggregate, advances by its rule.

Pure (no Django): the scores arrive in ``context.data[stage_key]`` as {application id: {"n", "mean",
"trimmed_mean", "median", "calibrated"}} (see ``services.stage_data``).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from jinxuan.pipeline.engine import RankedEntry, StageKind, register

LABELS = {"mean": "平均分", "trimmed_mean": "截尾平均分", "median": "中位数", "calibrated": "校准分"}


@register
class ExpertReviewStage(StageKind):
    kind = "expert_review"
    label = "专业评审"
    bypassable = True

    def rank(self, entrants, context):
        scores = context.data.get(self.key) or {}
        by = self.params.aggregate
        scored, unscored = [], []
        for e in entrants:
            s = scores.get(e.application_id) or scores.get(str(e.application_id))
            if s and s.get("n"):
                value = Decimal(str(s[by])).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
                scored.append((e, value, s))
            else:
                unscored.append(e)
        scored.sort(key=lambda t: (-t[1], t[0].submitted_at, t[0].application_id))
        cut = self._cut(scored)
        entries, position, previous = [], 0, None
        for i, (e, value, s) in enumerate(scored):
            if value != previous:
                position, previous = i + 1, value
            advanced = cut(position, value)
            reason = f"{LABELS[by]} {value.normalize():f}，第 {position} 名" + ("" if advanced else "，未达晋级条件")
            entries.append(RankedEntry(e.application_id, position, value, advanced, reason,
                                       {k: s.get(k) for k in ("n", "mean", "trimmed_mean", "median", "calibrated")}))
        entries += [RankedEntry(e.application_id, None, None, False, "未获专家评分") for e in unscored]
        return entries

    def _cut(self, scored):
        p = self.params
        if p.advance == "top_fraction" and p.advance_fraction is not None:
            quota = math.floor(len(scored) * p.advance_fraction)
            return lambda position, value: position <= quota
        if p.advance == "min_score" and p.min_score is not None:
            return lambda position, value: value >= p.min_score
        return lambda position, value: True
