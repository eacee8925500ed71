"""The trajectory chart: an SVG with the bands shaded, one dot per score, nothing unescaped."""

import re

from django.utils import timezone

from rapport.clinic import progress
from rapport.clinic.models import Course, Response
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


def test_the_clients_own_chart_is_the_staff_chart_with_bands_off(clinic):
    course = Course.objects.create(client=clinic.client, status="active")
    for n, (instrument, total, band) in enumerate(
        [("phq9", 21, "severe"), ("phq9", 12, "moderate"), ("hamd17", 18, "moderate")], start=1
    ):
        Response.objects.create(
            client=clinic.client,
            course=course,
            session_number=n,
            instrument=instrument,
            instrument_version="1.0",
            answered_by=clinic.clinician,
            respondent="clinician",
            answered_at=timezone.now(),
            complete=True,
            total=total,
            band=band,
        )
    staff = {p.instrument.id: p for p in progress.for_client(clinic.client, clinic.clinician)}
    mine = progress.for_client(clinic.client, clinic.client_user)
    # The clinician-rated HAM-D is not the client's; the PHQ-9 keeps its dots, loses its bands.
    assert set(staff) == {"phq9", "hamd17"} and [p.instrument.id for p in mine] == ["phq9"]
    assert circles(mine[0].chart) == circles(staff["phq9"].chart)
    assert "<rect" in staff["phq9"].chart and "<rect" not in mine[0].chart
    assert not re.search(r"severe|moderate|mild|minimal", mine[0].chart, re.IGNORECASE)
    assert (mine[0].change, mine[0].badges, mine[0].latest_band_label) == (None, [], None)
