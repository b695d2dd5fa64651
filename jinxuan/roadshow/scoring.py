"""Django-free. Roadshow scores with no Django import: reading a judge's sheet and aggregating one presentation's scores.

Sheet
    Without criteria a judge gives one score in [0, 100]; with criteria (RoadshowParams.criteria, whose maxima add
    up to 100) one score per criterion in [0, max] and the total is their sum. At most one decimal place.

Aggregate of one presentation (the signed totals of its judges)
    ``trimmed_mean`` (the default, 000: 去掉一个最高分和一个最低分): with 3 or more scores one highest and one
    lowest score are dropped (one of each even when several judges gave the same value) and the rest are
    averaged. With 1 or 2 scores nothing is dropped and the aggregate is the mean of all of them (dropping
    would leave nothing, or only one judge's view); the reason says so. ``mean`` averages all scores;
    ``median`` takes the median. No score → no aggregate. Values are rounded to 4 places (ROUND_HALF_UP).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PLACES = Decimal("0.0001")
TENTH = Decimal("0.1")
HUNDRED = Decimal(100)
MIN_FOR_TRIM = 3
SINGLE = "score"  # input name of the single 0–100 score
METHODS = {"trimmed_mean": "去掉一个最高分和一个最低分后的平均分", "mean": "平均分", "median": "中位数"}


@dataclass
class Sheet:
    scores: dict[str, str] = field(default_factory=dict)  # {criterion key or "score": value as entered}
    errors: dict[str, str] = field(default_factory=dict)  # {input name: 中文说明}
    total: Decimal | None = None  # None while anything is missing or invalid


def criteria_of(criteria: Sequence | None) -> list[tuple[str, str, Decimal]]:
    """(key, label, max) of each input: the preset's criteria, or the single 0–100 score."""
    if not criteria:
        return [(SINGLE, "得分", HUNDRED)]
    return [(c.key, c.name, Decimal(str(c.max_score))) for c in criteria]


def read_sheet(criteria: Sequence | None, data: Mapping[str, object]) -> Sheet:
    """Scores from form data; every value is kept as entered (even when invalid) so nothing is lost."""
    sheet = Sheet()
    total = Decimal(0)
    complete = True
    for key, label, maximum in criteria_of(criteria):
        text = str(data.get(key) if data.get(key) is not None else "").strip()
        sheet.scores[key] = text
        if not text:
            complete = False
            continue
        try:
            value = Decimal(text)
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            sheet.errors[key] = f"“{label}”须填写数字"
            continue
        if value < 0 or value > maximum:
            sheet.errors[key] = f"“{label}”须在 0 到 {maximum.normalize():f} 之间"
        elif value != value.quantize(TENTH):
            sheet.errors[key] = f"“{label}”最多保留一位小数"
        else:
            total += value
    if complete and not sheet.errors:
        sheet.total = total.quantize(TENTH)
    return sheet


def missing(criteria: Sequence | None, scores: Mapping[str, str]) -> list[str]:
    return [label for key, label, _ in criteria_of(criteria) if not str(scores.get(key) or "").strip()]


@dataclass(frozen=True)
class Aggregate:
    value: Decimal | None
    scores: tuple[Decimal, ...]
    dropped_high: int | None  # index into scores
    dropped_low: int | None
    mean_all: Decimal | None
    rule: str

    @property
    def kept(self) -> tuple[Decimal, ...]:
        return tuple(s for i, s in enumerate(self.scores) if i not in (self.dropped_high, self.dropped_low))


def q(value) -> Decimal:
    return Decimal(value).quantize(PLACES, rounding=ROUND_HALF_UP)


def aggregate(scores: Sequence[Decimal | str | float], method: str = "trimmed_mean") -> Aggregate:
    values = tuple(Decimal(str(s)) for s in scores)
    if method not in METHODS:
        raise ValueError(f"未知的路演汇总方法 {method!r}")
    if not values:
        return Aggregate(None, (), None, None, None, "无评委评分")
    mean_all = q(sum(values) / len(values))
    n = len(values)
    if method == "mean":
        return Aggregate(mean_all, values, None, None, mean_all, f"{n} 位评委的平均分")
    if method == "median":
        return Aggregate(q(statistics.median(values)), values, None, None, mean_all, f"{n} 位评委分数的中位数")
    if n < MIN_FOR_TRIM:
        return Aggregate(mean_all, values, None, None, mean_all,
                         f"仅 {n} 位评委评分（不足 {MIN_FOR_TRIM} 位），不去掉最高分和最低分，取全部分数的平均分")
    high = max(range(n), key=lambda i: values[i])  # max/min return the first of equal values
    low = min((i for i in range(n) if i != high), key=lambda i: values[i])
    kept = [v for i, v in enumerate(values) if i not in (high, low)]
    return Aggregate(q(sum(kept) / len(kept)), values, high, low, mean_all,
                     f"{n} 位评委评分，去掉一个最高分 {fmt(values[high])} 和一个最低分 {fmt(values[low])}，"
                     f"取其余 {len(kept)} 个分数的平均分")


def fmt(value: Decimal | None) -> str:
    """88 → "88", 88.5 → "88.5", 88.25 → "88.25", 88.3333 → "88.33" (display: at most 2 decimals)."""
    if value is None:
        return "—"
    text = f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
