"""A small chart of one group member's PHQ-9 over the group's sessions, with their attendance:
drawn on the server (no script), small enough for a row of the group page on a phone."""

from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 168, 44
LEFT, RIGHT, TOP, BOTTOM = 6, 6, 4, 12
MAXIMUM = 27  # the PHQ-9's highest total


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def member_weeks(scores: list[int | None], attended: list[bool | None], *, label: str) -> SafeString:
    """`scores` and `attended` by session (index 0 is session 1); None where nothing is recorded.
    A dot for each score joined by a line; under the axis, a filled mark for a session attended,
    a hollow one for a session missed, nothing for one not yet held."""
    weeks = max(len(scores), len(attended), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (weeks - 1) if weeks > 1 else plot_w / 2)

    def y(score: int) -> float:
        return TOP + plot_h * (1 - score / MAXIMUM)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart chart-small" '
        f'role="img" aria-label="{_attr(label)}">',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#888" '
        'stroke-width="0.5"/>',
    ]
    points = [(x(i), y(s)) for i, s in enumerate(scores) if s is not None]
    if len(points) > 1:
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#3b5b92" stroke-width="1.5"/>')
    for i, s in enumerate(scores):
        if s is not None:
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(s):.1f}" r="2.5" fill="#3b5b92">'
                f"<title>{_attr(f'Session {i + 1}: PHQ-9 {s}')}</title></circle>"
            )
    for i, came in enumerate(attended):
        if came is None:
            continue
        fill = "#2f6b3a" if came else "#ffffff"
        parts.append(
            f'<rect x="{x(i) - 2.5:.1f}" y="{HEIGHT - 8}" width="5" height="5" fill="{fill}" '
            'stroke="#2f6b3a">'
            f"<title>{_attr(f'Session {i + 1}: ' + ('attended' if came else 'missed'))}</title></rect>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
