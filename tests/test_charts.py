"""The trajectory chart: an SVG with the bands shaded, one dot per score, nothing unescaped."""

import re

from rapport.drawings.trajectory import Band, Point, trajectory

BANDS = [Band("Low", 0, 9), Band("High", 10, 27)]


def circles(svg):
    return [(float(x), float(y)) for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg)]


def test_one_dot_per_score_and_one_shaded_rectangle_per_band():
    svg = trajectory([Point("S1", 20, "a"), Point("S2", 10, "b")], BANDS, maximum=27, label="PHQ-9")
    assert svg.count("<circle") == 2 and svg.count("<rect") == 2
    assert 'role="img"' in svg and 'aria-label="PHQ-9"' in svg


def test_a_higher_score_is_drawn_higher():
    (_, y_high), (_, y_low) = circles(
        trajectory([Point("a", 20, "a"), Point("b", 5, "b")], BANDS, maximum=27, label="x")
    )
    assert y_high < y_low


def test_sessions_are_spaced_by_their_number():
    points = [Point("S1", 5, "a", at=1), Point("S2", 5, "b", at=2), Point("S8", 5, "c", at=8)]
    (x1, _), (x2, _), (x3, _) = circles(trajectory(points, BANDS, maximum=27, label="x"))
    assert abs((x3 - x2) - (x2 - x1) * 6) < 0.5


def test_labels_and_titles_are_escaped():
    svg = trajectory(
        [Point("<b>", 3, "<script>alert(1)</script>")], [Band("<i>", 0, 27)], maximum=27, label='"x'
    )
    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg and 'aria-label="&quot;x"' in svg


def test_no_inline_style_that_the_content_security_policy_would_block():
    svg = trajectory([Point("S1", 3, "a")], BANDS, maximum=27, label="x")
    assert "style=" not in svg
