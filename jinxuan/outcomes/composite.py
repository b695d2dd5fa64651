"""The `composite` (综合得分) stage kind: a weighted sum of earlier stages' values, ranked and cut.

Pure (no Django). The rules, in the order they apply:

Component values
    For a component whose ``source`` is a stage key:

    * if ``context.data[source]`` is a non-empty mapping {application id (int or str): number}, that mapping
      is the source. The runtime never passes one (it passes only earlier stages' stored results); the channel
      stays so that composite results stored before the vote kept runs of its own still replay exactly;
      a mapping whose values are themselves mappings is a stage's *own* input (e.g. the per-aggregate expert
      scores ``expert_review`` reads) and is not a value source;
    * otherwise the ``score`` of the application's entry in ``context.earlier[source]`` (the StageResult of
      that stage, e.g. the expert_review aggregate).

Missing values
    An entrant with no value for a component (absent from the source, score ``None``, or no such source at
    all) counts 0 for that component. This is never silent: the reason says "无网络投票数据，按 0 计" and the
    component in the detail has ``missing: True``.

Normalisation
    ``as_is`` keeps the value (expected on a 100-point scale). ``linear_on_max`` maps v → 100 × v / max, the
    max taken over this stage's entrants only (applications eliminated earlier do not count); max ≤ 0 → all 0.
    Normalised values are rounded to 4 places (ROUND_HALF_UP) *before* weighting, so the detail reproduces
    the composite exactly.

Composite
    Σ weight × normalised value, rounded to 4 places (ROUND_HALF_UP).

Order and ranks
    Composite descending; then each ``params.tie_break`` item in turn: a stage key → that source's value
    (as read, before normalisation, missing = 0), higher first; ``"submitted_at"`` → earlier first (ISO
    strings; an unknown time sorts last); finally the application id, ascending. Ranks are competition ranks
    (1, 2, 2, 4): entrants share a rank when their composite AND all tie-break values are equal — the
    application id orders them but never separates their rank.

Cut (``params.cut``; without one every entrant advances)
    quota = fraction × number of entrants (all of them, direct entries included), rounded by ``rounding``
    (floor / round = half up / ceil), at least 0. The first ``quota`` entrants of the order advance.
    ``ties_at_cut``:

    * ``"tie_break"``: the cut is exact — the tie-break order (down to the application id) decides, so
      exactly ``quota`` entrants advance through the quota;
    * ``"include_all"``: every entrant whose composite equals that of the last entrant within the quota
      advances too; the reason states how many this adds beyond the quota.

Direct entries (``params.direct_entry_flag``, e.g. ``district_recommended``)
    The quota is the top of the full ranking, whatever the flags: a direct entry ranked within the quota
    occupies its quota place like anyone else. A direct entry ranked outside the quota (or outside the
    include_all ties) advances *in addition*, with the reason "区级政府推荐，直接进入路演答辩"; it pushes
    nobody out. Hence, under ``tie_break``: advanced = quota + direct entries ranked outside the quota.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from jinxuan.campaigns.stage_params import STAGE_KIND_LABELS, CompositeComponent
from jinxuan.pipeline.engine import Entrant, RankedEntry, StageContext, StageKind, register

PLACES = Decimal("0.0001")
HUNDRED = Decimal(100)
ZERO = Decimal(0).quantize(PLACES)
SUBMITTED_AT = "submitted_at"
ROUNDING = {
    "floor": (ROUND_FLOOR, "向下取整"),
    "round": (ROUND_HALF_UP, "四舍五入"),
    "ceil": (ROUND_CEILING, "向上取整"),
}
# direct-entry flag → (who granted it, what it means); an unknown flag gets a generic wording
DIRECT_ENTRY = {"district_recommended": ("区级政府推荐", "直接进入路演答辩")}


def quota_for(entrants: int, fraction: Decimal | str | float, rounding: str) -> int:
    """fraction × entrants rounded by the rule ("floor", "round" = half up, "ceil"), never below 0."""
    exact = Decimal(str(fraction)) * entrants
    return max(0, int(exact.quantize(Decimal(1), rounding=ROUNDING[rounding][0])))


def source_values(source: str, context: StageContext) -> tuple[dict[int, Decimal], str]:
    """One source's values by application id, and where they came from: "data", "earlier" or "none"."""
    raw = context.data.get(source)
    if isinstance(raw, Mapping) and raw and not any(isinstance(v, Mapping) for v in raw.values()):
        values: dict[int, Decimal] = {}
        # str keys first, so that an int key wins if both spellings of one id are given
        for key, value in sorted(raw.items(), key=lambda kv: isinstance(kv[0], int)):
            if value is not None:
                values[_application_id(source, key)] = _number(source, key, value)
        return values, "data"
    earlier = context.earlier.get(source)
    if earlier is not None:
        return {e.application_id: e.score for e in earlier.entries if e.score is not None}, "earlier"
    return {}, "none"


def _application_id(source: str, key: Any) -> int:
    try:
        return int(key)
    except (TypeError, ValueError):
        raise ValueError(f"综合得分：来源阶段 {source} 的数据中申报编号 {key!r} 无效") from None


def _number(source: str, key: Any, value: Any) -> Decimal:
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        number = Decimal(str(value))
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise ValueError(f"综合得分：来源阶段 {source} 中申报 {key} 的数值 {value!r} 无效") from None
    return number


def source_label(source: str, context: StageContext) -> str:
    earlier = context.earlier.get(source)
    return STAGE_KIND_LABELS.get(earlier.kind if earlier is not None else source, source)


def fmt(value: Decimal) -> str:
    """At least 2 and at most 4 decimals: 88.1 → "88.10", 33.33333 → "33.3333"."""
    text = f"{value.quantize(PLACES, rounding=ROUND_HALF_UP):f}"
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.rstrip('0').ljust(2, '0')}"


def plain(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 0.950 → "0.95", 7.50 → "7.5"."""
    return f"{value.normalize():f}"


@dataclass(frozen=True)
class Part:
    component: CompositeComponent
    label: str
    raw: Decimal | None
    normalised: Decimal
    origin: str
    maximum: Decimal | None

    @property
    def missing(self) -> bool:
        return self.raw is None

    def detail(self) -> dict[str, Any]:
        c = self.component
        detail = {"source": c.source, "label": self.label, "weight": c.weight, "normalise": c.normalise,
                  "raw": self.raw, "normalised": self.normalised, "missing": self.missing, "origin": self.origin}
        if c.normalise == "linear_on_max":
            detail["max"] = self.maximum
        return detail


@dataclass(frozen=True)
class Row:
    entrant: Entrant
    composite: Decimal
    parts: tuple[Part, ...]
    tie_values: tuple[Any, ...]  # as shown in the detail
    tie_key: tuple[Any, ...]  # as sorted: smaller first

    @property
    def order_key(self):
        return (-self.composite, self.tie_key, self.entrant.application_id)

    @property
    def rank_key(self):
        return (self.composite, self.tie_key)


@register
class CompositeStage(StageKind):
    kind = "composite"
    label = "综合得分排名"
    bypassable = True

    def rank(self, entrants: Sequence[Entrant], context: StageContext) -> list[RankedEntry]:
        p = self.params
        wanted = [c.source for c in p.components] + [t for t in p.tie_break if t != SUBMITTED_AT]
        sources = {key: source_values(key, context) for key in dict.fromkeys(wanted)}
        labels = {key: source_label(key, context) for key in sources}
        ids = {e.application_id for e in entrants}
        maxima = {
            c.source: max((v for i, v in sources[c.source][0].items() if i in ids), default=Decimal(0))
            for c in p.components
        }
        rows = sorted((self._row(e, sources, labels, maxima) for e in entrants), key=lambda r: r.order_key)
        return self._entries(rows, labels)

    def _row(self, entrant, sources, labels, maxima) -> Row:
        p = self.params
        parts = []
        for c in p.components:
            values, origin = sources[c.source]
            raw = values.get(entrant.application_id)
            value = Decimal(0) if raw is None else raw
            if c.normalise == "linear_on_max":
                top = maxima[c.source]
                normalised = (HUNDRED * value / top).quantize(PLACES, ROUND_HALF_UP) if top > 0 else ZERO
            else:
                normalised = value.quantize(PLACES, ROUND_HALF_UP)
            parts.append(Part(c, labels[c.source], raw, normalised, origin,
                              maxima[c.source] if c.normalise == "linear_on_max" else None))
        composite = sum((part.component.weight * part.normalised for part in parts), Decimal(0))
        composite = composite.quantize(PLACES, ROUND_HALF_UP)
        tie_values, tie_key = [], []
        for item in p.tie_break:
            if item == SUBMITTED_AT:
                tie_values.append(entrant.submitted_at or None)
                tie_key.append((entrant.submitted_at == "", entrant.submitted_at))
            else:
                value = sources[item][0].get(entrant.application_id, Decimal(0))
                tie_values.append(value)
                tie_key.append(-value)
        return Row(entrant, composite, tuple(parts), tuple(tie_values), tuple(tie_key))

    def _entries(self, rows: list[Row], labels: dict[str, str]) -> list[RankedEntry]:
        p = self.params
        n = len(rows)
        ranks, previous = [], None
        for i, row in enumerate(rows):
            if row.rank_key != previous:
                position, previous = i + 1, row.rank_key
            ranks.append(position)

        cut = p.cut
        quota = quota_for(n, cut.fraction, cut.rounding) if cut else None
        last = rows[quota - 1].composite if cut and quota else None
        tied: set[int] = set()
        if cut and cut.ties_at_cut == "include_all" and quota:
            tied = {i for i in range(quota, n) if rows[i].composite == last}
        flag = p.direct_entry_flag
        granted_by, meaning = DIRECT_ENTRY.get(flag, (f"具有直通资格（{flag}）", "直接晋级"))
        if cut:
            pct = f"{plain(cut.fraction * 100)}%"
            rounding = ROUNDING[cut.rounding][1]
            rule = f"{n}×{pct}={plain(cut.fraction * n)}，{rounding}为 {quota} 名"
            order = "、".join([labels[t] if t != SUBMITTED_AT else "提交时间" for t in p.tie_break] + ["申报编号"])

        entries = []
        for i, row in enumerate(rows):
            direct = bool(flag) and flag in row.entrant.flags
            if cut is None:
                advanced_by, outcome = "no_cut", "未设晋级比例，全部晋级"
            elif i < quota:
                advanced_by, outcome = "quota", f"前 {pct}（{rule}）晋级"
                if direct:
                    outcome += f"；另为{granted_by}（名次在比例内，计入名额）"
            elif i in tied:
                advanced_by = "tie_at_cut"
                outcome = (f"综合得分与第 {quota} 名相同，按并列规则一并晋级"
                           f"（前 {pct}：{rule}；因并列超出名额 {len(tied)} 名）")
            else:
                outside = f"未进入前 {pct}（{rule}）"
                if quota and cut.ties_at_cut == "tie_break" and row.composite == last:
                    outside = f"综合得分与第 {quota} 名相同，按同分排序（{order}）位于名额之外，" + outside
                if direct:
                    advanced_by, outcome = "direct_entry", f"{outside}；{granted_by}，{meaning}（不占名额）"
                else:
                    advanced_by, outcome = None, f"{outside}，未晋级"
            formula = " + ".join(f"{part.label} {fmt(part.normalised)}×{plain(part.component.weight)}"
                                 for part in row.parts)
            segments = [f"综合得分 {row.composite:f}（{formula}）"]
            segments += [f"无{part.label}数据，按 0 计" for part in row.parts if part.missing]
            segments.append(f"第 {ranks[i]} 名，{outcome}")
            detail = {
                "composite": row.composite,
                "components": [part.detail() for part in row.parts],
                "tie_break": dict(zip(p.tie_break, row.tie_values, strict=True)),
                "quota": quota,
                "direct_entry": direct,
                "advanced_by": advanced_by,
            }
            if tied:
                detail["tie_extra"] = len(tied)
            entries.append(RankedEntry(row.entrant.application_id, ranks[i], row.composite,
                                       advanced_by is not None, "；".join(segments), detail))
        return entries
