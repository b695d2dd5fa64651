"""Replay stored stage results: re-run each stage kind on the inputs stored with its result and compare.

Every `StageRun` keeps, beside its ranking, the exact inputs the stage read (entrants, stage data, the digests of
earlier results) and their SHA-256. Replaying checks both: the stored inputs still hash to the stored digest, and
the stage kind, run again on them, yields the same ranks and the same advanced set. Used after a restore and by
`jinxuan pipeline replay`.
"""

from .engine import Entrant, StageContext, StageResult, digest_of, implementation
from .models import StageRun
from .registry import stage_app


def _entries(result: dict) -> list[tuple]:
    return [(e["application_id"], e["rank"], str(e["score"]) if e["score"] is not None else None, bool(e["advanced"]))
            for e in result["entries"]]


def replay(run: StageRun) -> dict:
    stored = run.result
    inputs = stored.get("inputs") or {}
    app = stage_app(run.kind)
    out = {"campaign": run.campaign.slug, "stage": run.stage_key, "kind": run.kind, "label": app.label if app else run.kind,
           "run": run.pk}
    if not inputs:
        return out | {"same": False, "problem": "该阶段结果未保存输入，无法重算"}
    if digest_of(inputs) != run.inputs_digest:
        return out | {"same": False, "problem": "保存的输入与其摘要不符"}
    earlier = {}
    for key, signature in inputs["earlier"].items():  # exactly the earlier results the stage read, as it read them
        match = [r for r in StageRun.objects.filter(campaign=run.campaign, stage_key=key, pk__lt=run.pk).order_by("-pk")
                 if r.inputs_digest + ":" + ",".join(map(str, sorted(
                     e["application_id"] for e in r.result["entries"] if e["advanced"]))) == signature]
        if not match:
            return out | {"same": False, "problem": f"找不到该阶段读取的前序结果 {key}"}
        earlier[key] = StageResult.from_json(match[0].result)
    context = StageContext(run.campaign.slug, earlier=earlier, data=inputs["data"])
    entrants = [Entrant(application_id=e["application_id"], track=e["track"], submitted_at=e.get("submitted_at", ""),
                        flags=frozenset(e.get("flags", ()))) for e in inputs["entrants"]]  # as stored, not rebuilt
    try:
        again = implementation(run.kind)(run.stage_key, stored["params"]).run(entrants, context)
    except Exception as exc:  # noqa: BLE001 — reported, the caller decides
        return out | {"same": False, "problem": f"重算出错：{type(exc).__name__}: {exc}"}
    same_ranking = _entries(again.to_json()) == _entries(stored)
    same_digest = again.inputs_digest == run.inputs_digest
    problem = "" if same_ranking and same_digest else ("重算排名与保存的不一致" if not same_ranking else "输入摘要不一致")
    return out | {"same": same_ranking and same_digest, "problem": problem}


def replay_all(campaign=None) -> list[dict]:
    runs = StageRun.objects.filter(is_final=True).select_related("campaign").order_by("pk")
    if campaign is not None:
        runs = runs.filter(campaign=campaign)
    return [replay(r) for r in runs]
