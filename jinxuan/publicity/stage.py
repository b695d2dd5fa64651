"""The `publicity` (结果公示) stage kind. Pure: no Django.

Entrants are the entries still listed when the publicity closes (objection-upheld entries were disqualified
and are no longer entrants; replacements are). Every entrant advances. ``context.data[stage_key]`` carries
the publicity record: ``order`` (application ids in list order, which gives the ranks), ``substitutions``
(the 顺位递补 chain, each {"left", "came_in", "from_rank", "reason", ...}) and ``period``.
"""

from __future__ import annotations

from jinxuan.pipeline.engine import RankedEntry, StageKind, register


@register
class PublicityStage(StageKind):
    kind = "publicity"

    def rank(self, entrants, context):
        data = context.data.get(self.key) or {}
        order = {int(a): i for i, a in enumerate(data.get("order") or [])}
        came_in = {int(s["came_in"]): s for s in data.get("substitutions") or [] if s.get("came_in") is not None}
        people = sorted(entrants, key=lambda e: (order.get(e.application_id, len(order)), e.application_id))
        entries = []
        for position, e in enumerate(people, start=1):
            sub = came_in.get(e.application_id)
            if sub is None:
                reason, detail = "公示期满，列入名单", {}
            else:
                reason = f"顺位递补（接替申报 {sub['left']}，原排名第 {sub['from_rank']} 名），公示期满"
                detail = {"backfilled_for": sub["left"], "from_rank": sub["from_rank"]}
            entries.append(RankedEntry(e.application_id, position, None, True, reason, detail))
        return entries
