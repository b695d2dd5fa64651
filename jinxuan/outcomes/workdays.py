"""Publicity (公示) periods counted in Chinese working days.

Pure module: no Django import, no database, no clock.  Callers pass dates in and get dates out.

Working days
------------
A day is a working day when, in this order of precedence:

1. the organiser's :class:`Overrides` list it as a day off (``holidays``) or as a make-up working
   day (``workdays``, 调休上班, e.g. a Saturday) — an override always wins, so it also serves to
   correct the package data;
2. otherwise the ``chinesecalendar`` package knows the year: its ``is_workday`` decides
   (statutory holidays and make-up working days as published by the State Council);
3. otherwise the organiser has entered the year completely (``Overrides.known_years``):
   Monday–Friday are working days, Saturday and Sunday are not, except for the listed overrides;
4. otherwise we refuse to guess and raise :class:`UnknownYear`.

Every day that a computation *inspects* goes through these rules, so a period that merely reaches
into an unknown year raises instead of silently assuming a plain Monday–Friday week.

Counting convention
-------------------
Default (``start_counts=True``, :data:`DEFAULT_START_COUNTS`): **the publication day counts**.
公示期自发布之日起计算: if the notice is published on a working day, that day is working day 1.
This is how Chinese public notices (干部任前公示, 评选/评审结果公示, 政府网站的各类公示) are
written in practice — "公示期为5个工作日（2026年X月X日至X月Y日）", where X is the publication
date itself — and it is the reading a participant will check against the dates printed on the
notice.

Alternative (``start_counts=False``): the period starts on the day after publication, i.e. the
general rule for statutory time limits in 《民法典》第二百零一条 ("开始的当日不计入，自下一日开始
计算").  Use it when a rule or the competition's own regulations say "自发布次日起".

Under both conventions, when the publication day is not a working day (a weekend or holiday), the
first working day after it is working day 1 — so the two conventions only differ for a
publication on a working day.  The end of the period is the N-th counted working day; it is always
a working day (never extended or shortened otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import chinese_calendar

__all__ = [
    "DEFAULT_START_COUNTS",
    "InvalidOverrides",
    "Overrides",
    "UnknownYear",
    "YearOverrides",
    "first_counted_day",
    "is_working_day",
    "publicity_end",
    "publicity_period",
    "working_days_between",
]

#: Default convention: the publication day is working day 1 when it is a working day.
DEFAULT_START_COUNTS = True

_ONE_DAY = timedelta(days=1)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KIND_LABELS = {"holidays": "放假日", "workdays": "调休上班日"}


class UnknownYear(ValueError):
    """No holiday data for ``year``: neither the package nor the organiser's settings cover it."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"系统尚无 {year} 年的法定节假日安排，无法计算工作日。"
            f"请在「节假日设置」中录入 {year} 年的法定节假日与调休上班日。"
        )


class InvalidOverrides(ValueError):
    """The organiser's holiday settings are malformed (message in Chinese, names the bad value)."""


@dataclass(frozen=True)
class YearOverrides:
    """One year's organiser-maintained days off and make-up working days."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Overrides:
    """Organiser-maintained holiday data.

    ``years`` maps a year to its :class:`YearOverrides`; ``known_years`` are the years whose table
    the organiser has entered *completely* (only those make an otherwise unknown year usable).
    A year listed in ``years`` but not in ``known_years`` only corrects individual days.
    """

    years: Mapping[int, YearOverrides] = field(default_factory=dict)
    known_years: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        years = {}
        for year, entry in self.years.items():
            if type(year) is not int:
                raise InvalidOverrides(f"节假日设置中的年份「{year}」不正确：应为整数年份，例如 2027。")
            if not isinstance(entry, YearOverrides):
                entry = YearOverrides(
                    holidays=frozenset(entry.get("holidays", ())),
                    workdays=frozenset(entry.get("workdays", ())),
                )
            for kind in ("holidays", "workdays"):
                for day in getattr(entry, kind):
                    if type(day) is not date:
                        raise InvalidOverrides(f"{year} 年的{_KIND_LABELS[kind]}中有非日期值：{day!r}")
                    if day.year != year:
                        raise InvalidOverrides(
                            f"{year} 年的{_KIND_LABELS[kind]}中出现了其他年份的日期：{day.isoformat()}"
                        )
            both = entry.holidays & entry.workdays
            if both:
                listed = "、".join(d.isoformat() for d in sorted(both))
                raise InvalidOverrides(f"{year} 年的以下日期同时被设为放假日和调休上班日：{listed}")
            years[year] = entry
        object.__setattr__(self, "years", years)
        object.__setattr__(self, "known_years", frozenset(self.known_years))

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Overrides:
        """Build from the stored settings, e.g.::

            {"2027": {"holidays": ["2027-01-01", ...], "workdays": ["2027-02-20", ...]}}

        A year entered this way counts as complete (it joins ``known_years``) unless its entry
        carries ``"complete": false`` — use that for a partial correction of an unknown year, which
        must then still raise :class:`UnknownYear` for the days not listed.
        Raises :class:`InvalidOverrides` with a Chinese message on any malformed value.
        """
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise InvalidOverrides("节假日设置的格式不正确：应为以年份为键的对象。")
        years: dict[int, YearOverrides] = {}
        known: set[int] = set()
        for raw_year, entry in data.items():
            year = _parse_year(raw_year)
            if year in years:
                raise InvalidOverrides(f"节假日设置中 {year} 年出现了不止一次。")
            if not isinstance(entry, Mapping):
                raise InvalidOverrides(
                    f"{year} 年的节假日设置格式不正确：应包含 holidays 与 workdays 两个列表。"
                )
            unknown_keys = set(entry) - {"holidays", "workdays", "complete"}
            if unknown_keys:
                names = "、".join(sorted(str(k) for k in unknown_keys))
                raise InvalidOverrides(f"{year} 年的节假日设置中有无法识别的项：{names}")
            complete = entry.get("complete", True)
            if not isinstance(complete, bool):
                raise InvalidOverrides(f"{year} 年的 complete 应为 true 或 false，实际为：{complete!r}")
            sets = {kind: _parse_dates(year, kind, entry.get(kind, [])) for kind in ("holidays", "workdays")}
            years[year] = YearOverrides(**sets)
            if complete:
                known.add(year)
        return cls(years=years, known_years=frozenset(known))

    def decide(self, day: date) -> bool | None:
        """The organiser's explicit verdict for ``day``, or None when the day is not listed."""
        entry = self.years.get(day.year)
        if entry is None:
            return None
        if day in entry.holidays:
            return False
        if day in entry.workdays:
            return True
        return None


def _parse_year(raw: Any) -> int:
    text = str(raw).strip()
    if not (isinstance(raw, int | str) and not isinstance(raw, bool) and re.fullmatch(r"\d{4}", text)):
        raise InvalidOverrides(f"节假日设置中的年份「{raw}」不正确：应为四位数字年份，例如 2027。")
    return int(text)


def _parse_dates(year: int, kind: str, values: Any) -> frozenset[date]:
    label = _KIND_LABELS[kind]
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidOverrides(f"{year} 年的{label}应为日期列表，实际为：{values!r}")
    days = set()
    for raw in values:
        if not isinstance(raw, str) or not _ISO_DATE.match(raw.strip()):
            raise InvalidOverrides(
                f"{year} 年的{label}中的日期「{raw}」格式不正确：应为 YYYY-MM-DD，例如 {year}-01-01。"
            )
        try:
            day = date.fromisoformat(raw.strip())
        except ValueError:
            raise InvalidOverrides(f"{year} 年的{label}中的日期「{raw}」不存在，请检查月份和日期。") from None
        if day.year != year:
            raise InvalidOverrides(f"{year} 年的{label}中出现了其他年份的日期「{raw}」，请录入到对应年份。")
        days.add(day)
    return frozenset(days)


def _as_date(value: Any, name: str = "day") -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"{name} must be a datetime.date, got {type(value).__name__}")


def is_working_day(day: date, overrides: Overrides | None = None) -> bool:
    """Whether ``day`` is a Chinese working day (see the module docstring for the precedence)."""
    day = _as_date(day)
    if overrides is not None:
        verdict = overrides.decide(day)
        if verdict is not None:
            return verdict
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        # The package has no data for this year (it raises rather than guessing, and so do we).
        pass
    if overrides is not None and day.year in overrides.known_years:
        return day.weekday() < 5
    raise UnknownYear(day.year)


def first_counted_day(
    start: date, overrides: Overrides | None = None, start_counts: bool | None = None
) -> date:
    """Working day 1 of a publicity period published on ``start`` (see the module docstring)."""
    start = _as_date(start, "start")
    if start_counts is None:
        start_counts = DEFAULT_START_COUNTS
    day = start if start_counts else start + _ONE_DAY
    while not is_working_day(day, overrides):
        day += _ONE_DAY
    return day


def publicity_period(
    start: date, working_days: int, overrides: Overrides | None = None, start_counts: bool | None = None
) -> tuple[date, date]:
    """``(first counted working day, last day)`` of a period of ``working_days`` working days."""
    if isinstance(working_days, bool) or not isinstance(working_days, int) or working_days < 1:
        raise ValueError(f"公示期的工作日数应为正整数，实际为：{working_days!r}")
    first = first_counted_day(start, overrides, start_counts)
    day, counted = first, 1
    while counted < working_days:
        day += _ONE_DAY
        if is_working_day(day, overrides):
            counted += 1
    return first, day


def publicity_end(
    start: date, working_days: int, overrides: Overrides | None = None, start_counts: bool | None = None
) -> date:
    """The last day (always a working day) of a publicity period published on ``start``.

    ``start_counts=None`` uses :data:`DEFAULT_START_COUNTS` (the publication day counts).
    Raises :class:`UnknownYear` if any inspected day lies in a year without holiday data.
    """
    return publicity_period(start, working_days, overrides, start_counts)[1]


def working_days_between(a: date, b: date, overrides: Overrides | None = None) -> int:
    """Number of working days in ``[a, b]``, both ends included; 0 when ``b`` is before ``a``."""
    a, b = _as_date(a, "a"), _as_date(b, "b")
    count = 0
    day = a
    while day <= b:
        if is_working_day(day, overrides):
            count += 1
        day += _ONE_DAY
    return count
