"""Django-free. The `publicity` (结果公示) stage kind. Pure: no Django.

Entrants are every entry listed during the publicity: the list as published, the replacements (顺位递补), and
the entries removed by an upheld objection. An entry still listed when the publicity closes advances; a removed
one does not and is a disqualification (detail ``disqualified``), so the funnel adds up: entered = the previous
stage's advanced + replacements, advanced = entered − removed. ``context.data[stage_key]`` carries the
publicity record: ``order`` (application ids still listed, in list order, which gives the ranks),
``substitutions`` (the 顺位递补 chain, each {"left", "came_in", "from_rank", "reason", "cause", ...}) and
``period``.
"""

from __future__ import annotations

from jinxuan.pipeline.engine import RankedEntry, StageKind, register

CAUSES = {"objection": "公示异议成立", "inspection": "实地考察未通过"}


@register
class PublicityStage(StageKind):
    kind = "publicity"

    def rank(self, entrants, context):
        data = context.data.get(self.key) or {}
        order = {int(a): i for i, a in enumerate(data.get("order") or [])}
        subs = data.get("substitutions") or []
        came_in = {int(s["came_in"]): s for s in subs if s.get("came_in") is not None}
        left = {int(s["left"]): s for s in subs if s.get("left") is not None}
        removed = [e for e in entrants if e.application_id not in order and e.application_id in left]
        stray = [e.application_id for e in entrants if e.application_id not in order and e.application_id not in left]
        if stray:
            raise ValueError(f"结果公示：申报 {'、'.join(map(str, stray))} 既不在名单中也不在递补记录中")
        people = sorted((e for e in entrants if e.application_id in order), key=lambda e: order[e.application_id])
        entries = []
        for e in removed:
            sub = left[e.application_id]
            why = str(sub.get("reason") or "").strip()
            entries.append(RankedEntry(e.application_id, None, None, False,
                                       "公示期间移出名单，取消资格" + (f"：{why}" if why else ""),
                                       {"disqualified": True, "removed_by": CAUSES.get(sub.get("cause"), "公示期间移出")}))
        for position, e in enumerate(people, start=1):
            sub = came_in.get(e.application_id)
            if sub is None:
                reason, detail = "公示期满，列入名单", {}
            else:
                reason = f"顺位递补（接替申报 {sub['left']}，原排名第 {sub['from_rank']} 名），公示期满"
                detail = {"backfilled_for": sub["left"], "from_rank": sub["from_rank"]}
            entries.append(RankedEntry(e.application_id, position, None, True, reason, detail))
        return entries
