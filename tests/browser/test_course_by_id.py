"""From a figure's list of courses to the course behind it: a client whose first course ended and
who is now in a second one is listed under "Finished" by the first, which opens read-only."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import SCREENS, sign_in

from rapport.clinic.models import Course, Session

pytestmark = pytest.mark.browser


def two_courses(client):
    first = Course.objects.create(
        client=client,
        status="ended",
        ending_reason="completed",
        started_on=date(2025, 1, 6),
        ended_on=date(2025, 2, 3),
        planned_sessions=12,
        contract_goals="Settle back into work after the move; " * 12,
    )
    for n in range(1, 5):
        Session.objects.create(
            course=first, number=n, date=date(2025, 1, 6) + timedelta(weeks=n - 1), status="attended"
        )
    Course.objects.create(client=client, status="active", started_on=date(2026, 2, 2), planned_sessions=16)


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_a_finished_figure_opens_the_course_that_finished(new_page, clinic, screen, watch):
    problems: list[str] = []
    two_courses(clinic.client)
    page = new_page(screen)
    sign_in(page, clinic.supervisor.email)
    page.goto("/programme/courses/?figure=finished")
    expect(page.get_by_role("heading", level=1)).to_have_text("Courses: Finished (2+ sessions)")
    page.get_by_role("link", name=clinic.client.display_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Earlier course of IPT, started 6 Jan 2025")
    expect(page.get_by_role("cell", name="6 Jan 2025")).to_be_visible()
    expect(page.get_by_role("button", name="Start a new course")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit the contract")).to_have_count(0)
    check_page(page, "course-earlier", screen, problems)
    page.get_by_role("link", name="Go to the current course (started 2 Feb 2026)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Course of IPT")
    assert problems == []
