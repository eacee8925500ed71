"""The timeline chart: mood on the protocol's scale with zero marked, every event on the time axis
(periods as bars), the PHQ-9 on its own axis, nothing unescaped and no inline style."""

import re
from datetime import date

from rapport.drawings.timeline_chart import Event, Score, timeline

SCALE = {"mood_min": -5, "mood_max": 5, "score_label": "PHQ-9", "score_max": 27, "label": "Timeline"}


def chart(events=(), scores=(), **options):
    return str(timeline(list(events), list(scores), **{**SCALE, **options}))


def mood_marks(svg):
    return [
        (float(x), float(y))
        for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="5" class="mood-mark"', svg)
    ]


def zero_line_y(svg):
    return float(re.search(r'y1="([\d.]+)" y2="[\d.]+" class="zero"', svg).group(1))


DEATH = Event(1, date(2025, 3, 3), None, "1. Her mother died", mood=-4)
MOVE = Event(2, date(2025, 5, 1), date(2025, 8, 31), "2. Moved to a new town", mood=1)
ROW = Event(3, date(2025, 10, 1), None, "3. A row with her partner")


def test_every_event_is_marked_and_numbered_as_in_the_table():
    svg = chart([DEATH, MOVE, ROW])
    assert svg.count('class="event-mark"') == 2 and svg.count('class="period"') == 1
    assert svg.count('<g class="event">') == 3
    for number in (1, 2, 3):
        assert re.search(rf'class="axis event-number">{number}</text>', svg)


def test_a_period_is_a_bar_from_its_start_to_its_end():
    svg = chart([DEATH, MOVE, ROW])
    x, width = (
        float(v)
        for v in re.search(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="10"', svg).groups()
    )
    death_x = float(re.search(r'<polygon points="([\d.]+),', svg).group(1))
    # May to August is about twice as long as March to May.
    assert abs(width - 2 * (x - death_x)) < 0.1 * width


def test_mood_is_a_line_through_the_rated_events_only():
    svg = chart([DEATH, MOVE, ROW])
    assert len(mood_marks(svg)) == 2 and svg.count('class="mood-line"') == 1


def test_mood_is_drawn_on_the_protocols_scale_with_zero_marked():
    svg = chart([DEATH, MOVE])
    (_, low), (_, good) = mood_marks(svg)
    zero = zero_line_y(svg)
    assert good < zero < low  # a good mood above the zero line, a low one below
    assert abs((low - zero) - 4 * (zero - good)) < 0.5  # -4 is four times as far from zero as +1
    for tick in ("-5", "0", "+5"):
        assert f'class="axis mood-axis">{tick}</text>' in svg


def test_the_mood_scale_comes_from_the_caller():
    svg = chart([Event(1, date(2025, 3, 3), None, "x", mood=0)], mood_min=0, mood_max=10)
    assert 'class="axis mood-axis">+10</text>' in svg and "-5" not in svg
    ((_, y),) = mood_marks(svg)
    assert abs(y - zero_line_y(svg)) < 0.1  # zero is the bottom of a 0..10 scale


def test_the_phq9_is_a_second_lighter_series_with_its_own_axis():
    scores = [Score(date(2025, 4, 1), 21, "PHQ-9 21"), Score(date(2025, 9, 1), 9, "PHQ-9 9")]
    svg = chart([DEATH], scores)
    assert (
        svg.count('class="score-mark"') == 2
        and 'class="score-line"' in svg
        and 'stroke-dasharray="5 4"' in svg
    )
    assert 'class="axis axis-title score-axis">PHQ-9</text>' in svg
    assert 'class="axis score-axis">25</text>' in svg and 'class="axis score-axis">0</text>' in svg
    first, second = (float(y) for y in re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="7"', svg))
    assert first < second  # 21 is drawn higher than 9


def test_scores_and_events_share_one_time_axis():
    same_day = date(2025, 6, 2)
    svg = chart(
        [Event(1, same_day, None, "x", mood=2)], [Score(same_day, 10, "y"), Score(date(2025, 1, 1), 5, "z")]
    )
    ((mood_x, _),) = mood_marks(svg)
    score_xs = [float(x) + 3.5 for x in re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="7"', svg)]
    assert any(abs(mood_x - x) < 0.2 for x in score_xs)


def test_the_onset_is_marked_when_known():
    assert 'class="onset"' not in chart([DEATH])
    svg = chart([DEATH], onset=date(2025, 4, 1), onset_label="Onset")
    assert 'class="onset"' in svg and ">Onset</text>" in svg


def test_the_time_axis_is_labelled_with_a_few_dates():
    svg = chart([DEATH, ROW])
    labels = re.findall(r'class="axis time-axis">([^<]+)</text>', svg)
    assert 2 <= len(labels) <= 6 and any("2025" in label for label in labels)


def test_overlapping_events_go_on_separate_lanes():
    same = [Event(n, date(2025, 3, 3), None, str(n)) for n in (1, 2, 3)]
    ys = {
        re.search(r'<polygon points="[\d.]+,([\d.]+)', part).group(1) for part in chart(same).split("<g ")[1:]
    }
    assert len(ys) == 3


def test_titles_labels_and_names_are_escaped():
    svg = chart(
        [Event(1, date(2025, 3, 3), None, "<script>alert(1)</script>", mood=-1)],
        [Score(date(2025, 4, 1), 3, "<b>")],
        label='"><img>',
        score_label="<i>",
        onset=date(2025, 3, 1),
        onset_label="<u>",
    )
    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg and "<u>" not in svg
    assert "&lt;script&gt;" in svg and 'aria-label="&quot;&gt;&lt;img&gt;"' in svg


def test_the_chart_is_an_image_with_an_accessible_name_and_no_inline_style():
    svg = chart([DEATH, MOVE, ROW], [Score(date(2025, 4, 1), 3, "x")], onset=date(2025, 3, 1))
    assert 'role="img"' in svg and 'aria-label="Timeline"' in svg
    assert "style=" not in svg and "<script" not in svg


def test_a_single_event_or_nothing_at_all_still_draws():
    assert len(mood_marks(chart([DEATH]))) == 1
    empty = chart(empty_text="Nothing yet")
    assert "Nothing yet" in empty and empty.endswith("</svg>")


def axis_labels(svg):
    return [text for _x, _y, text in axis_texts(svg)]


def axis_texts(svg):
    return re.findall(
        r'<text x="([\d.]+)" y="(\d+)" text-anchor="middle"[^>]*class="axis time-axis">([^<]+)</text>', svg
    )


def axis_boxes(svg):
    """Each date's text box under the axis: (left, right, row baseline), at the chart's text widths."""
    found = axis_texts(svg)
    return [(float(x) - len(t) * 8.5 / 2, float(x) + len(t) * 8.5 / 2, int(y)) for x, y, t in found]


def month_named(labels, day):
    month = day.strftime("%b")
    return any(month in label and str(day.year) in label for label in labels)


def test_the_time_axis_names_the_month_of_every_event():
    svg = chart([DEATH, MOVE, ROW])
    labels = axis_labels(svg)
    assert all(month_named(labels, e.start) for e in (DEATH, MOVE, ROW)), labels


def test_over_years_the_axis_still_names_each_events_month_and_no_two_dates_overlap():
    events = [
        Event(1, date(2014, 1, 10), None, "1. School change"),
        Event(2, date(2014, 2, 20), None, "2. Grandad died"),
        Event(3, date(2014, 3, 5), None, "3. Row with a friend"),
        Event(4, date(2019, 7, 1), date(2020, 6, 30), "4. A year abroad"),
        Event(5, date(2024, 11, 2), None, "5. Parents separated"),
    ]
    svg = chart(events, onset=date(2024, 12, 1))
    labels = axis_labels(svg)
    assert all(month_named(labels, e.start) for e in events), labels
    boxes = axis_boxes(svg)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[2] != b[2] or a[1] + 4 <= b[0] or b[1] + 4 <= a[0], (a, b)
        assert a[0] >= 0 and a[1] <= 420


def test_a_crowded_axis_moves_the_event_lanes_down_below_its_extra_rows():
    events = [Event(n, date(2014, n, 5), None, str(n)) for n in (1, 2, 3)] + [
        Event(4, date(2024, 1, 5), None, "4")
    ]
    svg = chart(events)
    lowest_date = max(y for _l, _r, y in axis_boxes(svg))
    first_lane = min(float(y) for y in re.findall(r'points="[\d.]+,([\d.]+) ', svg))
    assert lowest_date > 198 and first_lane > lowest_date
