"""The supervisor's workspace, a case review whose action the clinician then sees on their
caseload, and a client transfer by an administrator: at a phone and a desktop size, with
screenshots to look at in test-results/screenshots/."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import SCREENS, SCREENSHOTS, sign_in

from rapport.clinic.models import Client, Course, Notification, RiskAlert, Session

pytestmark = pytest.mark.browser


def a_course_past_its_end(client):
    start = timezone.localdate() - timedelta(weeks=12)
    course = Course.objects.create(
        client=client,
        status="active",
        planned_sessions=16,
        started_on=start,
        planned_end_on=start + timedelta(weeks=10),
    )
    for n in range(1, 10):
        Session.objects.create(course=course, number=n, date=start + timedelta(weeks=n), status="attended")
    RiskAlert.objects.create(
        client=client, tier="T2", risk_level="moderate", created_at=timezone.now() - timedelta(days=2)
    )


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_a_supervisor_reviews_a_case_and_the_clinician_sees_the_action(new_page, clinic, screen, watch):
    problems: list[str] = []
    a_course_past_its_end(clinic.client)
    page = new_page(screen)
    sign_in(page, clinic.supervisor.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervision workspace")
    expect(page.locator("#flag-past_planned_end .count")).to_have_text("1")
    expect(page.locator("#flag-review_overdue .count")).to_have_text("1")
    expect(page.locator("#flag-no_measure .count")).to_have_text("1")
    expect(page.get_by_role("link", name=f"T2 · {clinic.client.display_name}")).to_be_visible()
    expect(page.get_by_text(clinic.other_client.full_name)).to_have_count(0)
    check_page(page, "supervision-home", screen, problems)

    past_end = page.locator("section[aria-labelledby=flag-past_planned_end]")
    past_end.get_by_role("link", name=f"review {clinic.client.display_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a case review")
    page.get_by_label("Discussion").fill("Course has run past its end; agree an ending plan.")
    page.get_by_label("Agreed action 1").fill("Plan the termination sessions")
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    page.get_by_label("Due by (action 1)").fill(due)
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Case review")
    expect(page.get_by_text("Plan the termination sessions", exact=True).first).to_be_visible()
    check_page(page, "case-review", screen, problems)

    page = new_page(screen)
    sign_in(page, clinic.clinician.email)
    due_box = page.locator("section", has=page.get_by_role("heading", name="Supervision actions due"))
    expect(due_box.get_by_role("link", name="Plan the termination sessions")).to_be_visible()
    expect(page.get_by_text("A supervision case review was recorded")).to_be_visible()
    check_page(page, "caseload-with-supervision-action", screen, problems)
    due_box.get_by_role("link", name="Plan the termination sessions").click()
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_text("Marked done.")).to_be_visible()
    expect(page.get_by_role("heading", name="Edit the review")).to_have_count(0)
    page.goto("/caseload/")
    expect(page.get_by_role("heading", name="Supervision actions due")).to_have_count(0)
    assert problems == []


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_an_administrator_moves_a_client_and_everyone_concerned_is_told(new_page, clinic, screen, watch):
    problems: list[str] = []
    page = new_page(screen)
    sign_in(page, clinic.administrator.email)
    page.get_by_role("link", name=f"Transfer #{clinic.client.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Move a client to another responsible clinician"
    )
    page.get_by_role("button", name="Move the client").click()
    expect(page.get_by_text("Nothing was moved.")).to_be_visible()
    check_page(page, "client-transfer-errors", screen, problems)
    page.get_by_label("New responsible clinician").select_option(label=str(clinic.co_clinician))
    page.get_by_label("Reason").fill("Cleo is on leave until spring")
    page.get_by_role("button", name="Move the client").click()
    expect(page.get_by_text("The client was moved")).to_be_visible()
    client = Client.objects.get(pk=clinic.client.pk)
    assert client.responsible_clinician == clinic.co_clinician
    assert set(Notification.objects.filter(client=client).values_list("recipient", flat=True)) == {
        clinic.clinician.pk,
        clinic.co_clinician.pk,
        clinic.supervisor.pk,
    }
    page.goto(f"/administration/clients/{clinic.client.pk}/transfer/")
    expect(page.get_by_text("Cleo is on leave until spring")).to_be_visible()
    check_page(page, "client-transfer-history", screen, problems)

    page = new_page(screen)
    sign_in(page, clinic.co_clinician.email)
    expect(page.get_by_text("A client moved to another responsible clinician")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / f"transfer-notice-{screen.name}.png", full_page=True)
    assert problems == []


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_per_clinician_figures_and_the_programme_leads_counts(new_page, clinic, screen, watch):
    problems: list[str] = []
    a_course_past_its_end(clinic.client)
    a_course_past_its_end(clinic.other_client)
    page = new_page(screen)
    sign_in(page, clinic.supervisor.email)
    page.goto("/supervision/")
    row = page.locator("tr", has=page.get_by_text(clinic.clinician.full_name, exact=True))
    expect(row.get_by_text("1 course", exact=True)).to_be_visible()
    row.get_by_text("Fidelity").click()
    check_page(page, "supervision-figures", screen, problems)
    row.get_by_role("link", name=f"0 of 0 ({clinic.clinician.full_name})").first.click()
    expect(page).to_have_url(
        re.compile(rf"/programme/courses/\?team={clinic.team_a.pk}&clinician={clinic.clinician.pk}&figure=")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Courses: Recovery")

    page = new_page(screen)
    sign_in(page, clinic.programme_lead.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Workspace").click()
    expect(page.get_by_role("link", name="Workspace")).to_have_attribute("aria-current", "page")
    expect(page.locator("#flag-past_planned_end .count")).to_have_text("2")
    expect(page.locator("#lead-note")).to_be_visible()
    for name in (clinic.client.display_name, clinic.other_client.display_name):
        expect(page.get_by_text(name)).to_have_count(0)
    expect(page.get_by_role("link", name="Record a case review")).to_have_count(0)
    check_page(page, "supervision-programme-lead", screen, problems)
    assert problems == []


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_a_leaving_clinicians_clients_go_each_where_the_administrator_chose(new_page, clinic, screen, watch):
    problems: list[str] = []
    dana = Client.objects.create(
        organisation=clinic.org,
        team=clinic.team_a,
        responsible_clinician=clinic.clinician,
        full_name="Dana Hartley-Okonkwo-Fitzgerald de la Cruz",
        date_of_birth="1988-04-02",
        country="GB",
    )
    page = new_page(screen)
    sign_in(page, clinic.administrator.email)
    page.get_by_role("button", name=f"Deactivate {clinic.clinician.full_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Before deactivating {clinic.clinician.full_name}"
    )
    page.get_by_label("Reason").fill("Cleo has left the service")
    page.get_by_role("button", name="Move the clients and deactivate").click()
    expect(page.get_by_text("Nothing was changed.")).to_be_visible()
    check_page(page, "account-hand-over-errors", screen, problems)

    page.get_by_label("Move every client to").select_option(label=str(clinic.co_clinician))
    page.get_by_label(f"#{dana.pk} · {dana.full_name} (Team A)").select_option(
        label=str(clinic.other_clinician)
    )
    check_page(page, "account-hand-over-per-client", screen, problems)
    page.get_by_role("button", name="Move the clients and deactivate").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"2 clients were moved and {clinic.clinician.full_name}"
    )
    moved = {
        c.pk: c.responsible_clinician_id for c in Client.objects.filter(pk__in=[clinic.client.pk, dana.pk])
    }
    assert moved == {clinic.client.pk: clinic.co_clinician.pk, dana.pk: clinic.other_clinician.pk}
    assert set(Notification.objects.filter(client=dana).values_list("recipient", flat=True)) == {
        clinic.clinician.pk,
        clinic.other_clinician.pk,
        clinic.supervisor.pk,
        clinic.other_supervisor.pk,
    }

    page = new_page(screen)
    sign_in(page, clinic.other_clinician.email)
    expect(page.get_by_text("A client moved to another responsible clinician")).to_be_visible()
    assert problems == []
