"""The composite (综合得分) stage kind: weighted components, tie-breaks, the cut and direct entries."""

import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from jinxuan.outcomes.composite import CompositeStage, quota_for
from jinxuan.pipeline import engine
from jinxuan.pipeline.engine import Entrant, StageContext
from jinxuan.review.stage import ExpertReviewStage

PRESET = Path(__file__).resolve().parents[2] / "presets" / "gz-dianshu-2025.yaml"
DISTRICT = "district_recommended"


def preset_stages():
    return {s["key"]: s for s in yaml.safe_load(PRESET.read_text(encoding="utf-8"))["stages"]}


def expert_scores(value, n=3):
    return {"n": n, "mean": value, "trimmed_mean": value, "median": value, "calibrated": value}


def entrant(i, flags=(), submitted_at=None):
    return Entrant(i, "t", submitted_at if submitted_at is not None else f"2026-03-{i:02d}T10:00:00",
                   frozenset(flags))


def expert_result(entrants, scores):
    """The expert_review StageResult the composite reads, produced by the real stage kind."""
    data = {"expert_review": {i: expert_scores(v) for i, v in scores.items()}}
    return ExpertReviewStage("expert_review", {"advance": "all_scored"}).run(entrants, StageContext("c", data=data))


def params(*, cut=None, tie_break=None, direct=None, vote="as_is", weights=("0.5", "0.5")):
    p = {"components": [{"source": "expert_review", "weight": weights[0]},
                        {"source": "public_vote", "weight": weights[1], "normalise": vote}],
         "cut": cut, "direct_entry_flag": direct}
    if tie_break is not None:
        p["tie_break"] = tie_break
    return p


def run(p, entrants, expert, votes, earlier=True):
    """Expert scores via an earlier StageResult (or context.data when earlier=False), votes via context.data."""
    data = {"public_vote": votes}
    context = StageContext("c", data=data)
    if earlier:
        context.earlier["expert_review"] = expert_result(entrants, expert)
    else:
        data["expert_review"] = expert
    return CompositeStage("composite", p).run(entrants, context)


def by_id(result):
    return {e.application_id: e for e in result.entries}


# --------------------------------------------------------------------------- the 000 preset, by hand

# id: expert mean, votes. Max votes 400, so the vote normalises to votes / 4;
# composite = 0.95 × expert + 0.05 × votes / 4.
EXPERT_000 = {1: 90, 2: 88, 3: 86, 4: 85, 5: 80, 6: 82, 7: 78, 8: 75, 9: 70, 10: 79}
VOTES_000 = {1: 400, 2: 100, 3: 300, 4: 200, 5: 360, 6: 40, 7: 120, 8: 80, 9: 0, 10: 20}
COMPOSITE_000 = {  # hand-computed
    1: "90.5000",  # 85.50 + 5.00
    3: "85.4500",  # 81.70 + 3.75
    2: "84.8500",  # 83.60 + 1.25
    4: "83.2500",  # 80.75 + 2.50
    5: "80.5000",  # 76.00 + 4.50
    6: "78.4000",  # 77.90 + 0.50
    7: "75.6000",  # 74.10 + 1.50
    10: "75.3000",  # 75.05 + 0.25, district-recommended
    8: "72.2500",  # 71.25 + 1.00
    9: "66.5000",  # 66.50 + 0.00
}


def test_gz_dianshu_2025_by_hand():
    stage = preset_stages()["composite"]
    assert stage["kind"] == "composite"
    entrants = [entrant(i, {DISTRICT} if i == 10 else ()) for i in EXPERT_000]
    result = run(stage["params"], entrants, EXPERT_000, VOTES_000)
    assert [(e.application_id, str(e.score)) for e in result.entries] == list(COMPOSITE_000.items())
    assert [e.rank for e in result.entries] == list(range(1, 11))
    # floor(10 × 30 %) = 3 through the quota, plus the district-recommended case ranked 8th
    assert result.advanced == {1, 3, 2, 10}
    entries = by_id(result)
    assert entries[1].reason == ("综合得分 90.5000（专业评审 90.00×0.95 + 网络投票 100.00×0.05）；"
                                 "第 1 名，前 30%（10×30%=3，向下取整为 3 名）晋级")
    assert entries[4].reason == ("综合得分 83.2500（专业评审 85.00×0.95 + 网络投票 50.00×0.05）；"
                                 "第 4 名，未进入前 30%（10×30%=3，向下取整为 3 名），未晋级")
    assert entries[10].rank == 8
    assert "区级政府推荐，直接进入路演答辩" in entries[10].reason
    assert entries[10].detail["advanced_by"] == "direct_entry"
    vote = entries[2].detail["components"][1]
    assert (vote["raw"], vote["normalised"], vote["max"], vote["origin"]) == (
        Decimal(100), Decimal("25.0000"), Decimal(400), "data")
    assert entries[2].detail["components"][0]["origin"] == "earlier"
    assert all(e.detail["quota"] == 3 for e in result.entries)


def test_through_run_pipeline_after_a_real_expert_review(monkeypatch):
    monkeypatch.setitem(engine.REGISTRY, "expert_review", ExpertReviewStage)
    monkeypatch.setitem(engine.REGISTRY, "composite", CompositeStage)
    stages = preset_stages()
    entrants = [entrant(i, {DISTRICT} if i == 10 else ()) for i in [*EXPERT_000, 11]]
    # context.data["expert_review"] holds the expert stage's own per-aggregate input (not numbers):
    # the composite reads the expert aggregate from the earlier StageResult instead. 11 was never scored.
    votes = {str(i): v for i, v in VOTES_000.items()} | {"11": 5000}
    context = StageContext("gz-dianshu-2025", data={
        "expert_review": {i: expert_scores(v) for i, v in EXPERT_000.items()}, "public_vote": votes})
    results = engine.run_pipeline(
        [(key, stages[key]["kind"], stages[key]["params"]) for key in ("expert_review", "composite")],
        entrants, context)
    assert results[0].advanced == set(EXPERT_000)
    composite = results[1]
    assert composite.kind == "composite" and context.earlier["composite"] is composite
    # 11 did not reach the composite, so its 5000 votes do not set the max
    assert [(e.application_id, str(e.score)) for e in composite.entries] == list(COMPOSITE_000.items())
    assert composite.advanced == {1, 2, 3, 10}
    assert composite.to_json()["entries"][0]["score"] == "90.5000"


# --------------------------------------------------------------------------- the quota


@pytest.mark.parametrize(("rounding", "quota"), [("floor", 7), ("round", 8), ("ceil", 8)])
def test_rounding_of_the_quota_on_25_entrants(rounding, quota):
    entrants = [entrant(i) for i in range(1, 26)]
    expert = {i: 100 - i for i in range(1, 26)}
    votes = {i: 100 - i for i in range(1, 26)}
    result = run(params(cut={"fraction": "0.3", "rounding": rounding}), entrants, expert, votes)
    assert quota_for(25, Decimal("0.3"), rounding) == quota
    assert result.advanced == set(range(1, quota + 1))
    label = {"floor": "向下取整", "round": "四舍五入", "ceil": "向上取整"}[rounding]
    assert f"前 30%（25×30%=7.5，{label}为 {quota} 名）晋级" in by_id(result)[1].reason


def test_quota_rounding_edges():
    assert quota_for(10, Decimal("0.3"), "floor") == 3  # exact decimal arithmetic: no 2.999…
    assert quota_for(3, Decimal("0.1"), "floor") == 0
    assert quota_for(3, Decimal("0.1"), "ceil") == 1
    assert quota_for(5, Decimal("0.5"), "round") == 3  # 2.5 rounds half up
    assert quota_for(0, Decimal("0.3"), "ceil") == 0


def tied_at_cut(policy):
    # composites: 1 → 90, then 2, 3, 4, 5 all 70 (expert 80/75/70/65 against votes), 6..10 lower.
    # Quota = floor(10 × 0.3) = 3: places 3, 4 and 5 share the composite of the 3rd.
    expert = {1: 90, 2: 80, 3: 75, 4: 70, 5: 65, 6: 60, 7: 50, 8: 40, 9: 30, 10: 20}
    votes = {1: 90, 2: 60, 3: 65, 4: 70, 5: 75, 6: 60, 7: 50, 8: 40, 9: 30, 10: 20}
    entrants = [entrant(i) for i in range(1, 11)]
    return run(params(cut={"fraction": "0.3", "ties_at_cut": policy}), entrants, expert, votes)


def test_ties_at_the_cut_include_all():
    result = tied_at_cut("include_all")
    assert [str(e.score) for e in result.entries[:5]] == ["90.0000"] + ["70.0000"] * 4
    assert result.advanced == {1, 2, 3, 4, 5}
    entries = by_id(result)
    assert entries[4].detail["advanced_by"] == "tie_at_cut" and entries[4].detail["tie_extra"] == 2
    assert "综合得分与第 3 名相同，按并列规则一并晋级（前 30%：10×30%=3，向下取整为 3 名；因并列超出名额 2 名）" \
        in entries[4].reason
    assert not entries[6].advanced


def test_ties_at_the_cut_tie_break_is_exact():
    result = tied_at_cut("tie_break")
    # the tie-break (expert score, higher first) orders the four tied at 70: 2 (80), 3 (75), 4, 5
    assert [e.application_id for e in result.entries[:5]] == [1, 2, 3, 4, 5]
    assert [e.rank for e in result.entries[:5]] == [1, 2, 3, 4, 5]
    assert result.advanced == {1, 2, 3}
    assert "按同分排序（专业评审、提交时间、申报编号）位于名额之外" in by_id(result)[4].reason
    assert "tie_extra" not in by_id(result)[4].detail


def test_tie_break_by_expert_then_submitted_at_with_competition_ranks():
    # all composites equal (70); expert decides first, then the earlier submission; 4 and 5 tie on everything
    expert = {1: 60, 2: 80, 3: 80, 4: 70, 5: 70, 6: 70}
    votes = {1: 80, 2: 60, 3: 60, 4: 70, 5: 70, 6: 70}
    entrants = [entrant(1), entrant(2, submitted_at="2026-04-01T09:00:00"),
                entrant(3, submitted_at="2026-03-01T09:00:00"), entrant(4, submitted_at="2026-03-05T09:00:00"),
                entrant(5, submitted_at="2026-03-05T09:00:00"), entrant(6, submitted_at="2026-03-02T09:00:00")]
    result = run(params(cut={"fraction": "0.5"}), entrants, expert, votes)
    order = [(e.application_id, e.rank) for e in result.entries]
    assert order == [(3, 1), (2, 2), (6, 3), (4, 4), (5, 4), (1, 6)]
    assert result.advanced == {3, 2, 6}
    # ranked by submitted_at alone, the expert score ignored
    only_time = run(params(cut={"fraction": "0.5"}, tie_break=["submitted_at"]), entrants, expert, votes)
    assert [e.application_id for e in only_time.entries] == [3, 1, 6, 4, 5, 2]  # 1 was sent at 10:00
    assert [e.rank for e in only_time.entries] == [1, 2, 3, 4, 4, 6]


def test_unknown_submission_time_sorts_last():
    entrants = [entrant(1, submitted_at=""), entrant(2, submitted_at="2026-04-09T23:00:00")]
    result = run(params(tie_break=["submitted_at"]), entrants, {1: 80, 2: 80}, {1: 80, 2: 80})
    assert [(e.application_id, e.rank) for e in result.entries] == [(2, 1), (1, 2)]


def test_direct_entry_inside_the_quota_counts_in_the_quota():
    entrants = [entrant(i, {DISTRICT} if i == 2 else ()) for i in range(1, 11)]
    scores = {i: 100 - 5 * i for i in range(1, 11)}
    result = run(params(cut={"fraction": "0.3"}, direct=DISTRICT), entrants, scores, scores)
    assert result.advanced == {1, 2, 3}
    entry = by_id(result)[2]
    assert entry.detail["advanced_by"] == "quota" and entry.detail["direct_entry"] is True
    assert "另为区级政府推荐（名次在比例内，计入名额）" in entry.reason


def test_direct_entry_needs_the_configured_flag():
    entrants = [entrant(i, {DISTRICT} if i == 9 else ()) for i in range(1, 11)]
    scores = {i: 100 - 5 * i for i in range(1, 11)}
    assert run(params(cut={"fraction": "0.3"}), entrants, scores, scores).advanced == {1, 2, 3}
    assert run(params(cut={"fraction": "0.3"}, direct=DISTRICT), entrants, scores, scores).advanced == {1, 2, 3, 9}


def test_without_a_cut_everyone_advances():
    entrants = [entrant(i) for i in range(1, 5)]
    result = run(params(), entrants, {1: 50, 2: 60, 3: 70, 4: 80}, {})
    assert result.advanced == {1, 2, 3, 4}
    assert [e.application_id for e in result.entries] == [4, 3, 2, 1]
    assert all(e.reason.endswith("未设晋级比例，全部晋级") for e in result.entries)


# --------------------------------------------------------------------------- missing and degenerate values


def test_missing_vote_counts_as_zero_and_says_so():
    entrants = [entrant(i) for i in range(1, 4)]
    p = params(weights=("0.95", "0.05"), vote="linear_on_max")
    result = run(p, entrants, {1: 80, 2: 80, 3: 80}, {1: 200, 2: 50})
    entries = by_id(result)
    assert [str(entries[i].score) for i in (1, 2, 3)] == ["81.0000", "77.2500", "76.0000"]
    assert entries[3].reason == ("综合得分 76.0000（专业评审 80.00×0.95 + 网络投票 0.00×0.05）；"
                                 "无网络投票数据，按 0 计；第 3 名，未设晋级比例，全部晋级")
    assert entries[3].detail["components"][1]["missing"] is True
    assert entries[3].detail["components"][1]["raw"] is None
    assert "按 0 计" not in entries[1].reason


def test_a_source_with_no_data_at_all_counts_zero_for_everyone():
    entrants = [entrant(1), entrant(2)]
    context = StageContext("c", data={"expert_review": {1: 90, 2: 70}})  # numbers: used as given
    result = CompositeStage("composite", params(weights=("0.95", "0.05"))).run(entrants, context)
    assert [str(e.score) for e in result.entries] == ["85.5000", "66.5000"]
    assert all("无网络投票数据，按 0 计" in e.reason for e in result.entries)
    assert result.entries[0].detail["components"][1]["origin"] == "none"
    assert result.entries[0].detail["components"][0]["origin"] == "data"


def test_linear_on_max_with_all_votes_zero():
    entrants = [entrant(i) for i in range(1, 4)]
    p = params(weights=("0.95", "0.05"), vote="linear_on_max")
    result = run(p, entrants, {1: 90, 2: 80, 3: 70}, {1: 0, 2: 0, 3: 0})
    assert [str(e.score) for e in result.entries] == ["85.5000", "76.0000", "66.5000"]
    assert all(e.detail["components"][1]["normalised"] == 0 for e in result.entries)
    assert all(e.detail["components"][1]["max"] == 0 for e in result.entries)
    assert not any("按 0 计" in e.reason for e in result.entries)  # zero votes are data, not missing


def test_composite_rounds_half_up_to_four_places():
    # votes 1, 3 and max 3: 33.33333… → 33.3333 (normalised), composite 0.5 × 33.3333 + 0.5 × 0.0001
    entrants = [entrant(1), entrant(2)]
    result = run(params(vote="linear_on_max"), entrants, {1: "0.0001", 2: 0}, {1: 1, 2: 3})
    entries = by_id(result)
    assert entries[1].detail["components"][1]["normalised"] == Decimal("33.3333")
    assert entries[1].score == Decimal("16.6667")  # 16.66670 exactly
    assert "网络投票 33.3333×0.5" in entries[1].reason
    half = run(params(), [entrant(1)], {1: "0.0001"}, {1: 0})
    assert half.entries[0].score == Decimal("0.0001")  # 0.00005 rounds half up


def test_string_keys_and_bad_values():
    entrants = [entrant(1), entrant(2)]
    result = run(params(), entrants, {1: 80, 2: 80}, {"1": "60", "2": 70})
    assert [e.application_id for e in result.entries] == [2, 1]
    with pytest.raises(ValueError, match="数值"):
        run(params(), entrants, {1: 80, 2: 80}, {1: "many", 2: 70})
    with pytest.raises(ValueError, match="申报编号"):
        run(params(), entrants, {1: 80, 2: 80}, {"abc": 1, 2: 70})


def test_params_are_validated():
    with pytest.raises(ValueError):
        CompositeStage("composite", params(weights=("0.5", "0.6")))


# --------------------------------------------------------------------------- properties

scores = st.integers(0, 20).map(lambda v: Decimal(v) * 5)  # coarse, so that ties are common


@st.composite
def cases(draw):
    n = draw(st.integers(0, 25))
    ids = draw(st.lists(st.integers(1, 500), min_size=n, max_size=n, unique=True))
    entrants = [
        Entrant(i, "t", draw(st.sampled_from(["", "2026-03-01", "2026-03-02", "2026-03-03"])),
                frozenset({DISTRICT}) if draw(st.booleans()) and draw(st.booleans()) else frozenset())
        for i in ids
    ]
    expert = {i: draw(scores) for i in ids}
    votes = {i: draw(st.integers(0, 50)) for i in ids if draw(st.integers(0, 5))}  # some missing
    cut = {"fraction": draw(st.sampled_from(["0.1", "0.25", "0.3", "0.5", "1"])),
           "rounding": draw(st.sampled_from(["floor", "round", "ceil"])),
           "ties_at_cut": draw(st.sampled_from(["include_all", "tie_break"]))}
    p = params(cut=cut, direct=DISTRICT, weights=("0.95", "0.05"), vote="linear_on_max")
    return p, entrants, expert, votes, draw(st.randoms(use_true_random=False))


@settings(max_examples=150, deadline=None)
@given(cases())
def test_properties(case):
    p, entrants, expert, votes, rnd = case
    result = run(p, entrants, expert, votes)
    entries = result.entries
    n = len(entrants)
    quota = quota_for(n, Decimal(p["cut"]["fraction"]), p["cut"]["rounding"])
    assert len(entries) == n

    ranks = [e.rank for e in entries]
    assert ranks == sorted(ranks)
    assert all(r == i + 1 or r == ranks[i - 1] for i, r in enumerate(ranks))  # competition ranks
    assert [e.score for e in entries] == sorted((e.score for e in entries), reverse=True)

    direct_outside = sum(1 for e in entries[quota:] if DISTRICT in next(
        x.flags for x in entrants if x.application_id == e.application_id))
    if p["cut"]["ties_at_cut"] == "tie_break":
        assert len(result.advanced) == quota + direct_outside
        assert all(e.advanced for e in entries[:quota])
    else:
        last = entries[quota - 1].score if quota else None
        tied = sum(1 for e in entries[quota:] if e.score == last)
        assert len(result.advanced) >= quota + direct_outside
        assert {e.application_id for e in entries[:quota]} <= result.advanced
        assert sum(1 for e in entries if e.detail["advanced_by"] == "tie_at_cut") == tied
    for e in entries:
        assert e.detail["composite"] == e.score
        assert e.score == sum((Decimal(c["weight"]) * c["normalised"] for c in e.detail["components"]),
                              Decimal(0)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        assert ("无网络投票数据，按 0 计" in e.reason) == (e.application_id not in votes)

    # invariant to the order of the entrants, through run (which sorts) and rank itself
    shuffled = list(entrants)
    rnd.shuffle(shuffled)
    again = run(p, shuffled, expert, votes)
    assert again.to_json() == result.to_json()
    context = StageContext("c", data={"public_vote": votes})
    context.earlier["expert_review"] = expert_result(entrants, expert)
    stage = CompositeStage("composite", p)
    assert stage.rank(shuffled, context) == stage.rank(sorted(entrants, key=lambda e: -e.application_id), context)


def test_a_random_field_of_100_is_stable():
    rnd = random.Random(7)
    entrants = [entrant(i, {DISTRICT} if rnd.random() < 0.1 else ()) for i in range(1, 101)]
    expert = {i: rnd.randint(60, 95) for i in range(1, 101)}
    votes = {i: rnd.randint(0, 3000) for i in range(1, 101)}
    p = preset_stages()["composite"]["params"]
    result = run(p, entrants, expert, votes)
    inside = {e.application_id for e in result.entries[:30]}
    direct = {e.application_id for e in entrants if DISTRICT in e.flags}
    assert result.advanced == inside | direct
