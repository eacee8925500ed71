"""Server-rendered SVG charts: no JavaScript, so the same markup can later serve a print view
and a PDF. No style attributes (the Content-Security-Policy forbids inline styles); colours
are presentation attributes and CSS classes."""

from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 260
# The band names sit in the right margin, clear of the dots.
LEFT, RIGHT, TOP, BOTTOM = 44, 118, 14, 40


@dataclass(frozen=True)
class Point:
    label: str  # shown under the axis: "S3" or a date
    score: int
    title: str  # the tooltip and accessible name
    at: float | None = None  # position along the course (a session number); None: evenly spaced


@dataclass(frozen=True)
class Band:
    label: str
    low: int
    high: int


# From light to dark: a lower score is a lighter band.
BAND_FILLS = ["#e8f3ec", "#f3f1d9", "#f9e6cf", "#f6d6cc", "#efc4c4", "#e6b0b8"]


def trajectory(points: list[Point], bands: list[Band], *, maximum: int, label: str) -> SafeString:
    """A line of scores over the course with the severity bands shaded behind it."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(score: float) -> float:
        return TOP + plot_h * (1 - score / maximum)

    inner_left, inner_w = LEFT + 14, plot_w - 28  # keep dots clear of the edges and band labels
    ats = [p.at for p in points if p.at is not None]
    spaced = len(ats) == len(points)
    first = min(ats, default=0) if spaced else 0
    span = (max(ats) - first) if spaced and points else 0

    def x(index: int) -> float:
        if len(points) == 1:
            return inner_left + inner_w / 2
        if spaced and span:
            return inner_left + inner_w * (ats[index] - first) / span
        return inner_left + inner_w * index / (len(points) - 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" '
        f'role="img" aria-label="{escape(label, {chr(34): "&quot;"})}">'
    ]
    for i, band in enumerate(bands):
        top, bottom = y(min(band.high + 1, maximum)), y(band.low)
        fill = BAND_FILLS[min(i, len(BAND_FILLS) - 1)]
        parts.append(
            f'<rect x="{LEFT}" y="{top:.1f}" width="{plot_w}" height="{bottom - top:.1f}" fill="{fill}">'
            f"<title>{escape(band.label)} ({band.low} to {band.high})</title></rect>"
            f'<text x="{WIDTH - RIGHT + 6}" y="{(top + bottom) / 2 + 4:.1f}" class="band-label">'
            f"{escape(band.label)}</text>"
        )
    for tick in range(0, maximum + 1, max(1, maximum // 5)):
        parts.append(
            f'<text x="{LEFT - 8}" y="{y(tick) + 4:.1f}" text-anchor="end" class="axis">{tick}</text>'
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" class="grid"/>'
        )
    if len(points) > 1:
        path = " ".join(f"{x(i):.1f},{y(p.score):.1f}" for i, p in enumerate(points))
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1b2a3a" stroke-width="2.5"/>')
    step = max(1, len(points) // 12)  # keep the axis labels readable on a long course
    for i, p in enumerate(points):
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(p.score):.1f}" r="5" fill="#205c8a" stroke="#fff" '
            'stroke-width="1.5">'
            f"<title>{escape(p.title)}</title></circle>"
        )
        if i % step == 0 or i == len(points) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" class="axis">'
                f"{escape(p.label)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
