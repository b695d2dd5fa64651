"""Votes per day per application as an inline SVG line chart (a few lines of SVG; no JavaScript)."""

from html import escape

from django.utils.safestring import mark_safe

WIDTH, HEIGHT, LEFT, BOTTOM, TOP, RIGHT = 760, 260, 44, 28, 12, 230
COLOURS = ["#1f4e8c", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#2c3e50"]


def daily_lines(series: dict[str, dict], title: str, top: int = 8) -> str:
    """series: label → {date: count}; the `top` labels with most votes are drawn."""
    series = dict(sorted(series.items(), key=lambda kv: -sum(kv[1].values()))[:top])
    days = sorted({d for s in series.values() for d in s})
    if not days:
        return ""
    peak = max(max(s.values()) for s in series.values()) or 1
    span_x = WIDTH - LEFT - RIGHT
    span_y = HEIGHT - TOP - BOTTOM

    def x(i):
        return LEFT + (span_x * i / (len(days) - 1) if len(days) > 1 else span_x / 2)

    def y(n):
        return TOP + span_y * (1 - n / peak)

    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="11"><title>{escape(title)}</title>',
             f'<line x1="{LEFT}" y1="{TOP + span_y}" x2="{LEFT + span_x}" y2="{TOP + span_y}" stroke="#999"/>',
             f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" fill="#666">{peak}</text>',
             f'<text x="{LEFT - 6}" y="{TOP + span_y}" text-anchor="end" fill="#666">0</text>']
    step = max(1, len(days) // 6)
    for i in range(0, len(days), step):
        parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 8}" text-anchor="middle" fill="#666">'
                     f'{days[i]:%m-%d}</text>')
    for k, (label, counts) in enumerate(series.items()):
        colour = COLOURS[k % len(COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(counts.get(d, 0)):.1f}" for i, d in enumerate(days))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        parts.append(f'<text x="{LEFT + span_x + 8}" y="{TOP + 14 * k + 8}" fill="{colour}">'
                     f'{escape(label[:12])}（{sum(counts.values())}）</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
