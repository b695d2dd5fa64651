"""Pure scoring: reading a judge's sheet, the trimmed aggregate and its fewer-than-3 rule."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jinxuan.campaigns.stage_params import RoadshowParams
from jinxuan.roadshow.scoring import aggregate, fmt, missing, read_sheet

D = Decimal


def test_trimmed_mean_drops_one_highest_and_one_lowest():
    agg = aggregate(["80", "92", "70", "85", "88"])
    assert agg.value == D("84.3333")
    assert (agg.scores[agg.dropped_high], agg.scores[agg.dropped_low]) == (D(92), D(70))
    assert sorted(agg.kept) == [D(80), D(85), D(88)]
    assert "去掉一个最高分 92 和一个最低分 70" in agg.rule


def test_equal_extremes_drop_only_one_of_each():
    agg = aggregate(["90", "90", "60", "60", "75"])
    assert agg.dropped_high == 0 and agg.dropped_low == 2
    assert sorted(agg.kept) == [D(60), D(75), D(90)]
    assert agg.value == D(75)


def test_three_scores_keep_the_middle_one():
    agg = aggregate(["70", "99", "81.5"])
    assert agg.value == D("81.5")
    assert agg.kept == (D("81.5"),)


@pytest.mark.parametrize("scores, expected", [(["88"], D(88)), (["80", "91"], D("85.5"))])
def test_fewer_than_three_scores_average_all_and_drop_nothing(scores, expected):
    agg = aggregate(scores)
    assert agg.value == expected
    assert agg.dropped_high is None and agg.dropped_low is None
    assert "不足 3 位" in agg.rule and "不去掉最高分和最低分" in agg.rule


def test_no_scores_no_aggregate():
    assert aggregate([]).value is None


def test_mean_and_median():
    assert aggregate(["70", "80", "96"], "mean").value == D("82")
    assert aggregate(["70", "80", "96", "99"], "median").value == D("88")
    with pytest.raises(ValueError):
        aggregate(["1"], "max")


@given(st.lists(st.integers(min_value=0, max_value=1000), min_size=3, max_size=15))
def test_trimmed_mean_is_the_mean_of_the_sorted_middle(tenths):
    scores = [D(t) / 10 for t in tenths]
    middle = sorted(scores)[1:-1]
    agg = aggregate(scores)
    assert agg.value == (sum(middle) / len(middle)).quantize(D("0.0001"), rounding="ROUND_HALF_UP")
    assert min(scores) <= agg.value <= max(scores)


def test_single_score_sheet():
    sheet = read_sheet([], {"score": "88.5"})
    assert sheet.total == D("88.5") and sheet.errors == {}
    bad = read_sheet([], {"score": "101"})
    assert bad.total is None and "0 到 100" in bad.errors["score"]
    assert read_sheet([], {"score": "88.55"}).errors["score"].endswith("最多保留一位小数")
    kept = read_sheet([], {"score": "八十"})
    assert kept.scores == {"score": "八十"} and "须填写数字" in kept.errors["score"]
    assert missing([], {"score": ""}) == ["得分"]


def test_rubric_sheet_sums_criteria():
    params = RoadshowParams.model_validate({"criteria": [
        {"key": "content", "name": "案例内容", "max_score": 60}, {"key": "answer", "name": "答辩表现", "max_score": 40}]})
    sheet = read_sheet(params.criteria, {"content": "52.5", "answer": "38"})
    assert sheet.total == D("90.5")
    over = read_sheet(params.criteria, {"content": "61", "answer": "38"})
    assert over.total is None and "0 到 60" in over.errors["content"]
    partial = read_sheet(params.criteria, {"content": "50"})
    assert partial.total is None and missing(params.criteria, partial.scores) == ["答辩表现"]


def test_rubric_maxima_must_add_up_to_100():
    with pytest.raises(ValueError, match="满分之和必须为 100"):
        RoadshowParams.model_validate({"criteria": [{"key": "a", "name": "甲", "max_score": 50}]})


def test_fmt():
    assert [fmt(D("88")), fmt(D("88.50")), fmt(D("84.3333")), fmt(None)] == ["88", "88.5", "84.33", "—"]
