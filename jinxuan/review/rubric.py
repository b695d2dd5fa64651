"""Django-free. Rubric scoring with no Django import: read an expert's scores, check them, compute the weighted total.

A criterion without sub-items gets one score in [0, max_score]; a criterion with sub-items gets one score per
sub-item (each in [0, max_score]) and its score is their weighted mean (equal weights when the preset gives none).
The total is on a 100-point scale: sum over criteria of weight x score / max_score x 100.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass
class Sheet:
    scores: dict = field(default_factory=dict)  # {criterion: Decimal} or {criterion: {sub: Decimal}} as strings
    comments: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)  # {input name: 中文说明}
    total: Decimal | None = None  # None until every score is given

    @property
    def complete(self) -> bool:
        return self.total is not None and not self.errors


def input_name(criterion: str, sub: str | None = None) -> str:
    return f"score__{criterion}__{sub}" if sub else f"score__{criterion}"


def _parse(raw, maximum: Decimal, label: str) -> tuple[Decimal | None, str | None]:
    text = str(raw if raw is not None else "").strip()
    if not text:
        return None, None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, f"“{label}”须填写数字"
    if not value.is_finite() or value < 0 or value > maximum:
        return None, f"“{label}”须在 0 到 {maximum.normalize():f} 之间"
    if value != value.quantize(Decimal("0.1")):
        return None, f"“{label}”最多保留一位小数"
    return value, None


def criterion_score(criterion, values: dict) -> Decimal | None:
    """A criterion's score from stored values (None while incomplete)."""
    if not criterion.sub_items:
        v = values.get(criterion.key)
        return Decimal(str(v)) if v not in (None, "") else None
    subs = values.get(criterion.key) or {}
    parts = []
    for sub in criterion.sub_items:
        v = subs.get(sub.key) if isinstance(subs, dict) else None
        if v in (None, ""):
            return None
        parts.append((sub.weight or Decimal(1) / len(criterion.sub_items), Decimal(str(v))))
    return sum((w * v for w, v in parts), Decimal(0))


def total_of(rubric, values: dict) -> Decimal | None:
    """Weighted total on the 100-point scale, None if any criterion is unscored."""
    total = Decimal(0)
    for c in rubric.criteria:
        score = criterion_score(c, values)
        if score is None:
            return None
        total += c.weight * score / c.max_score * HUNDRED
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def read_sheet(rubric, data) -> Sheet:
    """Scores and comments from form data (a mapping of input names); every value kept even when invalid."""
    sheet = Sheet()
    for c in rubric.criteria:
        if c.sub_items:
            subs = {}
            for sub in c.sub_items:
                name = input_name(c.key, sub.key)
                value, error = _parse(data.get(name), c.max_score, f"{c.name}·{sub.name}")
                if error:
                    sheet.errors[name] = error
                if value is not None:
                    subs[sub.key] = str(value)
            sheet.scores[c.key] = subs
        else:
            name = input_name(c.key)
            value, error = _parse(data.get(name), c.max_score, c.name)
            if error:
                sheet.errors[name] = error
            if value is not None:
                sheet.scores[c.key] = str(value)
        comment = str(data.get(f"comment__{c.key}") or "").strip()
        if comment:
            sheet.comments[c.key] = comment[:2000]
    sheet.total = total_of(rubric, sheet.scores)
    return sheet


def missing(rubric, values: dict) -> list[str]:
    """Names of criteria (or criterion·sub-item) still without a score."""
    out = []
    for c in rubric.criteria:
        if not c.sub_items:
            if values.get(c.key) in (None, ""):
                out.append(c.name)
            continue
        subs = values.get(c.key) or {}
        out += [f"{c.name}·{s.name}" for s in c.sub_items if subs.get(s.key) in (None, "")]
    return out
