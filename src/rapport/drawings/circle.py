"""The closeness circle (spec 1.10) as server-rendered SVG: the client at the centre, one ring per
ring of the protocol (ring 1, the innermost, for the people the client feels closest to), and
each person placed on their ring.

A pure function of its arguments, like charts.py: no JavaScript, no style attributes (the
Content-Security-Policy forbids inline styles), every text escaped. The page beside it shows
the same people as a table, because a picture alone is not accessible."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH = 480
CENTRE = WIDTH / 2
OUTER = 212  # radius of the outermost ring
INNER = 36  # radius of the disc that stands for the client
FONT = 15  # the people's names, in viewBox units: about 12px on a 390px phone
LARGE_FONT = 19  # the circle shown to the client
CHAR = 0.56  # the average width of a character, in ems: to keep names apart and inside the picture
TURN = 137.5  # degrees each ring is turned from the one inside it, so that few people spread out
TRIES = 24  # turns of a ring tried to keep names on neighbouring rings apart
LEGEND_ROW = 30


@dataclass(frozen=True)
class Person:
    label: str  # the name or role the client chose
    ring: int | None  # None: left off the circle
    status: str = ""  # a current_status id of the protocol; "" when not recorded
    title: str = ""  # the tooltip; the label when empty


@dataclass(frozen=True)
class Status:
    id: str
    label: str


NOT_RECORDED = "not_recorded"

# Shape and colour together, so that the status does not rest on colour alone.
MARKERS = {
    "ongoing": ("disc", "#205c8a"),
    "strained": ("triangle", "#a8470f"),
    "ended": ("ring", "#4a5968"),
    "deceased": ("diamond", "#1b2a3a"),
    NOT_RECORDED: ("square", "#5f6f7e"),
}
PLAIN = ("disc", "#205c8a")  # every person alike, when the statuses are not shown


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _marker(shape: str, colour: str, x: float = 0, y: float = 0) -> str:
    if shape == "disc":
        return f'<circle cx="{x:g}" cy="{y:g}" r="9" fill="{colour}" stroke="#fff" stroke-width="2"/>'
    if shape == "triangle":
        points = f"{x:g},{y - 11:g} {x + 10:g},{y + 7:g} {x - 10:g},{y + 7:g}"
        return f'<polygon points="{points}" fill="{colour}" stroke="#fff" stroke-width="2"/>'
    if shape == "ring":
        return f'<circle cx="{x:g}" cy="{y:g}" r="8" fill="#fff" stroke="{colour}" stroke-width="3"/>'
    if shape == "diamond":
        points = f"{x:g},{y - 11:g} {x + 11:g},{y:g} {x:g},{y + 11:g} {x - 11:g},{y:g}"
        return f'<polygon points="{points}" fill="{colour}" stroke="#fff" stroke-width="2"/>'
    return (
        f'<rect x="{x - 7:g}" y="{y - 7:g}" width="14" height="14" fill="#fff" stroke="{colour}" '
        'stroke-width="2" stroke-dasharray="3 2"/>'
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(1, limit - 1)].rstrip() + "…"


def ring_radius(ring: int, rings: int) -> float:
    """The radius at which the people of `ring` sit: the middle of its band."""
    band = (OUTER - INNER) / rings
    return INNER + band * (ring - 0.5)


def band_of(ring: int, rings: int) -> tuple[float, float]:
    """The inner and outer radius of a ring's band: the ring lines around its people."""
    band = (OUTER - INNER) / rings
    return INNER + band * (ring - 1), INNER + band * ring


Box = tuple[float, float, float, float]  # left, top, right, bottom


def _overlap(a: Box, b: Box) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


@dataclass(frozen=True)
class _Spot:
    x: float
    y: float
    angle: float
    name: str  # as drawn: shortened to fit the ring's band
    side: str  # where the name sits beside its marker: "below", "above", "right" or "left"
    boxes: tuple[Box, ...]  # the marker's and the name's, for collisions

    @property
    def label(self) -> Box:
        return self.boxes[1]


def baseline_of(font: int) -> int:
    """Where a name's baseline sits below its marker, when the name is below it."""
    return font + 11


GAP = 13  # from a marker's centre to the near edge of a name beside it
PAD = 2  # between a name and the ring lines around it
# Where a name may sit beside its marker, in order of preference when several keep as many letters:
# under it, over it, to its right or left, or along the ring either way (which suits the diagonals).
SIDES = ("below", "above", "right", "left", "along+", "along-")


def text_offset(side: str, font: int, width: float = 0, angle: float = 0) -> tuple[float, float, str]:
    """The name's anchor point relative to its marker, and its text-anchor."""
    middle = 0.25 * font  # the baseline that centres the name's height on a point
    if side == "below":
        return 0, baseline_of(font), "middle"
    if side == "above":
        return 0, -GAP - 0.25 * font, "middle"
    if side in ("right", "left"):
        return (GAP, middle, "start") if side == "right" else (-GAP, middle, "end")
    # Along the ring: the name's centre a little way round the ring, clear of the marker.
    turn = 1 if side == "along+" else -1
    tx, ty = -math.sin(angle) * turn, math.cos(angle) * turn
    reach = GAP + max(width / 2 * abs(tx), 0.5 * font * abs(ty)) / max(abs(tx), abs(ty))
    return tx * reach, ty * reach + middle, "middle"


def label_box(x: float, y: float, name: str, side: str, font: int, angle: float = 0) -> Box:
    """The box a name takes: from its cap height to below its descenders."""
    width = len(name) * CHAR * font
    dx, baseline, anchor = text_offset(side, font, width, angle)
    left = {"middle": x + dx - width / 2, "start": x + dx, "end": x + dx - width}[anchor]
    return (left, y + baseline - 0.75 * font, left + width, y + baseline + 0.25 * font)


def within_band(box: Box, inner: float, outer: float) -> bool:
    """Whether the whole box lies between the two ring lines (with a little room to spare)."""
    xs = (box[0] - CENTRE, box[2] - CENTRE)
    ys = (box[1] - CENTRE, box[3] - CENTRE)
    farthest = max(math.hypot(x, y) for x in xs for y in ys)
    nearest = math.hypot(min(max(0.0, xs[0]), xs[1]), min(max(0.0, ys[0]), ys[1]))
    return nearest >= inner + PAD and farthest <= outer - PAD


def _spot(angle: float, ring: tuple[float, float], name: str, font: int) -> _Spot:
    """The marker on the middle of the ring's band at `angle`, and its name on whichever side keeps
    most of it inside the band: a name never straddles a ring line, it is shortened instead."""
    inner, outer = ring
    radius = (inner + outer) / 2
    x = CENTRE + radius * math.cos(angle)
    y = CENTRE + radius * math.sin(angle)
    marker = (x - 11, y - 11, x + 11, y + 11)
    best = None
    for side in SIDES:
        for length in range(len(name), 0, -1):
            shown = name if length == len(name) else _shorten(name, length)
            if within_band(label_box(x, y, shown, side, font, angle), inner, outer):
                if best is None or length > len(best[1]):
                    best = (side, shown)
                break
    side, shown = best or ("below", "")
    return _Spot(x, y, angle, shown, side, (marker, label_box(x, y, shown, side, font, angle)))


def _place(
    names: list[str], ring: tuple[float, float], base: float, font: int, taken: list[Box]
) -> list[_Spot]:
    """Spread the people of one ring evenly, turned to clash least with what is already drawn and to
    cut the fewest letters from their names.

    Tries a few turns of the ring from `base`, keeps the first with the least cost, so that the
    same people always land in the same places."""
    step = 2 * math.pi / len(names)
    best, best_cost = [], math.inf
    for j in range(TRIES):
        start = base + j * step / TRIES
        spots = [_spot(start + i * step, ring, name, font) for i, name in enumerate(names)]
        overlap = sum(_overlap(box, other) for spot in spots for box in spot.boxes for other in taken)
        cut = sum(len(name) - len(spot.name) for name, spot in zip(names, spots, strict=True))
        cost = overlap + cut * CHAR * font * font
        if cost < best_cost:
            best, best_cost = spots, cost
        if cost == 0:
            break
    return best


def _band_fill(index: int, rings: int) -> str:
    # From a soft blue in the middle to nearly white at the edge.
    light = 0 if rings == 1 else index / (rings - 1)
    r, g, b = (round(a + (z - a) * light) for a, z in zip((214, 228, 241), (246, 249, 252), strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def closeness_circle(
    people: Sequence[Person],
    *,
    rings: int,
    label: str,
    centre: str,
    statuses: Sequence[Status] = (),
    show_status: bool = True,
    not_recorded: str = "Not recorded",
    large: bool = False,
) -> SafeString:
    """The circle with everyone who has a ring; `statuses` names the legend's entries in order.

    People keep the order given; on each ring they are spread evenly, and the ring is turned so
    that names on neighbouring rings do not run into each other. `large` draws bigger names
    (the stylesheet sizes them by the class; the function needs to know, to fit them)."""
    font = LARGE_FONT if large else FONT
    placed = [p for p in people if p.ring is not None and 1 <= p.ring <= rings]
    known = {s.id for s in statuses}
    legend: list[tuple[str, str]] = []
    if show_status:
        legend = [(s.id, s.label) for s in statuses]
        if any(p.status not in known for p in placed):
            legend.append((NOT_RECORDED, not_recorded))
    legend_top = CENTRE + OUTER + 14
    height = legend_top + math.ceil(len(legend) / 2) * LEGEND_ROW + 6 if legend else WIDTH

    css = "circle large" if large else "circle"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:g}" class="{css}" '
        f'role="img" aria-label="{_attr(label)}">'
    ]
    band = (OUTER - INNER) / rings
    taken: list[Box] = [(CENTRE - INNER, CENTRE - INNER, CENTRE + INNER, CENTRE + INNER)]
    for ring in range(rings, 0, -1):
        top = CENTRE - INNER - band * ring + 16
        taken.append((CENTRE - 8, top - 13, CENTRE + 8, top + 3))
        parts.append(
            f'<circle cx="{CENTRE:g}" cy="{CENTRE:g}" r="{INNER + band * ring:g}" '
            f'fill="{_band_fill(ring - 1, rings)}" stroke="#8fa4b8" stroke-width="1.5" class="ring"/>'
            f'<text x="{CENTRE:g}" y="{top:g}" text-anchor="middle" class="ring-number">{ring}</text>'
        )
    parts.append(
        f'<circle cx="{CENTRE:g}" cy="{CENTRE:g}" r="{INNER}" fill="#1b2a3a"/>'
        f'<text x="{CENTRE:g}" y="{CENTRE + 5:g}" text-anchor="middle" class="centre" fill="#fff">'
        f"{escape(_shorten(centre, 8))}</text>"
    )

    for ring in range(1, rings + 1):
        here = [p for p in placed if p.ring == ring]
        if not here:
            continue
        radius = ring_radius(ring, rings)
        room = 2 * radius * math.sin(math.pi / len(here)) if len(here) > 1 else WIDTH
        limit = max(6, min(18, int(room / (CHAR * font))))
        names = [_shorten(p.label, limit) for p in here]
        base = math.radians(-60 + TURN * (ring - 1))
        spots = _place(names, band_of(ring, rings), base, font, taken)
        for person, spot in zip(here, spots, strict=True):
            taken.extend(spot.boxes)
            dx, baseline, anchor = text_offset(spot.side, font, len(spot.name) * CHAR * font, spot.angle)
            status = person.status if person.status in known else NOT_RECORDED
            shape, colour = MARKERS.get(status, MARKERS[NOT_RECORDED]) if show_status else PLAIN
            kind = f"person ring-{ring}" + (f" status-{status}" if show_status else "")
            parts.append(
                f'<g class="{_attr(kind)}" transform="translate({spot.x:.1f} {spot.y:.1f})">'
                f"<title>{escape(person.title or person.label)}</title>"
                f"{_marker(shape, colour)}"
                f'<text x="{dx:.1f}" y="{baseline:.1f}" text-anchor="{anchor}" class="name">'
                f"{escape(spot.name)}</text>"
                "</g>"
            )

    for i, (status, text) in enumerate(legend):
        x = 80 + (i % 2) * 190
        y = legend_top + (i // 2) * LEGEND_ROW + LEGEND_ROW / 2
        shape, colour = MARKERS.get(status, MARKERS[NOT_RECORDED])
        parts.append(
            f'<g class="legend-item">{_marker(shape, colour, x, y)}'
            f'<text x="{x + 20:g}" y="{y + 5:g}" class="legend">{escape(text)}</text></g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
