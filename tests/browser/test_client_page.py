"""The client page leads with the clinical picture: a client whose PHQ-9 and GAD-7 both fell below
caseness shows recovery on the client page and the course summary; the first screen at desktop and
phone size holds where the course stands, the open alert and the latest scores."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import SCREENS, SCREENSHOTS, sign_in

from rapport.clinic.models import Client, Course, Response, RiskAlert, Session

pytestmark = pytest.mark.browser


def recovered_client(clinic):
    client = Client.objects.create(
        organisation=clinic.org,
        team=clinic.team_a,
        responsible_clinician=clinic.clinician,
        full_name="Ffion Recovered",
        preferred_name="Ffi",
        date_of_birth=date(1987, 3, 14),
        country="GB",
    )
    # A course opened and under way whose contract still says "referred": the page says active.
    course = Course.objects.create(client=client, status="referred", planned_sessions=16)
    start = timezone.now() - timedelta(weeks=12)
    for n in range(1, 12):
        Session.objects.create(
            course=course, number=n, date=(start + timedelta(weeks=n - 1)).date(), status="attended"
        )
    Session.objects.create(course=course, number=12, date=timezone.localdate() + timedelta(days=2))
    for instrument, points in {
        "phq9": [(1, 19, "moderately_severe"), (4, 14, "moderate"), (8, 8, "mild"), (11, 4, "minimal")],
        "gad7": [(1, 13, "moderate"), (6, 9, "mild"), (11, 5, "mild")],
        "cssrs_screen": [(1, None, "")],
    }.items():
        for session, total, band in points:
            response = Response.objects.create(
                client=client,
                course=course,
                session_number=session,
                instrument=instrument,
                instrument_version="1",
                answered_by=clinic.clinician,
                respondent="clinician",
                answered_at=start + timedelta(weeks=session - 1),
                complete=True,
                total=total,
                band=band,
                risk_level="low" if instrument == "cssrs_screen" else "none",
            )
            if instrument == "cssrs_screen":
                RiskAlert.objects.create(client=client, response=response, tier="T1", risk_level="low")
    return client


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
def test_the_recovered_client_shows_recovery_on_the_client_page_and_the_course_summary(
    new_page, clinic, screen
):
    client = recovered_client(clinic)
    page = new_page(screen)
    sign_in(page, clinic.clinician.email)
    page.goto(f"/clients/{client.pk}/")
    problems: list[str] = []

    where = page.get_by_role("region", name="Where the course stands")
    expect(where).to_contain_text("In a course of IPT")
    expect(where).to_contain_text("Session 11 of 16")
    expect(where).to_contain_text("Next session")
    expect(where.get_by_text("Mid-course review overdue: planned at session 8.")).to_be_visible()
    expect(page.get_by_role("alert").locator(".tier")).to_have_text("T1")
    latest = page.get_by_role("region", name="Latest scores")
    expect(latest.locator(".badge", has_text="Reliable recovery")).to_be_visible()
    expect(latest.get_by_text("Not on track")).to_have_count(0)
    rows = latest.get_by_role("row")
    expect(rows.nth(1)).to_contain_text("PHQ-9")
    expect(rows.nth(1)).to_contain_text("-15")
    expect(rows.nth(3)).to_contain_text("Low risk")
    expect(page.get_by_text("Referred", exact=True)).to_have_count(0)
    expect(page.get_by_text("no total")).to_have_count(0)
    # The first screen holds the picture; the details wait behind their fold.
    assert latest.bounding_box()["y"] < screen.height or screen.mobile
    expect(page.get_by_role("definition").filter(has_text="14 March 1987")).to_have_count(0)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"client-page-first-screen-{screen.name}.png")
    check_page(page, "client-page", screen, problems)

    page.goto(f"/clients/{client.pk}/course/summary/")
    expect(page.locator(".badge", has_text="Reliable recovery")).to_be_visible()
    expect(page.get_by_text("Active · started")).to_be_visible()
    expect(page.get_by_text("Low risk.")).to_be_visible()  # the C-SSRS by its risk level
    check_page(page, "course-summary-recovered", screen, problems)
    assert not problems, problems
