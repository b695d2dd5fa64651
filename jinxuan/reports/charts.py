"""Inline SVG charts of the stage report: the funnel and score histograms (no JavaScript; prints and works offline)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.safestring import mark_safe

from .tables import Bin, FunnelStep

ENTERED, ADVANCED, GREY, INK = "#c9d9ec", "#1f4e8c", "#9aa5b1", "#1d2733"


def _open(width: int, height: int, title: str, font: int = 12) -> list[str]:
    return [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
            f'xmlns="http://www.w3.org/2000/svg" font-size="{font}"><title>{escape(title)}</title>']


def funnel_chart(steps: Sequence[FunnelStep], title: str = "各阶段进入与晋级") -> str:
    """One row per stage: a light bar for the entrants, a dark one for those advanced, on one shared scale."""
    if not steps:
        return ""
    width, label, right, row, top = 720, 170, 220, 30, 24  # right: "进入 2831 · 晋级 2399 · 待定 241" fits
    height = top + row * len(steps) + 10
    peak = max((s.entered or 0 for s in steps), default=0) or 1
    span = width - label - right

    def w(n: int) -> float:
        return span * n / peak

    parts = _open(width, height, title)
    parts.append(f'<rect x="{label}" y="4" width="12" height="10" fill="{ENTERED}"/>'
                 f'<text x="{label + 16}" y="13" fill="#666">进入</text>'
                 f'<rect x="{label + 56}" y="4" width="12" height="10" fill="{ADVANCED}"/>'
                 f'<text x="{label + 72}" y="13" fill="#666">晋级</text>')
    for i, s in enumerate(steps):
        y = top + row * i
        parts.append(f'<text x="{label - 8}" y="{y + 16}" text-anchor="end" fill="{INK}">{escape(s.name[:12])}</text>')
        if s.entered is None:
            parts.append(f'<text x="{label + 4}" y="{y + 16}" fill="{GREY}">{escape(s.status)}</text>')
            continue
        parts.append(f'<rect class="entered" x="{label}" y="{y + 3}" width="{max(1.0, w(s.entered)):.1f}" '
                     f'height="18" fill="{ENTERED}"><title>进入 {s.entered}</title></rect>')
        if s.advanced:
            parts.append(f'<rect class="advanced" x="{label}" y="{y + 7}" width="{w(s.advanced):.1f}" height="10" '
                         f'fill="{ADVANCED}"><title>晋级 {s.advanced}</title></rect>')
        text = f"进入 {s.entered} · 晋级 {s.advanced}" + (f" · 待定 {s.pending}" if s.pending else "")
        parts.append(f'<text x="{width - right + 8}" y="{y + 16}" fill="#444">{text}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def histogram_chart(bins: Sequence[Bin], title: str, width: int = 360, height: int = 170) -> str:
    """Vertical bars per score bin; the advanced part of each bar is dark, the rest light."""
    if not bins or not any(b.count for b in bins):
        return ""
    left, bottom, top, right = 30, 34, 32, 8
    span_x, span_y = width - left - right, height - top - bottom
    peak = max(b.count for b in bins)
    bar = span_x / len(bins)
    parts = _open(width, height, title, font=10)
    parts.append(f'<text x="{left}" y="12" fill="{INK}" font-size="11">{escape(title)}</text>')
    parts.append(f'<line x1="{left}" y1="{top + span_y}" x2="{left + span_x}" y2="{top + span_y}" stroke="#999"/>')
    parts.append(f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" fill="#666">{peak}</text>')
    parts.append(f'<text x="{left - 4}" y="{top + span_y}" text-anchor="end" fill="#666">0</text>')
    for i, b in enumerate(bins):
        x = left + bar * i
        if b.count:
            h = span_y * b.count / peak
            parts.append(f'<rect class="bin" x="{x + 1:.1f}" y="{top + span_y - h:.1f}" width="{bar - 2:.1f}" '
                         f'height="{h:.1f}" fill="{ENTERED}"><title>{b.label}：{b.count} 份'
                         f'（晋级 {b.advanced}）</title></rect>')
            if b.advanced:
                ha = span_y * b.advanced / peak
                parts.append(f'<rect x="{x + 1:.1f}" y="{top + span_y - ha:.1f}" width="{bar - 2:.1f}" '
                             f'height="{ha:.1f}" fill="{ADVANCED}"/>')
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{top + span_y - h - 2:.1f}" text-anchor="middle" '
                         f'fill="#444">{b.count}</text>')
        if i % 2 == 0 or len(bins) <= 6:
            parts.append(f'<text x="{x:.1f}" y="{height - bottom + 14}" text-anchor="middle" fill="#666">'
                         f'{escape(b.label.split("–")[0])}</text>')
    parts.append(f'<text x="{left + span_x:.1f}" y="{height - bottom + 14}" text-anchor="end" fill="#666">'
                 f'{escape(bins[-1].label.split("–")[1])}</text>')
    parts.append(f'<text x="{left + span_x / 2:.1f}" y="{height - 4}" text-anchor="middle" fill="#666">'
                 f'得分区间（深色为晋级）</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
