from decimal import Decimal

import pytest

from jinxuan.outcomes.backfill import Departure, Ranked, backfill


def ranking(n, tracks=("t",)):
    """Ranks 1..n, scores 100, 99, …; track cycles through `tracks`."""
    return [Ranked(i, i, Decimal(101 - i), tracks[(i - 1) % len(tracks)]) for i in range(1, n + 1)]


def test_one_replacement_per_departure_in_rank_order():
    result = backfill(ranking(10), current=[1, 2, 3], departures=[Departure(2, "实地考察未通过")],
                      stage_label="综合得分")
    [step] = result.substitutions
    assert (step.left, step.came_in, step.from_rank, step.left_rank) == (2, 4, 4, 2)
    assert step.reason == "实地考察未通过" and "综合得分排名第 4 名" in step.note
    assert result.current == {1, 3, 4}


def test_chain_replacement_who_leaves_is_replaced_in_turn():
    first = backfill(ranking(10), [1, 2, 3], [Departure(1, "异议成立")])
    assert first.substitutions[0].came_in == 4
    # the replacement itself is disqualified later; the one who left before may not come back
    second = backfill(ranking(10), first.current, [Departure(4, "异议成立")], ineligible={1})
    assert [(s.left, s.came_in, s.from_rank) for s in second.substitutions] == [(4, 5, 5)]
    # both at once give the same chain
    both = backfill(ranking(10), [1, 2, 3], [Departure(1, "a"), Departure(2, "b")])
    assert [(s.left, s.came_in) for s in both.substitutions] == [(1, 4), (2, 5)]
    assert both.current == {3, 4, 5}


def test_ineligible_and_unranked_entries_are_skipped():
    rows = ranking(6) + [Ranked(7, None, None, "t")]
    result = backfill(rows, [1, 2], [Departure(1, "x")], ineligible={3, 4})
    assert result.substitutions[0].came_in == 5
    # with everyone ranked out of reach, the unranked entry still never comes in
    result = backfill(rows, [1, 2], [Departure(1, "x")], ineligible={3, 4, 5, 6})
    assert result.substitutions[0].came_in is None


def test_no_eligible_entrant_left_is_recorded_not_guessed():
    result = backfill(ranking(3), [1, 2, 3], [Departure(1, "异议成立"), Departure(2, "异议成立")],
                      stage_label="综合得分")
    assert [s.came_in for s in result.substitutions] == [None, None]
    assert all("已无可递补的案例" in s.note for s in result.substitutions)
    assert result.exhausted and result.current == {3}


def test_same_track_takes_the_best_of_the_departing_track():
    rows = ranking(8, tracks=("a", "b"))  # odd ids in a, even in b
    result = backfill(rows, [1, 2, 3, 4], [Departure(2, "x")], same_track=True)
    assert result.substitutions[0].came_in == 6
    assert backfill(rows, [1, 2, 3, 4], [Departure(2, "x")]).substitutions[0].came_in == 5


def test_ties_in_rank_go_to_the_higher_score_then_the_ranking_order():
    rows = [Ranked(1, 1, Decimal(90)), Ranked(2, 2, Decimal(80)), Ranked(3, 2, Decimal(85)), Ranked(4, 2, Decimal(85))]
    assert backfill(rows, [1], [Departure(1, "x")]).substitutions[0].came_in == 3


def test_refuses_a_departure_not_on_the_list_and_duplicate_entries():
    with pytest.raises(ValueError, match="不在当前名单中"):
        backfill(ranking(5), [1, 2], [Departure(4, "x")])
    with pytest.raises(ValueError, match="不在当前名单中"):
        backfill(ranking(5), [1, 2], [Departure(1, "x"), Departure(1, "again")])
    with pytest.raises(ValueError, match="出现多次"):
        backfill([Ranked(1, 1), Ranked(1, 2)], [1], [Departure(1, "x")])
