"""The missed-session policy in Debian's chromium at phone size: before cancelling a session that
starts within the contract's window, the client reads in plain words that it is a late
cancellation and uses up a session; cancelling records it so, and the clinician's appointments
page counts it. Screenshots: test-results/screenshots/missed-*.png."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.browser.test_portal import run_axe
from tests.browser.test_scheduling import appointment, consent, with_axe

from rapport.clinic.models import Course
from rapport.scheduling.models import AppointmentStatus

pytestmark = pytest.mark.browser


def test_the_client_reads_the_policy_before_cancelling_late(new_page, clinic, live_server):
    course = Course.objects.create(client=clinic.client, status="active", planned_sessions=12)
    soon = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=5)
    appt = appointment(clinic, soon, place="Room 2", course=course)
    consent(clinic, "treatment")
    problems: list[str] = []
    page = new_page(PHONE)
    with_axe(page, live_server)
    sign_in(page, clinic.client_user.email)
    page.goto("/my/appointments/")
    warning = page.get_by_text("if you cancel now, it counts as a late cancellation")
    expect(warning).to_be_visible()
    expect(page.get_by_text("You agreed to 12 sessions.")).to_be_visible()
    check_page(page, "missed-late-warning", PHONE, problems)
    problems.extend(f"axe {v}" for v in run_axe(page))
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator(".appointment .appointment-status")).to_contain_text("Cancelled late")
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.LATE_CANCELLED
    desk = new_page(DESKTOP)
    with_axe(desk, live_server)
    sign_in(desk, clinic.clinician.email)
    desk.goto(f"/clients/{clinic.client.pk}/appointments/")
    expect(desk.locator("p.sessions-used")).to_contain_text("1 of 12")
    check_page(desk, "missed-sessions-used", DESKTOP, problems)
    problems.extend(f"axe {v}" for v in run_axe(desk))
    assert not problems, "\n".join(problems)
