"""Tests for jinxuan.outcomes.workdays (pure: no database needed)."""

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jinxuan.outcomes.workdays import (
    DEFAULT_START_COUNTS,
    InvalidOverrides,
    Overrides,
    UnknownYear,
    first_counted_day,
    is_working_day,
    publicity_end,
    publicity_period,
    working_days_between,
)

D = date.fromisoformat

# Official 2026 schedule (国务院办公厅 2026 年部分节假日安排), as encoded in chinesecalendar 1.11,
# written out by hand as a calendar: date, weekday, W = working day / - = day off.
# The first test checks that the package (and our module) agree with this table; the other tests
# check our results against end dates derived by hand from it.
NATIONAL_DAY_2026 = """
2026-09-25 Fri -  中秋节 9月25日(五)–27日(日) 放假 (before our window, for completeness)
2026-09-26 Sat -
2026-09-27 Sun -
2026-09-28 Mon W
2026-09-29 Tue W
2026-09-30 Wed W  publication day of the National Day example
2026-10-01 Thu -  国庆节 10月1日(四)–7日(三) 放假调休，共7天；9月20日(日)、10月10日(六) 上班
2026-10-02 Fri -
2026-10-03 Sat -
2026-10-04 Sun -
2026-10-05 Mon -
2026-10-06 Tue -
2026-10-07 Wed -
2026-10-08 Thu W
2026-10-09 Fri W
2026-10-10 Sat W  make-up working day (调休上班)
2026-10-11 Sun -
2026-10-12 Mon W
2026-10-13 Tue W
2026-10-14 Wed W
2026-10-15 Thu W
"""
SPRING_FESTIVAL_2026 = """
2026-02-13 Fri W  publication day of the Spring Festival example
2026-02-14 Sat W  make-up working day (调休上班)
2026-02-15 Sun -  春节 2月15日(日)–23日(一) 放假调休，共9天；2月14日(六)、2月28日(六) 上班
2026-02-16 Mon -
2026-02-17 Tue -
2026-02-18 Wed -
2026-02-19 Thu -
2026-02-20 Fri -
2026-02-21 Sat -
2026-02-22 Sun -
2026-02-23 Mon -
2026-02-24 Tue W
2026-02-25 Wed W
2026-02-26 Thu W
2026-02-27 Fri W
2026-02-28 Sat W  make-up working day (调休上班)
2026-03-01 Sun -
2026-03-02 Mon W
"""


def _calendar_rows(table):
    for line in table.strip().splitlines():
        raw, weekday, mark = line.split()[:3]
        yield raw, weekday, mark == "W"


# A made-up but plausible 2027 table, in the format stored by 「节假日设置」.
# 元旦 1月1日(五)–3日(日)；春节 2月5日(五, 除夕)–13日(六) 放假，2月20日(六) 上班.
TABLE_2027 = {
    "2027": {
        "holidays": ["2027-01-01", *[f"2027-02-{d:02d}" for d in range(5, 14)]],
        "workdays": ["2027-02-20"],
    }
}


@pytest.mark.parametrize(
    "raw, weekday, working", [*_calendar_rows(NATIONAL_DAY_2026), *_calendar_rows(SPRING_FESTIVAL_2026)]
)
def test_package_matches_hand_written_2026_table(raw, weekday, working):
    assert D(raw).strftime("%a") == weekday
    assert chinese_calendar.is_workday(D(raw)) is working
    assert is_working_day(D(raw)) is working


def test_default_convention_counts_the_publication_day():
    assert DEFAULT_START_COUNTS is True


def test_national_day_2026_publication_day_counts():
    # Published Wed 2026-09-30, 7 working days, publication day counts:
    # 9/30 (1); 10/1–10/7 holiday; 10/8 (2), 10/9 (3), Sat 10/10 make-up (4); Sun 10/11 off;
    # 10/12 (5), 10/13 (6), 10/14 (7).
    assert publicity_end(D("2026-09-30"), 7) == D("2026-10-14")
    assert publicity_period(D("2026-09-30"), 7) == (D("2026-09-30"), D("2026-10-14"))


def test_national_day_2026_from_next_day():
    # Same notice, counting from the next day: 10/1–10/7 holiday; 10/8 (1), 10/9 (2),
    # Sat 10/10 (3), 10/12 (4), 10/13 (5), 10/14 (6), 10/15 (7).
    assert publicity_end(D("2026-09-30"), 7, start_counts=False) == D("2026-10-15")
    assert first_counted_day(D("2026-09-30"), start_counts=False) == D("2026-10-08")


def test_spring_festival_2026_publication_day_counts():
    # Published Fri 2026-02-13, 7 working days: 2/13 (1), Sat 2/14 make-up (2); 2/15–2/23 holiday;
    # 2/24 (3), 2/25 (4), 2/26 (5), 2/27 (6), Sat 2/28 make-up (7) — the period ends on a Saturday.
    assert publicity_end(D("2026-02-13"), 7) == D("2026-02-28")


def test_spring_festival_2026_from_next_day():
    # Counting from Sat 2/14 (a make-up working day, so it is day 1): 2/14 (1); 2/15–2/23 holiday;
    # 2/24 (2), 2/25 (3), 2/26 (4), 2/27 (5), Sat 2/28 (6); Sun 3/1 off; Mon 3/2 (7).
    assert publicity_end(D("2026-02-13"), 7, start_counts=False) == D("2026-03-02")


@pytest.mark.parametrize("start_counts", [True, False, None])
def test_weekend_start_begins_on_next_working_day(start_counts):
    # Sat 2026-03-07: Sat and Sun are off, Mon 3/9 is day 1, Fri 3/13 is day 5 — both conventions.
    assert first_counted_day(D("2026-03-07"), start_counts=start_counts) == D("2026-03-09")
    assert publicity_end(D("2026-03-07"), 5, start_counts=start_counts) == D("2026-03-13")
    assert publicity_end(D("2026-03-08"), 1, start_counts=start_counts) == D("2026-03-09")


@pytest.mark.parametrize("start_counts", [True, False])
def test_holiday_start_begins_after_the_holiday(start_counts):
    assert publicity_end(D("2026-10-01"), 1, start_counts=start_counts) == D("2026-10-08")


def test_single_day_period_on_working_day():
    assert publicity_end(D("2026-10-10"), 1) == D("2026-10-10")  # make-up Saturday counts
    assert publicity_end(D("2026-10-10"), 1, start_counts=False) == D("2026-10-12")


def test_period_running_into_2027_raises_unknown_year():
    # Mon 2026-12-28 .. Thu 12/31 are 4 working days; the 5th would be in 2027.
    assert publicity_end(D("2026-12-28"), 4) == D("2026-12-31")
    with pytest.raises(UnknownYear) as excinfo:
        publicity_end(D("2026-12-28"), 5)
    assert excinfo.value.year == 2027
    assert isinstance(excinfo.value, ValueError)
    assert "请在「节假日设置」中录入 2027 年的法定节假日与调休上班日" in str(excinfo.value)
    with pytest.raises(UnknownYear):
        working_days_between(D("2026-12-28"), D("2027-01-04"))
    with pytest.raises(UnknownYear, match="2027"):
        is_working_day(D("2027-06-01"))
    with pytest.raises(UnknownYear, match="2003"):
        is_working_day(D("2003-06-02"))


def test_2027_overrides_are_used():
    overrides = Overrides.from_json(TABLE_2027)
    assert overrides.known_years == {2027}
    # 12/28–12/31 (4); 1/1–1/3 off; Mon 1/4 (5) .. Fri 1/8 (9); Sat/Sun off; Mon 1/11 (10).
    assert publicity_end(D("2026-12-28"), 10, overrides) == D("2027-01-11")
    # Thu 2/4 (1); 2/5–2/13 holiday; Sun 2/14 off; Mon 2/15 (2), Tue 2/16 (3).
    assert publicity_end(D("2027-02-04"), 3, overrides) == D("2027-02-16")
    # Thu 2/18 (1), Fri 2/19 (2), Sat 2/20 make-up (3).
    assert publicity_end(D("2027-02-18"), 3, overrides) == D("2027-02-20")
    # An unlisted day in a complete year follows the Monday–Friday rule.
    assert is_working_day(D("2027-05-03"), overrides) is True
    assert is_working_day(D("2027-05-08"), overrides) is False
    assert working_days_between(D("2026-12-31"), D("2027-01-04"), overrides) == 2
    # 2028 is still unknown.
    with pytest.raises(UnknownYear, match="2028"):
        publicity_end(D("2027-12-27"), 10, overrides)


def test_partial_2027_entry_still_refuses_unlisted_days():
    overrides = Overrides.from_json({"2027": {"holidays": ["2027-01-01"], "complete": False}})
    assert overrides.known_years == frozenset()
    assert is_working_day(D("2027-01-01"), overrides) is False
    with pytest.raises(UnknownYear):
        is_working_day(D("2027-01-04"), overrides)


def test_override_turning_a_weekday_into_a_holiday_shifts_the_end():
    # Tue 2026-10-13 declared a day off: 9/30 (1), 10/8 (2), 10/9 (3), 10/10 (4), 10/12 (5),
    # 10/14 (6), 10/15 (7).
    overrides = Overrides.from_json({"2026": {"holidays": ["2026-10-13"]}})
    assert publicity_end(D("2026-09-30"), 7) == D("2026-10-14")
    assert publicity_end(D("2026-09-30"), 7, overrides) == D("2026-10-15")
    assert working_days_between(D("2026-10-12"), D("2026-10-16"), overrides) == 4


def test_constructor_validates_years_and_dates():
    with pytest.raises(InvalidOverrides, match="年份「2027」"):
        Overrides(years={"2027": {"holidays": {D("2027-01-01")}}})
    with pytest.raises(InvalidOverrides, match="其他年份的日期"):
        Overrides(years={2027: {"holidays": {D("2026-12-31")}}})


def test_override_turning_a_weekend_into_a_workday_shortens_the_period():
    overrides = Overrides(years={2026: {"workdays": {D("2026-10-11")}}})
    assert publicity_end(D("2026-09-30"), 7, overrides) == D("2026-10-13")


def test_working_days_between_inclusive():
    assert working_days_between(D("2026-09-30"), D("2026-10-14")) == 7
    assert working_days_between(D("2026-10-01"), D("2026-10-07")) == 0
    assert working_days_between(D("2026-10-14"), D("2026-10-14")) == 1
    assert working_days_between(D("2026-10-14"), D("2026-10-13")) == 0


@pytest.mark.parametrize(
    "data, fragment",
    [
        ({"2027": {"holidays": ["2027-13-01"]}}, "「2027-13-01」不存在"),
        ({"2027": {"holidays": ["2027/01/01"]}}, "「2027/01/01」格式不正确"),
        ({"2027": {"workdays": ["2026-12-31"]}}, "其他年份的日期「2026-12-31」"),
        ({"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}}, "同时被设为放假日和调休上班日"),
        ({"二〇二七": {"holidays": []}}, "年份「二〇二七」不正确"),
        ({"2027": {"holidays": "2027-01-01"}}, "放假日应为日期列表"),
        ({"2027": {"holiday": []}}, "无法识别的项：holiday"),
        ({"2027": {"holidays": [20270101]}}, "格式不正确"),
        ({"2027": ["2027-01-01"]}, "格式不正确"),
    ],
)
def test_from_json_rejects_bad_data_in_chinese(data, fragment):
    with pytest.raises(InvalidOverrides) as excinfo:
        Overrides.from_json(data)
    assert fragment in str(excinfo.value)
    assert isinstance(excinfo.value, ValueError)


@pytest.mark.parametrize("n", [0, -1, True, 1.5])
def test_rejects_non_positive_length(n):
    with pytest.raises(ValueError, match="正整数"):
        publicity_end(D("2026-09-30"), n)


# --- Properties, checked against chinese_calendar directly ----------------------------------

STARTS = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31))


def _oracle_first(start, start_counts):
    day = start if start_counts else start + timedelta(days=1)
    while not chinese_calendar.is_workday(day):
        day += timedelta(days=1)
    return day


@settings(max_examples=300, deadline=None)
@given(STARTS, st.integers(min_value=1, max_value=40), st.booleans())
def test_end_is_nth_working_day(start, n, start_counts):
    try:
        end = publicity_end(start, n, start_counts=start_counts)
    except UnknownYear as exc:
        # Only allowed when the period genuinely needs days beyond the package's last year.
        assert exc.year == 2027
        assert len(chinese_calendar.get_workdays(_oracle_first(start, start_counts), date(2026, 12, 31))) < n
        return
    first = _oracle_first(start, start_counts)
    assert end >= start
    assert chinese_calendar.is_workday(end)
    assert len(chinese_calendar.get_workdays(first, end)) == n
    assert working_days_between(first, end) == n


@settings(max_examples=150, deadline=None)
@given(
    st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 10, 31)),
    st.integers(min_value=1, max_value=30),
    st.booleans(),
    st.sets(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)), max_size=20),
    st.sets(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)), max_size=20),
)
def test_end_is_nth_working_day_with_overrides(start, n, start_counts, holidays, workdays):
    overrides = Overrides(years={2026: {"holidays": holidays, "workdays": workdays - holidays}})
    first, end = publicity_period(start, n, overrides, start_counts)
    assert start <= first <= end
    assert is_working_day(first, overrides) and is_working_day(end, overrides)
    assert working_days_between(first, end, overrides) == n
    # Nothing counted between the start and the first counted day.
    skipped_from = start if start_counts else start + timedelta(days=1)
    assert working_days_between(skipped_from, first - timedelta(days=1), overrides) == 0
