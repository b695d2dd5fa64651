from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from jinxuan.campaigns.schema import AwardScheme
from jinxuan.outcomes.awards import Award, AwardResult, Entry, assign, assign_special, top_n

PRESETS = Path(__file__).resolve().parents[2] / "presets"

SCHEME_000 = AwardScheme.model_validate(
    {
        "tiers": [
            {"key": "first", "name": "一等奖", "count": 1, "per_track": True},
            {"key": "second", "name": "二等奖", "count": 3, "per_track": True},
            {"key": "third", "name": "三等奖", "count": 3, "per_track": True},
            {"key": "merit", "name": "优秀奖", "per_track": True},
        ],
        "special": [
            {"key": "tech_innovation", "name": "技术创新奖"},
            {"key": "social_value", "name": "社会价值奖"},
            {"key": "best_practice", "name": "最佳实践奖", "count": 2},
        ],
    }
)
TRACKS = {"t1": "第一赛道", "t2": "第二赛道", "t3": "第三赛道", "t4": "第四赛道"}


def track_entries(track, first_id, count, ineligible=()):
    return [
        Entry(first_id + i, track, i + 1, Decimal(90) - i, eligible=(i + 1) not in ineligible)
        for i in range(count)
    ]


def entries_000():
    return [
        *track_entries("t1", 100, 10),  # 1 + 3 + 3 + 3 优秀奖
        *track_entries("t2", 200, 2),  # shortfall
        *track_entries("t3", 300, 8, ineligible={1, 4}),  # 一等奖 moves up, 3 + 3 then 0 优秀奖
        *track_entries("t4", 400, 5, ineligible={5}),  # ineligible outside the prize tiers
    ]


def tiers_of(result, track):
    return [(a.application, a.tier_key, a.position) for a in result.awards if a.track == track]


def test_000_scheme_on_four_tracks():
    result = assign(entries_000(), SCHEME_000, TRACKS)
    assert tiers_of(result, "t1") == [
        (100, "first", 1),
        (101, "second", 2),
        (102, "second", 3),
        (103, "second", 4),
        (104, "third", 5),
        (105, "third", 6),
        (106, "third", 7),
        (107, "merit", 8),
        (108, "merit", 9),
        (109, "merit", 10),
    ]
    assert tiers_of(result, "t2") == [(200, "first", 1), (201, "second", 2)]
    # Ranks 1 and 4 of track 3 disqualified: rank 2 moves up to 一等奖, the rest close up.
    assert tiers_of(result, "t3") == [
        (301, "first", 1),
        (302, "second", 2),
        (304, "second", 3),
        (305, "second", 4),
        (306, "third", 5),
        (307, "third", 6),
    ]
    assert tiers_of(result, "t4") == [
        (400, "first", 1),
        (401, "second", 2),
        (402, "second", 3),
        (403, "second", 4),
    ]
    assert {a.tier_name for a in result.awards} == {"一等奖", "二等奖", "三等奖", "优秀奖"}
    # Order: tier by tier, track by track.
    keys = [a.tier_key for a in result.awards]
    assert keys == sorted(keys, key=["first", "second", "third", "merit"].index)
    assert [a.track for a in result.awards if a.tier_key == "first"] == ["t1", "t2", "t3", "t4"]
    assert len({a.application for a in result.awards}) == len(result.awards)


def test_000_notes_state_shortfalls_and_ineligible():
    notes = assign(entries_000(), SCHEME_000, TRACKS).notes
    assert "第二赛道仅 2 个案例，二等奖空缺 2 个" in notes
    assert "第二赛道仅 2 个案例，三等奖空缺 3 个" in notes
    assert "第三赛道仅 6 个符合获奖条件的案例（另有 2 个不具备获奖资格），三等奖空缺 1 个" in notes
    assert "第四赛道仅 4 个符合获奖条件的案例（另有 1 个不具备获奖资格），三等奖空缺 3 个" in notes
    assert "案例 300（第三赛道第 1 名）不具备获奖资格，未授奖，其后案例依次递补" in notes
    assert "案例 303（第三赛道第 4 名）不具备获奖资格，未授奖，其后案例依次递补" in notes
    assert "案例 404（第四赛道第 5 名）不具备获奖资格，未授奖，其后案例依次递补" in notes
    assert not any("第一赛道" in n for n in notes)
    assert not any("优秀奖" in n for n in notes)  # unlimited tiers never fall short
    assert len(notes) == 7


def test_input_order_does_not_matter_and_keys_used_without_names():
    shuffled = list(reversed(entries_000()))
    with_names = assign(entries_000(), SCHEME_000, TRACKS)
    without = assign(shuffled, SCHEME_000)
    assert sorted(without.awards, key=repr) == sorted(with_names.awards, key=repr)
    assert "t2仅 2 个案例，二等奖空缺 2 个" in without.notes


def test_count_none_tier_takes_all_remaining_eligible_overall():
    scheme = AwardScheme.model_validate({"tiers": [{"key": "excellent_case", "name": "优秀案例"}]})
    entries = [Entry(i, "main", i, eligible=i != 3) for i in range(1, 7)]
    result = assign(entries, scheme)
    assert [(a.application, a.position) for a in result.awards] == [(1, 1), (2, 2), (4, 3), (5, 4), (6, 5)]
    assert result.notes == ["案例 3（总榜第 3 名）不具备获奖资格，未授奖，其后案例依次递补"]


def test_overall_tiers_with_counts_and_shortfall():
    scheme = AwardScheme.model_validate(
        {
            "tiers": [
                {"key": "gold", "name": "金奖", "count": 2},
                {"key": "silver", "name": "银奖", "count": 3},
            ]
        }
    )
    entries = [Entry(10 + r, "a" if r % 2 else "b", r) for r in range(1, 5)]
    result = assign(entries, scheme)
    assert [(a.application, a.tier_key, a.position) for a in result.awards] == [
        (11, "gold", 1),
        (12, "gold", 2),
        (13, "silver", 3),
        (14, "silver", 4),
    ]
    assert result.notes == ["总榜仅 4 个案例，银奖空缺 1 个"]


def test_mixed_scheme_overall_tier_interleaves_tracks_by_rank_then_score():
    scheme = AwardScheme.model_validate(
        {
            "tiers": [
                {"key": "first", "name": "一等奖", "count": 1, "per_track": True},
                {"key": "honour", "name": "荣誉奖", "count": 3},
            ]
        }
    )
    entries = [
        Entry(1, "a", 1, Decimal(95)),
        Entry(2, "a", 2, Decimal(80)),
        Entry(3, "a", 3, Decimal(79)),
        Entry(4, "b", 1, Decimal(90)),
        Entry(5, "b", 2, Decimal(85)),
        Entry(6, "b", 3, Decimal(70)),
    ]
    result = assign(entries, scheme, {"a": "甲", "b": "乙"})
    assert [(a.application, a.tier_key) for a in result.awards] == [
        (1, "first"),
        (4, "first"),
        (5, "honour"),  # rank 2, higher score
        (2, "honour"),
        (3, "honour"),  # rank 3, higher score than 6
    ]


def test_scheme_and_input_validation():
    bad = AwardScheme.model_validate(
        {"tiers": [{"key": "merit", "name": "优秀奖"}, {"key": "first", "name": "一等奖", "count": 1}]}
    )
    with pytest.raises(ValueError, match="不限名额，须为最后一个奖项"):
        assign([Entry(1, "a", 1)], bad)
    with pytest.raises(ValueError, match="名次同为第 1 名"):
        assign([Entry(1, "t1", 1), Entry(2, "t1", 1)], SCHEME_000, TRACKS)
    assign([Entry(1, "t1", 1), Entry(2, "t2", 1)], SCHEME_000, TRACKS)  # per track: fine
    with pytest.raises(ValueError, match="出现多次"):
        assign([Entry(1, "t1", 1), Entry(1, "t2", 1)], SCHEME_000)
    with pytest.raises(ValueError, match="不在赛道列表中"):
        assign([Entry(1, "t9", 1)], SCHEME_000, TRACKS)
    with pytest.raises(ValueError, match="名次必须是正整数"):
        assign([Entry(1, "t1", 0)], SCHEME_000)


@pytest.mark.parametrize("preset", sorted(PRESETS.glob("*.yaml")), ids=lambda p: p.stem)
def test_preset_schemes_assign(preset):
    scheme = AwardScheme.model_validate(yaml.safe_load(preset.read_text(encoding="utf-8"))["awards"])
    entries = [Entry(i, "x" if i % 2 else "y", (i + 1) // 2) for i in range(1, 9)]
    if not any(t.per_track for t in scheme.tiers):
        entries = [Entry(i, "x", i) for i in range(1, 9)]
    result = assign(entries, scheme)
    assert sorted(a.application for a in result.awards) == list(range(1, 9))
    assert result.notes == []


# --- special awards -------------------------------------------------------------------------


def regular():
    return assign(entries_000(), SCHEME_000, TRACKS)


def test_special_awards_valid_choices():
    result = assign_special(
        regular(), {"tech_innovation": 107, "best_practice": [301, 200], "social_value": 403}, SCHEME_000
    )
    assert result.awards == [
        Award(107, "tech_innovation", "技术创新奖", "t1", 1),
        Award(403, "social_value", "社会价值奖", "t4", 1),
        Award(301, "best_practice", "最佳实践奖", "t3", 1),
        Award(200, "best_practice", "最佳实践奖", "t2", 2),
    ]
    assert result.notes == []


def test_special_awards_unchosen_are_noted():
    result = assign_special(regular().awards, {"tech_innovation": 100}, SCHEME_000)
    assert [a.application for a in result.awards] == [100]
    assert result.notes == ["特别奖项「社会价值奖」未授予", "特别奖项「最佳实践奖」未授予"]


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({"green_award": 100}, "未知的特别奖项 'green_award'"),
        ({"tech_innovation": 300}, "案例 300 未获得常规奖项，不能授予「技术创新奖」"),  # disqualified
        ({"tech_innovation": 999}, "未获得常规奖项"),
        ({"tech_innovation": [100, 101]}, "「技术创新奖」只能授予 1 个案例"),
        ({"best_practice": [100, 101, 102]}, "「最佳实践奖」只能授予 2 个案例"),
        ({"best_practice": [100, 100]}, "重复授予同一案例"),
        ({"tech_innovation": 100, "social_value": 100}, "已获「技术创新奖」，每个案例至多获得一个特别奖项"),
    ],
)
def test_special_awards_validation(choices, message):
    with pytest.raises(ValueError, match=message):
        assign_special(regular(), choices, SCHEME_000)


def test_special_award_per_track_limit_and_specials_do_not_qualify():
    data = SCHEME_000.model_dump()
    data["special"] = [data["special"][0], {"key": "track_star", "name": "赛道之星", "per_track": True}]
    scheme = AwardScheme.model_validate(data)
    ok = assign_special(regular(), {"track_star": [100, 200, 301]}, scheme)
    assert [(a.application, a.position) for a in ok.awards] == [(100, 1), (200, 1), (301, 1)]
    with pytest.raises(ValueError, match="每个赛道只能授予 1 个案例"):
        assign_special(regular(), {"track_star": [100, 101]}, scheme)
    # A special award alone does not count as a regular award.
    only_special = AwardResult(awards=[Award(555, "tech_innovation", "技术创新奖", "t1", 1)])
    with pytest.raises(ValueError, match="案例 555 未获得常规奖项"):
        assign_special(only_special, {"track_star": 555}, scheme)


# --- top_n ----------------------------------------------------------------------------------


def test_top_n_exact():
    entries = [Entry(i, "sci", i, Decimal(100 - i)) for i in range(1, 16)]
    result = top_n(reversed(entries), 10, "十大科技金融事件")
    assert [e.application for e in result.selected] == list(range(1, 11))
    assert result.notes == []


def test_top_n_skips_ineligible_and_moves_up():
    entries = [Entry(i, "sci", i, eligible=i not in {2, 5}) for i in range(1, 13)]
    result = top_n(entries, 10)
    assert [e.application for e in result.selected] == [1, 3, 4, 6, 7, 8, 9, 10, 11, 12]
    assert result.notes == []


def test_top_n_shortfall():
    entries = [Entry(i, "sci", i, eligible=i != 4) for i in range(1, 8)]
    result = top_n(entries, 10, "十大科技金融事件")
    assert [e.application for e in result.selected] == [1, 2, 3, 5, 6, 7]
    assert result.notes == [
        "十大科技金融事件仅 6 个符合条件的案例（另有 1 个不具备入选资格），应入选 10 个，空缺 4 个"
    ]
    assert top_n([Entry(1, "x", 1)], 3).notes == ["本榜单仅 1 个符合条件的案例，应入选 3 个，空缺 2 个"]
    assert top_n([], 2).selected == []


def _tied_list():
    """Ranks 1-5 by score (95, 90, 88, 88, 80): places 3 and 4 share 88 with one seat left of a top 3."""
    scores = [95, 90, 88, 88, 80]
    return [Entry(10 + i, "x", i + 1, Decimal(s)) for i, s in enumerate(scores)]


def test_top_n_tie_at_the_last_place_waits_for_the_jury_not_the_submission_time():
    result = top_n(_tied_list(), 3, "十大科技金融事件")
    assert [e.application for e in result.selected] == [10, 11]  # 12 is not taken on its earlier rank
    assert result.tie.pending and result.tie.tied == (12, 13) and result.tie.seats == 1 and result.tie.place == 3
    assert result.notes == ["十大科技金融事件第 3 位起 2 个案例得分同为 88（案例 12、案例 13），争 1 个名额，待评审委员会决定"]


def test_top_n_tie_decided_by_the_jury():
    result = top_n(_tied_list(), 3, "十大科技金融事件", decided=[13])
    assert [e.application for e in result.selected] == [10, 11, 13]
    assert not result.tie.pending and result.tie.chosen == (13,)
    assert result.notes[-1].endswith("由评审委员会决定：案例 13 入选")
    with pytest.raises(ValueError, match="应选定 1 个，实际选了 2 个"):
        top_n(_tied_list(), 3, decided=[12, 13])
    with pytest.raises(ValueError, match="案例 14 不在并列的案例之中"):
        top_n(_tied_list(), 3, decided=[14])


def test_top_n_tie_shown_as_a_tie_when_the_preset_says_so():
    result = top_n(_tied_list(), 3, "十大科技金融事件", tie_rule="shared")
    assert [e.application for e in result.selected] == [10, 11, 12, 13]
    assert result.tie.chosen == (12, 13) and not result.tie.pending
    assert result.notes == ["十大科技金融事件第 3 位起 2 个案例得分同为 88（案例 12、案例 13），争 1 个名额，"
                            "按预设并列入选，本榜单共 4 个"]


def test_top_n_ties_inside_the_list_or_below_it_need_nothing():
    inside = [Entry(i, "x", i, Decimal(s)) for i, s in enumerate([95, 90, 90, 85, 80], start=1)]
    assert top_n(inside, 3).tie is None and [e.application for e in top_n(inside, 3).selected] == [1, 2, 3]
    below = [Entry(i, "x", i, Decimal(s)) for i, s in enumerate([95, 90, 85, 80, 80], start=1)]
    assert top_n(below, 3).tie is None
    exact = [Entry(i, "x", i, Decimal(s)) for i, s in enumerate([95, 90, 90], start=1)]
    assert top_n(exact, 3).tie is None


def test_top_n_validation():
    with pytest.raises(ValueError, match="正整数"):
        top_n([Entry(1, "x", 1)], 0)
    with pytest.raises(ValueError, match="名次同为第 2 名"):
        top_n([Entry(1, "x", 2), Entry(2, "x", 2)], 1)
