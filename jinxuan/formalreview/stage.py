"""Django-free. The `formal_review` (形式审核) stage kind. Pure: no Django.

Entrants are every submitted application. ``context.data[stage_key]`` = {application id: {"decision": "pass" |
"correction" | "reject" | None, "state": Chinese state label, "reason": the decision's reason, "blocking": n,
"warnings": n, "overridden": n}} (see ``services.stage_data``). An entrant advances when its latest decision is
通过; anything else (rejected, still awaiting correction or a decision when the stage closes) does not. Formal
review gives no score or rank: entries keep the order of submission.
"""

from __future__ import annotations

from jinxuan.pipeline.engine import RankedEntry, StageKind, register

OPEN_AT_CLOSE = {"correction": "形式审核结束时仍待补正，未进入下一阶段", "withdrawn": "申报单位已撤回",
                 None: "形式审核结束时尚未作出结论，未进入下一阶段"}


def _lookup(data, app_id):
    found = data.get(app_id)
    return found if found is not None else data.get(str(app_id))


@register
class FormalReviewStage(StageKind):
    kind = "formal_review"

    def rank(self, entrants, context):
        data = context.data.get(self.key) or {}
        entries = []
        for e in sorted(entrants, key=lambda e: (e.submitted_at, e.application_id)):
            item = _lookup(data, e.application_id) or {}
            decision = item.get("decision")
            detail = {k: item.get(k) for k in ("state", "blocking", "warnings", "overridden") if item.get(k) is not None}
            reason = str(item.get("reason") or "").strip()
            if decision == "pass":
                entries.append(RankedEntry(e.application_id, None, None, True, reason or "形式审核通过", detail))
            elif decision == "reject":
                entries.append(RankedEntry(e.application_id, None, None, False, reason or "形式审核不通过", detail))
            else:
                entries.append(RankedEntry(e.application_id, None, None, False,
                                           reason or OPEN_AT_CLOSE.get(decision, "未进入下一阶段"), detail))
        return entries
