from decimal import Decimal

from jinxuan.pipeline.engine import Entrant, StageContext, implementation


def run(params, data, n=5):
    entrants = [Entrant(i, "t", f"2025-01-0{i}") for i in range(1, n + 1)]
    return implementation("expert_review")("expert_review", params).run(
        entrants, StageContext("c", data={"expert_review": data}))


def s(value, n=3, calibrated=None):
    return {"n": n, "mean": value, "trimmed_mean": value, "median": value,
            "calibrated": value if calibrated is None else calibrated}


def test_ranks_by_the_preset_aggregate_and_unscored_do_not_advance():
    data = {1: s(80, calibrated=70), 2: s(75, calibrated=90), 3: s(90, calibrated=60), 4: s(70, calibrated=70)}
    result = run({"aggregate": "calibrated"}, data)
    ranks = {e.application_id: (e.rank, e.advanced) for e in result.entries}
    assert ranks == {2: (1, True), 1: (2, True), 4: (2, True), 3: (4, True), 5: (None, False)}
    assert run({"aggregate": "mean"}, data).entries[0].application_id == 3
    assert result.entries[-1].reason == "未获专家评分"


def test_top_fraction_and_min_score():
    data = {i: s(100 - 10 * i) for i in range(1, 6)}
    top = run({"advance": "top_fraction", "advance_fraction": "0.4"}, data)
    assert top.advanced == {1, 2}
    floor = run({"advance": "min_score", "min_score": "65"}, data)
    assert floor.advanced == {1, 2, 3}
    assert floor.entries[0].score == Decimal("90.0000")
