"""Risk alerts in Debian's chromium: the clinician finds an alert raised by a PHQ-9 item 9 answer
on the caseload and the alerts page, acknowledges and resolves it; an unacknowledged T3 alert is
escalated to the supervisor by the worker (time moved forward) and the supervisor sees it.

Screenshots go to test-results/screenshots/alerts-*.png and alert-detail-*.png.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import PHONE, SCREENS, sign_in
from tests.support import request_as, run_worker

from rapport.clinic import alerts, measurement
from rapport.clinic.models import AlertStatus, RiskAlert
from rapport.messaging import clinic_notices

pytestmark = pytest.mark.browser

FREQ = ["not_at_all", "several_days", "more_than_half_the_days", "nearly_every_day"]


def test_the_clinician_finds_acknowledges_and_resolves_an_alert_from_a_phq9_answer(new_page, clinic):
    answers = {f"item{i}": FREQ[1] for i in range(1, 9)} | {"item9": FREQ[2]}
    measurement.record_response(request_as(clinic.client_user), clinic.client.pk, "phq9", answers)
    alert = RiskAlert.objects.get()
    run_worker()  # the e-mails to the client's clinicians
    problems: list[str] = []

    page = new_page()
    sign_in(page, clinic.clinician.email)
    row = page.get_by_role("row", name="Cai")
    row.get_by_role("link", name="1 open alert").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Risk alerts")
    line = page.locator(f"#alert-{alert.pk}")
    expect(line).to_contain_text("T2")
    expect(line).to_contain_text("Not yet acknowledged")
    for screen in SCREENS:
        page.set_viewport_size({"width": screen.width, "height": screen.height})
        check_page(page, "alerts", screen, problems)

    line.get_by_role("link", name="Open and acknowledge").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("T2 risk alert for Cai")
    expect(page.get_by_text("PHQ-9 question 9 answered “More than half the days”.")).to_be_visible()
    expect(page.get_by_text("Told the client's clinicians")).to_be_visible()
    for screen in SCREENS:
        page.set_viewport_size({"width": screen.width, "height": screen.height})
        check_page(page, "alert-detail", screen, problems)

    page.get_by_role("button", name="Acknowledge the alert").click()
    expect(page.get_by_role("alert")).to_contain_text("Write a short note")
    page.get_by_label("Note: what you saw and what you will do").fill("Seen. Ringing Cai this afternoon.")
    page.get_by_role("button", name="Acknowledge the alert").click()
    expect(page.get_by_role("status")).to_contain_text("it will not be escalated")
    expect(page.get_by_role("button", name="Acknowledge the alert")).to_have_count(0)

    page.get_by_role("radio", name="Safety plan made or reviewed with the client").check()
    page.get_by_label("Note (optional)").fill("Reviewed the plan together on the phone.")
    page.get_by_role("button", name="Resolve the alert").click()
    expect(page.get_by_role("status")).to_contain_text("The alert is resolved")
    expect(page.locator(".alert-chain")).to_contain_text("Reviewed the plan together on the phone.")
    check_page(page, "alert-detail-resolved", PHONE, problems)
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by, alert.resolution_action) == (
        AlertStatus.CLOSED,
        clinic.clinician,
        "safety_plan",
    )

    page.goto("/caseload/")
    expect(page.get_by_role("link", name="1 open alert")).to_have_count(0)
    page.goto("/alerts/")
    expect(page.get_by_text("No alert is waiting.")).to_be_visible()
    expect(page.get_by_role("link", name="Safety plan made or reviewed with the client")).to_be_visible()
    assert problems == []


def test_an_unacknowledged_t3_alert_reaches_the_supervisor_through_the_worker(new_page, clinic):
    start = timezone.now()
    alert = alerts.help_now(request_as(clinic.client_user))
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["clinician@test.rapport", "co@test.rapport"]

    # Nobody acknowledges it. A quarter of an hour on, the worker runs the escalation job.
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        run_worker()
    alert.refresh_from_db()
    assert (alert.status, alert.escalation_level) == (AlertStatus.OPEN, 1)
    assert mail.outbox[-1].to == ["supervisor@test.rapport"]

    problems: list[str] = []
    page = new_page(PHONE)
    sign_in(page, clinic.supervisor.email)
    notice = page.locator(".notice", has_text="Escalated: risk alert (T3)")
    expect(notice).to_be_visible()
    check_page(page, "caseload-escalated", PHONE, problems)
    notice.get_by_role("link", name="Open the alert").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("T3 risk alert for Cai")
    expect(page.locator(".alert-summary")).to_contain_text("Overdue: escalated")
    expect(page.locator(".alert-chain")).to_contain_text("Escalated to the team's supervisors")
    expect(page.locator(".alert-chain")).to_contain_text("Sue Pervisor")
    check_page(page, "alert-detail-escalated", PHONE, problems)
    page.goto("/alerts/")
    expect(page.locator(f"#alert-{alert.pk}")).to_contain_text("Overdue: escalated")
    check_page(page, "alerts-escalated", PHONE, problems)

    page.goto(f"/alerts/{alert.pk}/")
    page.get_by_label("Note: what you saw and what you will do").fill(
        "Cleo is off sick; I am calling the client."
    )
    page.get_by_role("button", name="Acknowledge the alert").click()
    expect(page.get_by_role("status")).to_contain_text("it will not be escalated")
    with time_machine.travel(start + timedelta(minutes=60), tick=False):
        run_worker()
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.escalation_level) == (clinic.supervisor, 1)
    assert problems == []


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_the_other_staff_pages_of_the_safety_net_fit_the_screen_and_label_their_fields(
    new_page, clinic, screen
):
    from datetime import date

    from rapport.clinic import portal, safety_plans
    from rapport.clinic.models import Client, Course, Preparation, Session

    newcomer = Client.objects.create(
        organisation=clinic.org,
        team=clinic.team_a,
        responsible_clinician=clinic.clinician,
        full_name="Noor Newcomer",
        date_of_birth=date(1999, 3, 3),
        country="GB",
        time_zone="Europe/London",
        status="assessment",
    )
    clinician = request_as(clinic.clinician)
    portal.set_schedule(clinician, clinic.client.pk, "phq9", "before_session", True)
    clinic_notices.send(clinician, clinic.client.pk, "See you on Tuesday at ten.")
    plan = {
        "warning_signs": [{"text": "Not sleeping; staying in bed all day"}],
        "people_to_ask_for_help": [{"text": "My sister Ann", "phone": "07700 900123"}],
        "professionals_and_agencies": [{"text": "Samaritans", "phone": "116 123", "available_hours": "24/7"}],
    }
    safety_plans.save(clinician, clinic.client.pk, plan, 0, reviewed_together=True)
    course = Course.objects.create(client=clinic.client, started_on=date(2026, 1, 5), status="active")
    Session.objects.create(
        course=course, number=1, date=date(2026, 1, 5), status="attended", between_session_task="Ring Sam"
    )
    session = Session.objects.create(course=course, number=2, date=date(2026, 1, 12), status="scheduled")
    Preparation.objects.create(
        client=clinic.client,
        course=course,
        what_happened="Sam and I argued again about the move.",
        topics="The argument",
        mood_change=-1,
        shared_at=timezone.make_aware(timezone.datetime(2026, 1, 10, 20)),
        created_at=timezone.make_aware(timezone.datetime(2026, 1, 10, 20)),
    )
    problems: list[str] = []
    page = new_page(screen)
    sign_in(page, clinic.clinician.email)
    for name, url in [
        ("client-portal", f"/clients/{clinic.client.pk}/portal/"),
        ("client-portal-no-account", f"/clients/{newcomer.pk}/portal/"),
        ("safety-plan", f"/clients/{clinic.client.pk}/safety-plan/"),
        ("safety-plan-history", f"/clients/{clinic.client.pk}/safety-plan/history/"),
        ("alert-raise", f"/clients/{clinic.client.pk}/alerts/new/"),
        ("session-with-client-notes", f"/clients/{clinic.client.pk}/sessions/{session.pk}/"),
    ]:
        page.goto(url)
        check_page(page, name, screen, problems)
    page.goto(f"/clients/{newcomer.pk}/portal/")
    page.get_by_role("button", name="Print a one-time code instead").click()
    expect(page.locator(".invitation-code .code")).to_have_text(
        re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")
    )
    check_page(page, "invitation-code", screen, problems)

    page = new_page(screen)
    sign_in(page, clinic.administrator.email)
    check_page(page, "administration", screen, problems)
    page.goto("/administration/opening-hours/")
    check_page(page, "opening-hours", screen, problems)
    assert problems == []
