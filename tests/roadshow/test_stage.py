"""The `roadshow` stage kind on its own: ranking by live scores only, ties, advance rules."""

from decimal import Decimal

import pytest

from jinxuan.pipeline.engine import Entrant, RankedEntry, StageContext, StageResult, implementation

D = Decimal


def run(data, params=None, earlier=None, ids=None):
    ids = ids or sorted(data)
    entrants = [Entrant(i, "t") for i in ids]
    context = StageContext("c", earlier=earlier or {}, data={"roadshow": data})
    return implementation("roadshow")("roadshow", params or {}).run(entrants, context)


def by_id(result):
    return {e.application_id: e for e in result.entries}


DATA = {
    1: {"scores": ["80", "90", "85"], "position": 3},  # trimmed 85, mean 85
    2: {"scores": ["95", "60", "85", "86"], "position": 1},  # trimmed 85.5
    3: {"scores": ["70", "75", "72"], "position": 2},  # 72
    4: {"scores": ["88", "82", "85"], "position": 4},  # trimmed 85, mean 85 → tied with 1
}


def test_ranks_by_the_trimmed_aggregate_and_ties_share_a_rank():
    result = run(DATA)
    e = by_id(result)
    assert [x.application_id for x in result.entries] == [2, 1, 4, 3]  # tied 1 and 4 in presentation order
    assert (e[2].rank, e[1].rank, e[4].rank, e[3].rank) == (1, 2, 2, 4)
    assert e[2].score == D("85.5") and e[1].score == e[4].score == D(85)
    assert "并列" in e[1].reason and "并列" not in e[2].reason
    assert e[2].detail["dropped_high"] == 0 and e[2].detail["dropped_low"] == 1
    assert all(x.advanced for x in result.entries)  # advance: all (000's default)


def test_mean_of_all_scores_breaks_an_aggregate_tie():
    data = {5: {"scores": ["60", "80", "80", "80", "99"], "position": 1},  # trimmed 80, mean 79.8
            6: {"scores": ["70", "80", "80", "80", "90"], "position": 2}}  # trimmed 80, mean 80
    e = by_id(run(data))
    assert (e[6].rank, e[5].rank) == (1, 2)


def test_earlier_stage_scores_do_not_count():
    composite = StageResult("composite", "composite", tuple(
        RankedEntry(i, r, D(s), True) for i, r, s in [(3, 1, "99"), (4, 2, "90"), (1, 3, "80"), (2, 4, "10")]),
        {}, "x")
    plain = run(DATA)
    with_earlier = run(DATA, earlier={"composite": composite, "expert_review": composite})
    assert [(x.application_id, x.rank, x.score) for x in with_earlier.entries] == \
           [(x.application_id, x.rank, x.score) for x in plain.entries]


def test_refuses_to_mix_in_earlier_scores():
    with pytest.raises(ValueError, match="不计入"):
        run(DATA, {"earlier_scores_count": True})


def test_an_entrant_without_signed_scores_does_not_advance():
    e = by_id(run({**DATA, 9: {"scores": [], "position": 5}}))
    assert e[9].rank is None and not e[9].advanced and "无评委签署" in e[9].reason


def test_top_fraction_includes_ties_at_the_cut():
    result = run(DATA, {"advance": "top_fraction", "advance_fraction": "0.5"})  # floor(4 × 0.5) = 2
    assert result.advanced == {2, 1, 4}
    assert "未进入前 2 名" in by_id(result)[3].reason


def test_min_score():
    result = run(DATA, {"advance": "min_score", "min_score": "85"})
    assert result.advanced == {1, 2, 4}
    assert "未达到 85 分" in by_id(result)[3].reason


def test_median_aggregate():
    e = by_id(run(DATA, {"aggregate": "median"}))
    assert e[2].score == D("85.5") and e[3].score == D(72)
