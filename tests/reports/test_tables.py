from decimal import Decimal

import pytest

from jinxuan.reports import tables as T

from .fabricated import DIRECT, FORMAL, MEANS, VOTES, build


@pytest.fixture(scope="module")
def tables():
    return {t.stage.key: t for t in build()}


def test_one_table_per_stage_in_order_and_unrun_stages_not_started(tables):
    assert list(tables) == ["formal_review", "expert_review", "public_vote", "composite", "roadshow",
                            "site_inspection"]
    inspection = tables["site_inspection"]
    assert inspection.status == T.NOT_STARTED == "未开始"
    assert (inspection.entered, inspection.advanced, inspection.rows) == (None, None, [])


def test_expert_review_table(tables):
    t = tables["expert_review"]
    assert t.status == "已完成" and t.entered == 6 and t.advanced == 5
    assert [c.label for c in t.columns] == ["评审数", "平均分", "截尾平均分", "中位数", "校准分"]
    first = t.rows[0]
    assert (first.application_id, first.rank, first.score) == (1, 1, Decimal("91.5"))
    assert (first.number, first.title, first.track, first.lead) == ("GD2025-0001", "案例1", "赛道一", "单位1")
    assert first.values["n"] == 3 and first.values["mean"] == Decimal("91.5")
    assert first.why == "平均分 91.5，第 1 名（评审数 3）"
    assert [r.rank for r in t.rows] == [1, 2, 3, 4, 5, None]
    unscored = t.rows[-1]
    assert unscored.application_id == 6 and not unscored.advanced and unscored.why == "未获专家评分"
    assert dict(t.param_items())["晋级方式"] == "全部有评分的申报晋级"


def test_composite_table_flattens_components_and_shows_the_direct_entry(tables):
    t = tables["composite"]
    labels = [c.label for c in t.columns]
    assert labels[0] == "综合得分"
    for wanted in ["专业评审·原始值", "网络投票·原始值", "网络投票·折算分", "网络投票·最高值", "晋级方式",
                   "直接晋级资格", "晋级名额"]:
        assert wanted in labels
    assert not any(label.endswith(("来源阶段", "取值来源", "折算方式")) for label in labels)  # descriptors stay in details
    by_id = {r.application_id: r for r in t.rows}
    direct = by_id[DIRECT]
    assert direct.advanced and direct.values["direct_entry"] is True
    assert direct.values["advanced_by"] == "直接晋级（不占名额）"
    assert direct.values["components.public_vote.raw"] == VOTES[DIRECT]
    assert "区级政府推荐" in direct.why and f"网络投票·原始值 {VOTES[DIRECT]}" in direct.why
    quota = [r for r in t.rows if r.values.get("advanced_by") == "比例内晋级"]
    assert len(quota) == 1 and quota[0].rank == 1  # 5 × 30 % floored
    assert t.advanced == 2 and t.eliminated == 3
    assert ("网络投票·折算方式", "按最高值折算为百分制") in direct.details


def test_the_vote_is_read_from_its_own_run(tables):
    vote = tables["public_vote"]
    assert vote.status == T.DONE
    assert vote.entered == 5 and vote.advanced == 5
    assert [(r.application_id, r.score) for r in vote.rows] == sorted(
        ((i, Decimal(v)) for i, v in VOTES.items()), key=lambda kv: -kv[1])
    assert vote.rows[0].rank == 1
    assert vote.distribution_title == "网络投票票数分布"


def test_an_open_stage_shows_its_preview_with_pending_entries(tables):
    t = tables["formal_review"]
    assert t.status == T.RUNNING and "预览" in t.note
    assert (t.entered, t.advanced, t.eliminated, t.pending) == (len(FORMAL), 6, 1, 1)
    rejected = next(r for r in t.rows if r.application_id == 7)
    assert rejected.why.startswith("缺少营业执照")
    assert rejected.outcome_label == "未晋级"
    assert next(r for r in t.rows if r.application_id == 8).outcome_label == "待定"
    assert T.build_tables([t.stage], {}, {})[0].status == T.NOT_STARTED  # nobody submitted yet
    # a stage that is not open shows no preview, whatever it is given
    assert T.build_tables([t.stage], {}, {}, {"formal_review": T.Live("pending", preview={"entries": []})})[0].status \
        == T.NOT_STARTED


def test_an_unknown_kind_is_shown_generically_and_never_names_people(tables):
    t = tables["roadshow"]
    assert t.status == T.PROVISIONAL
    labels = [c.label for c in t.columns]
    assert labels == ["panel", "截尾平均分", "impression", "评分·评委01", "评分·评委02"]
    first = t.rows[0]
    assert first.values["impression"] == "表现突出" and first.values["panel"] == 7
    assert ("impression", "表现突出") in first.details
    assert "panel 7" in first.why and "截尾平均分" not in first.why  # the score itself is not repeated
    shown = " ".join(f"{k}{v}" for r in t.rows for k, v in r.details) + " ".join(labels)
    assert "真名" not in shown and "judge" not in shown


def test_funnel(tables):
    steps = T.funnel(list(tables.values()))
    assert [(s.name, s.entered, s.advanced) for s in steps] == [
        ("形式审核", 8, 6), ("专业评审（闭门）", 6, 5), ("网络投票", 5, 5), ("综合得分", 5, 2), ("路演答辩", 2, 2),
        ("实地考察", None, None)]
    assert steps[0].pending == 1 and steps[-1].status == "未开始"


def test_histogram_bins_on_a_hundred_point_scale():
    bins = T.histogram([5, 15, 15, 95, 100, 0], advanced=[False, True, False, True, True, False])
    assert len(bins) == 10 and (bins[0].lo, bins[-1].hi) == (0, 100)
    assert [b.count for b in bins] == [2, 2, 0, 0, 0, 0, 0, 0, 0, 2]  # 100 falls in the last bin
    assert [b.advanced for b in bins] == [0, 1, 0, 0, 0, 0, 0, 0, 0, 2]
    assert bins[1].label == "10–20"


def test_histogram_bins_off_the_hundred_point_scale():
    bins = T.histogram([0, 340, 1000])
    assert (bins[0].lo, bins[-1].hi) == (0, 1000) and [b.count for b in bins if b.count] == [1, 1, 1]
    assert bins[3].count == 1  # 300–400
    one = T.histogram([250.5, 250.5])  # a single value: a range around it
    assert sum(b.count for b in one) == 2 and one[0].lo < 250.5 < one[-1].hi
    assert [(b.lo, b.hi, b.count) for b in T.histogram([250, 250])] == [(250, 251, 2)]
    assert T.histogram([]) == []


def test_stage_histogram_and_summary(tables):
    bins = T.stage_histogram(tables["expert_review"])
    assert sum(b.count for b in bins) == len(MEANS)  # the unscored entry is not counted
    assert bins[9].count == 1 and bins[8].count == 2 and bins[7].count == 1 and bins[6].count == 1
    s = T.summary(tables["expert_review"].scores)
    assert s.n == 5 and s.highest == 91.5 and s.lowest == 62 and s.median == 80.25
    assert [tables[k].distribution_title for k in ("expert_review", "public_vote", "composite")] == [
        "专业评审（闭门）得分分布", "网络投票票数分布", "综合得分分布"]


def test_sorting_and_filtering(tables):
    rows = tables["composite"].rows
    by_votes = T.sort_rows(rows, "components.public_vote.raw", descending=True)
    assert [r.values["components.public_vote.raw"] for r in by_votes] == sorted(VOTES.values(), reverse=True)
    by_title = T.sort_rows(rows, "title")
    assert [r.title for r in by_title] == sorted(r.title for r in rows)
    expert = tables["expert_review"].rows
    assert T.sort_rows(expert, "score")[-1].score is None  # empty last, ascending
    assert T.sort_rows(expert, "score", descending=True)[-1].score is None  # and descending
    assert {r.application_id for r in T.filter_rows(rows, True)} == {1, DIRECT}
    assert len(T.filter_rows(rows, False)) == 3 and len(T.filter_rows(rows, None)) == 5


def test_values_and_privacy_rules():
    assert T.scalar("88.5000") == Decimal("88.5") and T.scalar("12") == 12 and T.scalar("2025-05-01") == "2025-05-01"
    assert T.display(Decimal("88.5000")) == "88.5" and T.display(True) == "是" and T.display(None) == "—"
    names = {"expert_review": "专业评审"}
    assert T.hidden("expert_ids", names) and T.hidden("reviewer_email", {}) and T.hidden("decided_by", {})
    assert not T.hidden("expert_review", names) and not T.hidden("expert_pseudonym", {})
    flat = T.flatten({"a": {"b": "1.50"}, "tags": ["x", "y"], "judges": ["张三"]}, {})
    assert flat == [("a.b", "a·b", Decimal("1.50")), ("tags", "tags", "x、y")]


def test_histogram_of_few_whole_numbers_has_one_bin_per_value(tables):
    bins = T.histogram([0, 3, 3, 1], hundred=False)
    assert [(b.lo, b.hi, b.count) for b in bins] == [(0, 1, 1), (1, 2, 1), (2, 3, 0), (3, 4, 2)]
    votes = T.stage_histogram(tables["public_vote"])  # 0..100 votes: not read as a 100-point score
    assert sum(b.count for b in votes) == 5 and votes[0].lo == 0 and votes[-1].hi == max(VOTES.values())
