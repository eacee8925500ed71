"""The interpersonal timeline as an SVG: mood over time through the events that carry a rating,
every event marked on the same time axis (periods as bars), and the questionnaire totals of the
course as a second, lighter series on an axis of their own.

A pure function of its arguments, like charts.py: no style attributes (the Content-Security-Policy
forbids inline styles), every text escaped, and one drawing for the page, the print view and a PDF.
Events are numbered as in the table beside the chart, which holds the same facts in words.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import cast
from xml.sax.saxutils import escape

from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe

# A narrow drawing keeps its text readable when a phone shrinks it to the screen.
WIDTH = 420
LEFT, RIGHT, TOP = 38, 34, 30
PLOT_H = 150
AXIS_Y = TOP + PLOT_H
LANES_TOP = AXIS_Y + 28
LABEL_ROW = 15  # a further row of dates under the axis, where events' months crowd together
LANE_H = 22
MAX_LANES = 8
# Widths of text in drawing units, generous enough for the larger type a phone gets (see the CSS).
DIGIT_W = 9.5
CHAR_W = 8.5


@dataclass(frozen=True)
class Event:
    number: int  # the event's row in the table
    start: date
    end: date | None  # the end of a period; None for a single date
    title: str  # the tooltip: what happened, when, the kind
    mood: int | None = None


@dataclass(frozen=True)
class Score:
    on: date
    total: int
    title: str


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _ticks(first: date, last: date) -> list[tuple[date, str]]:
    """About five dated ticks across the span, in whole weeks, months or years."""
    days = (last - first).days
    if days <= 75:
        step = 7 if days <= 35 else 14
        return [
            (first + timedelta(days=d), date_format(first + timedelta(days=d), "j M"))
            for d in range(0, days + 1, step)
        ]
    months = _month_index(last) - _month_index(first)
    step = next((s for s in (1, 2, 3, 4, 6, 12, 24, 36, 60, 120) if months / s <= 4.5), 240)
    index = _month_index(first)
    index += -index % step  # the first month on the step, so that ticks fall on quarters, years
    ticks = []
    while index <= _month_index(last):
        day = date(index // 12, index % 12 + 1, 1)
        if day >= first:
            ticks.append((day, date_format(day, "Y" if step >= 12 else "M Y")))
        index += step
    return ticks


def _month_label(day: date) -> str:
    return date_format(day, "M Y")


def _axis_labels(
    ticks: list[tuple[date, str]], events: list[Event], first: date, x, low: float, high: float
) -> list[tuple[float, float, str, int, bool]]:
    """The dates under the plot: (where the tick is, where its text is centred, the text, its row,
    whether it is an event's month). Every event's month is written, on a second or third row
    where months crowd together; the evenly spaced ticks fill in where they do not clash."""
    named = {(day.year, day.month) for day, text in ticks if any(c.isalpha() for c in text)}
    months = sorted({date(e.start.year, e.start.month, 1) for e in events})
    wanted = [
        (max(day, first), _month_label(day), True) for day in months if (day.year, day.month) not in named
    ]
    chosen: list[tuple[float, float, str, int, bool]] = []
    rows: list[list[tuple[float, float]]] = [[], [], []]

    def fits(row: int, left: float, right: float) -> bool:
        return all(right + 4 < a or left - 4 > b for a, b in rows[row])

    event_ticks = {(day.year, day.month) for day, _text, _e in wanted} | named & {
        (e.start.year, e.start.month) for e in events
    }
    # Event months first, so that they are always written; then the regular ticks where there is room.
    candidates = wanted + [(day, text, (day.year, day.month) in event_ticks) for day, text in ticks]
    candidates.sort(key=lambda c: (not c[2], c[0]))
    for day, text, is_event in candidates:
        at = x(day)
        if not low <= at <= high:
            continue
        half = len(text) * CHAR_W / 2
        centre = min(max(at, low - 4 + half), high + 4 - half) if is_event else at
        if not is_event and (at - half < low - 4 or at + half > high + 4):
            continue
        for row in range(len(rows) if is_event else 1):
            if fits(row, centre - half, centre + half):
                rows[row].append((centre - half, centre + half))
                chosen.append((at, centre, text, row, is_event))
                break
    return sorted(chosen)


def _signed(value: int) -> str:
    return f"+{value}" if value > 0 else str(value)


def timeline(
    events: list[Event],
    scores: list[Score],
    *,
    mood_min: int,
    mood_max: int,
    score_label: str,
    score_max: int,
    label: str,
    onset: date | None = None,
    onset_label: str = "Onset",
    mood_title: str = "Mood",
    empty_text: str = "Nothing recorded yet",
) -> SafeString:
    plot_w = WIDTH - LEFT - RIGHT
    inner_left, inner_w = LEFT + 10, plot_w - 20  # keep markers clear of the axes

    dates = [e.start for e in events] + [e.end for e in events if e.end] + [s.on for s in scores]
    if onset:
        dates.append(onset)
    first, last = (min(dates), max(dates)) if dates else (None, None)
    if first is not None and last is not None and first == last:
        first, last = first - timedelta(days=15), last + timedelta(days=15)
    span = (last - first).days if first is not None and last is not None else 0

    def x(day: date) -> float:
        # Only called once there are dates, so first is set.
        return inner_left + inner_w * (day - cast(date, first)).days / span

    def y_mood(mood: float) -> float:
        return TOP + PLOT_H * (mood_max - mood) / (mood_max - mood_min)

    def y_score(total: float) -> float:
        return TOP + PLOT_H * (1 - total / score_max)

    labels = (
        _axis_labels(_ticks(first, cast(date, last)), events, first, x, LEFT, WIDTH - RIGHT)
        if first is not None
        else []
    )
    # A second or third row of months pushes the event lanes down.
    lanes_top = LANES_TOP + LABEL_ROW * max((row for *_rest, row, _e in labels), default=0)

    # Events on lanes under the plot: each takes the first lane where it overlaps nothing.
    placed: list[tuple[Event, float, float, int, bool]] = []  # event, x0, x1, lane, label on left
    lane_ends: list[float] = []
    for event in sorted(events, key=lambda e: (e.start, e.number)):
        x0 = x(event.start)
        x1 = max(x(event.end), x0 + 4) if event.end else x0
        label_w = DIGIT_W * len(str(event.number))
        left_label = x1 + 8 + label_w > WIDTH - 2
        occupied = (x0 - 8 - label_w, x1 + 6) if left_label else (x0 - 7, x1 + 8 + label_w)
        lane = next((i for i, end in enumerate(lane_ends) if end + 4 < occupied[0]), len(lane_ends))
        if lane >= MAX_LANES:
            lane = min(range(MAX_LANES), key=lambda i: lane_ends[i])
        if lane == len(lane_ends):
            lane_ends.append(occupied[1])
        else:
            lane_ends[lane] = max(lane_ends[lane], occupied[1])
        placed.append((event, x0, x1, lane, left_label))
    lanes = max(len(lane_ends), 1)
    height = lanes_top + lanes * LANE_H + 8

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'class="chart timeline-chart" role="img" aria-label="{_attr(label)}">',
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{PLOT_H}" class="plot" fill="#f6f8fa"/>',
        f'<rect x="{LEFT}" y="{lanes_top - 6}" width="{plot_w}" height="{lanes * LANE_H + 6}" '
        'class="lanes" fill="#f6f8fa"/>',
        f'<text x="4" y="{TOP - 12}" class="axis axis-title">{escape(mood_title)}</text>',
        f'<text x="{WIDTH - 4}" y="{TOP - 12}" text-anchor="end" class="axis axis-title score-axis">'
        f"{escape(score_label)}</text>",
    ]

    # The mood scale, with zero drawn firmly: above it good, below it low.
    for mood in range(mood_min, mood_max + 1):
        line_class = "zero" if mood == 0 else "mood-grid"
        stroke = 'stroke="#4a5968" stroke-width="1.5"' if mood == 0 else 'stroke="#e1e7ed" stroke-width="1"'
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y_mood(mood):.1f}" y2="{y_mood(mood):.1f}" '
            f'class="{line_class}" {stroke}/>'
        )
    for mood in sorted({mood_min, mood_max} | ({0} if mood_min <= 0 <= mood_max else set())):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y_mood(mood) + 4:.1f}" text-anchor="end" class="axis mood-axis">'
            f"{_signed(mood)}</text>"
        )
    step = next((s for s in (1, 2, 5, 10, 20, 50, 100) if score_max / s <= 6), 200)
    for total in range(0, score_max + 1, step):
        parts.append(
            f'<text x="{WIDTH - RIGHT + 6}" y="{y_score(total) + 4:.1f}" class="axis score-axis">'
            f"{total}</text>"
        )

    if first is None:
        parts.append(
            f'<text x="{LEFT + plot_w / 2:.1f}" y="{TOP + PLOT_H / 2:.1f}" text-anchor="middle" class="axis">'
            f"{escape(empty_text)}</text></svg>"
        )
        return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped

    bottom = lanes_top + lanes * LANE_H
    for at, centre, text, row, is_event in labels:
        parts.append(
            f'<line x1="{at:.1f}" x2="{at:.1f}" y1="{TOP}" y2="{bottom}" class="tick" stroke="#c6d0da" '
            'stroke-width="1" stroke-dasharray="1 3"/>'
        )
        mark = ' data-event-month="true"' if is_event else ""
        parts.append(
            f'<text x="{centre:.1f}" y="{AXIS_Y + 18 + row * LABEL_ROW}" text-anchor="middle"{mark} '
            f'class="axis time-axis">{escape(text)}</text>'
        )
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{AXIS_Y}" y2="{AXIS_Y}" stroke="#4a5968"/>')

    # Periods shade the plot lightly; every event has a guide from the plot down to its marker.
    for event, x0, x1, lane, _left in placed:
        cy = lanes_top + lane * LANE_H + LANE_H / 2 - 4
        if event.end:
            parts.append(
                f'<rect x="{x0:.1f}" y="{TOP}" width="{x1 - x0:.1f}" height="{PLOT_H}" class="period-shade" '
                'fill="#205c8a" fill-opacity="0.08"/>'
            )
        parts.append(
            f'<line x1="{x0:.1f}" x2="{x0:.1f}" y1="{TOP}" y2="{cy:.1f}" class="event-guide" '
            'stroke="#8fa3b6" stroke-width="1" stroke-dasharray="3 3"/>'
        )
    if onset:
        at = x(onset)
        anchor, dx = ("end", -4) if at > LEFT + plot_w * 0.75 else ("start", 4)
        parts.append(
            f'<line x1="{at:.1f}" x2="{at:.1f}" y1="{TOP}" y2="{bottom}" class="onset" stroke="#8a1c1c" '
            'stroke-width="2" stroke-dasharray="6 3"/>'
            f'<text x="{at + dx:.1f}" y="{TOP + 14}" text-anchor="{anchor}" class="axis onset-label" '
            f'fill="#8a1c1c">{escape(onset_label)}</text>'
        )

    # The questionnaire totals: lighter and dashed, on the right-hand axis.
    marks = sorted(scores, key=lambda s: s.on)
    if len(marks) > 1:
        path = " ".join(f"{x(s.on):.1f},{y_score(s.total):.1f}" for s in marks)
        parts.append(
            f'<polyline points="{path}" fill="none" class="score-line" stroke="#7d91a6" stroke-width="1.75" '
            'stroke-dasharray="5 4"/>'
        )
    for s in marks:
        parts.append(
            f'<rect x="{x(s.on) - 3.5:.1f}" y="{y_score(s.total) - 3.5:.1f}" width="7" height="7" '
            'class="score-mark" fill="#fff" stroke="#5a6f86" stroke-width="1.5">'
            f"<title>{escape(s.title)}</title></rect>"
        )

    # Mood: a line through the events that carry a rating, at the date (or the middle of the period).
    def mood_x(event: Event) -> float:
        return x(event.start + (event.end - event.start) / 2) if event.end else x(event.start)

    rated = sorted((e for e in events if e.mood is not None), key=lambda e: (mood_x(e), e.number))
    if len(rated) > 1:
        path = " ".join(f"{mood_x(e):.1f},{y_mood(e.mood or 0):.1f}" for e in rated)
        parts.append(
            f'<polyline points="{path}" fill="none" class="mood-line" stroke="#1b2a3a" stroke-width="2.5"/>'
        )
    for e in rated:
        parts.append(
            f'<circle cx="{mood_x(e):.1f}" cy="{y_mood(e.mood or 0):.1f}" r="5" class="mood-mark" '
            'fill="#1b2a3a" '
            f'stroke="#fff" stroke-width="1.5"><title>{escape(e.title)}</title></circle>'
        )

    # The events themselves, numbered as in the table.
    for event, x0, x1, lane, left_label in placed:
        cy = lanes_top + lane * LANE_H + LANE_H / 2 - 4
        if event.end:
            marker = (
                f'<rect x="{x0:.1f}" y="{cy - 5:.1f}" width="{x1 - x0:.1f}" height="10" rx="3" '
                'class="period" fill="#cfe0ef" stroke="#205c8a" stroke-width="1.5"/>'
            )
        else:
            marker = (
                f'<polygon points="{x0:.1f},{cy - 7:.1f} {x0 + 6:.1f},{cy:.1f} {x0:.1f},{cy + 7:.1f} '
                f'{x0 - 6:.1f},{cy:.1f}" class="event-mark" fill="#205c8a"/>'
            )
        number_x, anchor = (x0 - 9, "end") if left_label else (x1 + 8, "start")
        parts.append(
            f'<g class="event"><title>{escape(event.title)}</title>{marker}'
            f'<text x="{number_x:.1f}" y="{cy + 4.5:.1f}" text-anchor="{anchor}" class="axis event-number">'
            f"{event.number}</text></g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
