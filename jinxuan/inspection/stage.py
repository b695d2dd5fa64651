"""Django-free. The `site_inspection` (实地考察) stage kind. Pure (no Django).

``context.data[stage_key]`` carries {"drawn": [application id, ...], "verdicts": {id: {"verdict": "pass" | "fail",
"reason": str}}, "ranks": {id: rank in the frozen roadshow list}} (see ``services.stage_data``). Ids may be ints
or their decimal strings.

* not drawn → advances, "未抽中，免于实地考察";
* drawn, verdict 通过 → advances;
* drawn, verdict 不通过 → does not advance and is a disqualification (detail ``disqualified: True``, with the
  verdict's reason), which ``pipeline.services.apply_result`` turns into 取消资格 rather than 未晋级;
* drawn without a verdict → refused: the stage never decides in an inspector's place.

Entries keep the roadshow order (rank); an entrant missing from the ranks sorts last, by id.
"""

from __future__ import annotations

from jinxuan.pipeline.engine import RankedEntry, StageKind, register

NOT_DRAWN = "未抽中，免于实地考察"


def _by_id(mapping) -> dict[int, object]:
    return {int(k): v for k, v in (mapping or {}).items()}


@register
class SiteInspectionStage(StageKind):
    kind = "site_inspection"

    def rank(self, entrants, context):
        data = context.data.get(self.key) or {}
        drawn = {int(i) for i in data.get("drawn", [])}
        verdicts = _by_id(data.get("verdicts"))
        ranks = _by_id(data.get("ranks"))
        missing = sorted(e.application_id for e in entrants if e.application_id in drawn
                         and (verdicts.get(e.application_id) or {}).get("verdict") not in ("pass", "fail"))
        if missing:
            raise ValueError(f"实地考察：申报 {'、'.join(map(str, missing))} 被抽中但尚无考察结论")
        ordered = sorted(entrants, key=lambda e: (ranks.get(e.application_id) is None,
                                                  ranks.get(e.application_id) or 0, e.application_id))
        entries = []
        for e in ordered:
            rank = ranks.get(e.application_id)
            if e.application_id not in drawn:
                entries.append(RankedEntry(e.application_id, rank, None, True, NOT_DRAWN, {"drawn": False}))
                continue
            v = verdicts[e.application_id]
            reason = str(v.get("reason") or "").strip()
            if v["verdict"] == "pass":
                entries.append(RankedEntry(e.application_id, rank, None, True,
                                           "实地考察通过" + (f"：{reason}" if reason else ""),
                                           {"drawn": True, "verdict": "pass", "verdict_reason": reason}))
            else:
                entries.append(RankedEntry(e.application_id, rank, None, False,
                                           "实地考察不通过，取消资格" + (f"：{reason}" if reason else ""),
                                           {"drawn": True, "verdict": "fail", "disqualified": True,
                                            "verdict_reason": reason}))
        return entries
