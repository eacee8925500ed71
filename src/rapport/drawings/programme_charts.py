"""The programme's charts as SVG: a funnel of counts, rates with their 95 % intervals, and a
monthly trend of one rate. Pure functions of their arguments, as the other drawings: no style
attributes (the Content-Security-Policy forbids inline styles), every text escaped. Each bar or
point may carry a link to the courses behind it; the page shows the same figures in a table.
"""

from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH = 420
LABEL_W = 150
ROW_H = 30
INK = "#1b2a3a"
BAR = "#205c8a"
SOFT = "#cfe0ef"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    href: str = ""


@dataclass(frozen=True)
class Interval:
    label: str
    rate: float | None
    low: float | None
    high: float | None
    caption: str  # "12 of 20"
    href: str = ""


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _link(href: str, inner: str, title: str) -> str:
    titled = f"<title>{escape(title)}</title>{inner}"
    if not href:
        return f"<g>{titled}</g>"
    return f'<a href="{_attr(href)}">{titled}</a>'


def _svg(height: int, body: list[str], title: str) -> SafeString:
    return mark_safe(  # noqa: S308  (every text above is escaped)
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{_attr(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(body)}</svg>'
    )


def funnel(bars: list[Bar], title: str) -> SafeString:
    """Horizontal bars, each as long as its count against the first (the widest)."""
    top = max((bar.value for bar in bars), default=0) or 1
    plot = WIDTH - LABEL_W - 50
    body = []
    for i, bar in enumerate(bars):
        y = 8 + i * ROW_H
        width = round(plot * bar.value / top, 1)
        inner = (
            f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end" font-size="12" fill="{INK}">'
            f"{escape(bar.label)}</text>"
            f'<rect x="{LABEL_W}" y="{y}" width="{max(width, 1)}" height="20" fill="{BAR}"/>'
            f'<text x="{LABEL_W + width + 5}" y="{y + 15}" font-size="12" fill="{INK}">{bar.value}</text>'
        )
        body.append(_link(bar.href, inner, f"{bar.label}: {bar.value}"))
    return _svg(16 + len(bars) * ROW_H, body, title)


def intervals(rows: list[Interval], title: str) -> SafeString:
    """A point for each rate with a line across its 95 % interval, on a 0 to 100 % axis."""
    plot = WIDTH - LABEL_W - 20
    axis_y = 8 + len(rows) * ROW_H
    body = []
    for tick in (0, 25, 50, 75, 100):
        x = LABEL_W + plot * tick / 100
        body.append(
            f'<line x1="{x}" y1="4" x2="{x}" y2="{axis_y}" stroke="#d5dde6" stroke-width="1"/>'
            f'<text x="{x}" y="{axis_y + 14}" text-anchor="middle" font-size="11" fill="{INK}">{tick}%</text>'
        )
    for i, row in enumerate(rows):
        y = 8 + i * ROW_H + 10
        inner = (
            f'<text x="{LABEL_W - 6}" y="{y + 4}" text-anchor="end" font-size="12" fill="{INK}">'
            f"{escape(row.label)}</text>"
        )
        if row.rate is not None and row.low is not None and row.high is not None:
            x0, x1 = LABEL_W + plot * row.low, LABEL_W + plot * row.high
            x = LABEL_W + plot * row.rate
            inner += (
                f'<line x1="{x0:.1f}" y1="{y}" x2="{x1:.1f}" y2="{y}" stroke="{BAR}" stroke-width="3"/>'
                f'<circle cx="{x:.1f}" cy="{y}" r="5" fill="{INK}"/>'
            )
        else:
            inner += f'<text x="{LABEL_W}" y="{y + 4}" font-size="11" fill="{INK}">no courses</text>'
        body.append(_link(row.href, inner, f"{row.label}: {row.caption}"))
    return _svg(axis_y + 22, body, title)


def trend(points: list[Interval], title: str) -> SafeString:
    """One rate month by month: a point per month (labelled under the axis) joined by a line."""
    height, left, bottom = 190, 40, 150
    plot_w = WIDTH - left - 12
    body = []
    for tick in (0, 50, 100):
        y = bottom - 130 * tick / 100
        body.append(
            f'<line x1="{left}" y1="{y}" x2="{WIDTH - 12}" y2="{y}" stroke="#d5dde6" stroke-width="1"/>'
            f'<text x="{left - 4}" y="{y + 4}" text-anchor="end" font-size="11" fill="{INK}">{tick}%</text>'
        )
    step = plot_w / max(len(points), 1)
    placed = []
    for i, point in enumerate(points):
        x = left + step * (i + 0.5)
        body.append(
            f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" font-size="10" fill="{INK}">'
            f"{escape(point.label)}</text>"
        )
        if point.rate is None:
            continue
        y = bottom - 130 * point.rate
        placed.append(f"{x:.1f},{y:.1f}")
        dot = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{BAR}" stroke="{INK}" stroke-width="1"/>'
        body.append(_link(point.href, dot, f"{point.label}: {point.caption}"))
    if len(placed) > 1:
        body.insert(
            0, f'<polyline points="{" ".join(placed)}" fill="none" stroke="{SOFT}" stroke-width="3"/>'
        )
    return _svg(height, body, title)
