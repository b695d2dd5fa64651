"""Django-free. The `roadshow` (路演答辩) stage kind: ranks the entrants by their live roadshow scores only.

Pure (no Django). The signed totals arrive in ``context.data[stage_key]`` as {application id: {"scores": [...],
"position": n}} (see ``services.stage_data``); nothing else is read — in particular not ``context.earlier``: the
expert review and the public vote do not count (000: 专业评审、网络投票分数不计入答辩评审环节).

Order: the aggregate (``params.aggregate``, see ``scoring.aggregate``) descending; then the mean of all scores
(nothing dropped) descending. Entrants equal on both share a rank (competition ranks 1, 2, 2, 4) and are listed in
presentation order. An entrant without any signed score gets no rank and does not advance.

Advance: ``all`` → every scored entrant; ``top_fraction`` → ranks ≤ floor(fraction × scored entrants), so every
entrant tied at the cut advances; ``min_score`` → aggregate ≥ min_score.
"""

from __future__ import annotations

import math
from decimal import Decimal

from jinxuan.pipeline.engine import RankedEntry, StageKind, register

from .scoring import aggregate, fmt

EARLIER_REFUSED = "路演答辩只按现场评分排名（专业评审、网络投票分数不计入），不支持 earlier_scores_count: true"


def _lookup(data, app_id):
    found = data.get(app_id)
    return found if found is not None else data.get(str(app_id))


@register
class RoadshowStage(StageKind):
    kind = "roadshow"

    def rank(self, entrants, context):
        p = self.params
        if p.earlier_scores_count:
            raise ValueError(EARLIER_REFUSED)
        data = context.data.get(self.key) or {}
        scored, unscored = [], []
        for e in entrants:
            item = _lookup(data, e.application_id) or {}
            agg = aggregate(item.get("scores") or [], p.aggregate)
            position = int(item.get("position") or 0)
            (scored if agg.value is not None else unscored).append((e, agg, position))
        scored.sort(key=lambda t: (-t[1].value, -t[1].mean_all, t[2], t[0].application_id))
        advance = self._rule(len(scored))
        entries, rank, previous = [], 0, None
        for i, (e, agg, position) in enumerate(scored):
            key = (agg.value, agg.mean_all)
            if key != previous:
                rank, previous = i + 1, key
            advanced, why = advance(rank, agg.value)
            tie = [other for other in scored if other[0] is not e and (other[1].value, other[1].mean_all) == key]
            text = f"路演得分 {fmt(agg.value)}（{agg.rule}），第 {rank} 名"
            if tie:
                text += f"（与 {len(tie)} 个案例得分及全部分数平均分均相同，并列）"
            entries.append(RankedEntry(
                e.application_id, rank, agg.value, advanced, f"{text}，{why}",
                {"scores": [str(s) for s in agg.scores], "dropped_high": agg.dropped_high,
                 "dropped_low": agg.dropped_low, "mean_all": agg.mean_all, "position": position,
                 "aggregate": p.aggregate}))
        entries += [RankedEntry(e.application_id, None, None, False, "无评委签署的路演评分，未晋级",
                                {"scores": [], "position": position}) for e, _, position in unscored]
        return entries

    def _rule(self, scored: int):
        p = self.params
        if p.advance == "top_fraction" and p.advance_fraction is not None:
            quota = math.floor(scored * p.advance_fraction)
            rule = f"{scored}×{p.advance_fraction.normalize():f} 向下取整为 {quota} 名，并列者一并晋级"
            return lambda rank, value: ((True, f"进入前 {quota} 名（{rule}），晋级") if rank <= quota
                                        else (False, f"未进入前 {quota} 名（{rule}），未晋级"))
        if p.advance == "min_score" and p.min_score is not None:
            line = f"{p.min_score.normalize():f} 分"
            return lambda rank, value: ((True, f"达到 {line}，晋级") if value >= Decimal(p.min_score)
                                        else (False, f"未达到 {line}，未晋级"))
        return lambda rank, value: (True, "通过路演答辩，晋级")
