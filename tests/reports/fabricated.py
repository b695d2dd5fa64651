"""Stage results made by the real stage kinds (expert_review, composite) plus one of a kind the report does not know."""

from jinxuan.formalreview.stage import FormalReviewStage
from jinxuan.outcomes.composite import CompositeStage
from jinxuan.pipeline.engine import Entrant, StageContext
from jinxuan.reports import tables as T
from jinxuan.review.stage import ExpertReviewStage
from jinxuan.voting.stage import PublicVoteStage

STAGES = [
    T.Stage("formal_review", "formal_review", "形式审核"),
    T.Stage("expert_review", "expert_review", "专业评审（闭门）"),
    T.Stage("public_vote", "public_vote", "网络投票"),
    T.Stage("composite", "composite", "综合得分"),
    T.Stage("roadshow", "roadshow", "路演答辩"),
    T.Stage("site_inspection", "site_inspection", "实地考察"),
]
# expert means by application id; 6 has no score at all
MEANS = {1: "91.5", 2: "88", 3: "80.25", 4: "75", 5: "62"}
VOTES = {1: 40, 2: 100, 3: 10, 4: 0, 5: 25}
DIRECT = 5  # district-recommended, ranked outside the quota
COMPOSITE_PARAMS = {
    "components": [{"source": "expert_review", "weight": "0.95"},
                   {"source": "public_vote", "weight": "0.05", "normalise": "linear_on_max"}],
    "cut": {"fraction": "0.3", "rounding": "floor"},
    "direct_entry_flag": "district_recommended",
}


def entrants(ids):
    return [Entrant(i, "t1" if i % 2 else "t2", f"2025-05-0{i}T10:00:00+08:00",
                    frozenset({"district_recommended"}) if i == DIRECT else frozenset()) for i in ids]


def expert_result(ids=range(1, 7)):
    """ids: six application ids, standing for 1..6 of MEANS."""
    ids = list(ids)
    data = {ids[i - 1]: {"n": 3, "mean": m, "trimmed_mean": m, "median": m, "calibrated": m} for i, m in MEANS.items()}
    people = [Entrant(a, e.track, e.submitted_at, e.flags) for a, e in zip(ids, entrants(range(1, 7)), strict=True)]
    return ExpertReviewStage("expert_review", {"advance": "all_scored"}).run(
        people, StageContext("gz", data={"expert_review": data}))


def vote_result(expert):
    people = entrants(sorted(expert.advanced))
    return PublicVoteStage("public_vote", {}).run(people, StageContext("gz", data={"public_vote": VOTES}))


def composite_result(expert, vote):
    context = StageContext("gz", earlier={"expert_review": expert, "public_vote": vote})
    return CompositeStage("composite", COMPOSITE_PARAMS).run(entrants(sorted(expert.advanced)), context)


def roadshow_json(ids):
    """A kind built elsewhere: detail keys the report has never seen, one of them naming people."""
    entries = []
    for rank, i in enumerate(ids, 1):
        entries.append({"application_id": i, "rank": rank, "score": f"{90 - rank * 3}.50", "advanced": rank <= 2,
                        "reason": f"路演得分第 {rank} 名", "detail": {
                            "panel": 7, "trimmed_mean": f"{90 - rank * 3}.50", "impression": "表现突出" if rank == 1 else "一般",
                            "judge_names": ["王真名", "李真名"], "scores": {"评委01": 91, "评委02": "88.5"}}})
    return {"stage_key": "roadshow", "kind": "roadshow", "entries": entries, "params": {"aggregate": "trimmed_mean"},
            "inputs_digest": "x" * 64}


APPS = {i: T.AppInfo(i, f"GD2025-{i:04d}", f"案例{i}", "赛道一" if i % 2 else "赛道二", f"单位{i}") for i in range(1, 9)}
FORMAL = {i: {"decision": "pass", "state": "评审中", "reason": "", "blocking": 0, "warnings": 1} for i in range(1, 7)} | {
    7: {"decision": "reject", "state": "形式审核未通过", "reason": "缺少营业执照", "blocking": 2, "warnings": 0},
    8: {"decision": "correction", "state": "待补正", "reason": "请补充授权书", "blocking": 1, "warnings": 0},
}


def formal_preview():
    """The open formal review as its registered preview gives it: 8 still awaits its correction."""
    result = FormalReviewStage("formal_review", {}).run(
        entrants(range(1, 9)), StageContext("gz", data={"formal_review": FORMAL})).to_json()
    for e in result["entries"]:
        e["pending"] = e["application_id"] == 8
    return result


def all_runs():
    expert = expert_result()
    vote = vote_result(expert)
    composite = composite_result(expert, vote)
    advanced = sorted(composite.advanced)
    return {
        "expert_review": T.Run(expert.to_json()),
        "public_vote": T.Run(vote.to_json()),
        "composite": T.Run(composite.to_json()),
        "roadshow": T.Run(roadshow_json(advanced), final=False),
    }


def build():
    return T.build_tables(STAGES, all_runs(), APPS, {"formal_review": T.Live("open", preview=formal_preview())})
