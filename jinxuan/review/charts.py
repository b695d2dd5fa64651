"""Small inline SVG charts for score distributions (no JavaScript; prints and works offline).

One row per group: the individual scores as dots (a line from the lowest to the highest when the chart has more
than DOTS_MAX), the interquartile box and the median line, on a shared 0-100 axis. Written by hand because it is a few lines of SVG; values come from `statistics`.
"""

from __future__ import annotations

import statistics
from decimal import Decimal
from html import escape

from django.utils.safestring import mark_safe

from .rubric import criterion_score

WIDTH, LABEL, ROW, PAD, RIGHT = 680, 120, 26, 24, 60
DOTS_MAX = 2000  # above this many scores in a chart, each row shows its range (lowest to highest), not dots


def _x(value: float) -> float:
    return LABEL + (WIDTH - LABEL - RIGHT) * max(0.0, min(100.0, value)) / 100.0


def most_apart(groups: dict[str, list[float]], limit: int) -> dict[str, list[float]]:
    """At most `limit` groups: those whose median is farthest from the median of all values, ordered by their
    median (the strictest first). All of them, in that order, when there are no more than `limit`."""
    groups = {k: v for k, v in groups.items() if v}
    medians = {k: statistics.median(v) for k, v in groups.items()}
    if len(groups) > limit:
        centre = statistics.median([x for v in groups.values() for x in v])
        keep = sorted(groups, key=lambda k: (-abs(medians[k] - centre), k))[:limit]
    else:
        keep = list(groups)
    return {k: groups[k] for k in sorted(keep, key=lambda k: (medians[k], k))}


def strip_plot(groups: dict[str, list[float]], title: str) -> str:
    """SVG: for each group (label → scores on a 0-100 scale) dots, quartile box and median."""
    groups = {k: v for k, v in groups.items() if v}
    if not groups:
        return ""
    height = PAD * 2 + ROW * len(groups)
    dense = sum(len(v) for v in groups.values()) > DOTS_MAX
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {height}" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="12">', f"<title>{escape(title)}</title>"]
    for tick in range(0, 101, 20):
        x = _x(tick)
        parts.append(f'<line x1="{x:.1f}" y1="{PAD - 6}" x2="{x:.1f}" y2="{height - PAD + 4}" stroke="#ddd"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="#666">{tick}</text>')
    for i, (label, values) in enumerate(groups.items()):
        y = PAD + ROW * i + ROW / 2
        parts.append(f'<text x="{LABEL - 8}" y="{y + 4:.1f}" text-anchor="end">{escape(label[:12])}</text>')
        if len(values) >= 2:
            q1, med, q3 = statistics.quantiles(values, n=4, method="inclusive")
            parts.append(f'<rect x="{_x(q1):.1f}" y="{y - 8:.1f}" width="{max(1.0, _x(q3) - _x(q1)):.1f}" '
                         f'height="16" fill="#dbe8f6" stroke="#5b8cc4"/>')
            parts.append(f'<line x1="{_x(med):.1f}" y1="{y - 9:.1f}" x2="{_x(med):.1f}" y2="{y + 9:.1f}" '
                         f'stroke="#1f4e8c" stroke-width="2"/>')
        if dense:  # thousands of dots say less than the range, and weigh megabytes
            low, high = min(values), max(values)
            parts.append(f'<line x1="{_x(low):.1f}" y1="{y:.1f}" x2="{_x(high):.1f}" y2="{y:.1f}" stroke="#c0392b">'
                         f"<title>最低 {low:.1f} · 最高 {high:.1f}</title></line>")
        else:
            for v in values:
                parts.append(f'<circle cx="{_x(v):.1f}" cy="{y:.1f}" r="3" fill="#c0392b" fill-opacity="0.6">'
                             f"<title>{v:.1f}</title></circle>")
        parts.append(f'<text x="{WIDTH - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{len(values)} 份</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def criterion_values(rubric, sheets) -> dict[str, list[float]]:
    """Each criterion's scores over the submitted sheets (their `scores` dicts), rescaled to 0-100."""
    out: dict[str, list[float]] = {}
    if rubric is None:
        return out
    for c in rubric.criteria:
        values = []
        for scores in sheets:
            score = criterion_score(c, scores or {})
            if score is not None:
                values.append(float(score / c.max_score * Decimal(100)))
        out[c.name] = values
    return out
