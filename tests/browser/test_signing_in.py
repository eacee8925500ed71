"""Signing in and out as each kind of person, locking out, and idle log-off, in a real browser."""

import re

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect
from tests.browser.conftest import sign_in, sign_out
from tests.personas import PASSWORD

pytestmark = pytest.mark.browser

SIGN_IN_URL = re.compile(r"/sign-in/(\?.*)?$")


def test_a_clinician_signs_in_sees_their_caseload_opens_a_client_and_signs_out(page, clinic):
    sign_in(page, clinic.clinician.email)

    expect(page).to_have_url(re.compile(r"/caseload/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    expect(page.get_by_role("link", name="Caseload")).to_have_attribute("aria-current", "page")
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name=clinic.client.display_name)).to_be_visible()
    expect(page.get_by_text(clinic.other_client.full_name)).to_have_count(0)

    table.get_by_role("link", name=clinic.client.display_name).click()
    expect(page).to_have_url(re.compile(rf"/clients/{clinic.client.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(clinic.client.display_name)
    # The date of birth is on the compact line under the name; the full details sit behind a fold.
    expect(page.locator(".client-line")).to_contain_text("born 17 May 1990")

    sign_out(page)
    expect(page).to_have_url(SIGN_IN_URL)

    # The browser's back button shows no record: pages are never stored, so it asks again.
    page.go_back()
    expect(page).to_have_url(SIGN_IN_URL)
    expect(page.get_by_text(clinic.client.full_name)).to_have_count(0)

    page.goto("/caseload/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/caseload/$"))
    expect(page.get_by_role("heading", name="Sign in to Rapport")).to_be_visible()


def test_a_supervisor_sees_the_team_clients_and_opens_the_audit_trail_of_one(page, clinic):
    sign_in(page, clinic.supervisor.email)
    # Supervisors land on their workspace; the team's clients are one link away.
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervision workspace")
    page.get_by_role("link", name="Team clients").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clients of the teams you supervise")
    expect(page.get_by_role("link", name=clinic.client.display_name)).to_be_visible()
    expect(page.get_by_text(clinic.other_client.full_name)).to_have_count(0)
    # Supervisors read; they do not add clients.
    expect(page.get_by_role("link", name="Add a client")).to_have_count(0)

    page.get_by_role("link", name=clinic.client.display_name).click()
    expect(page.get_by_role("link", name="Edit details")).to_have_count(0)
    page.get_by_role("link", name="Audit trail").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Audit trail of client #{clinic.client.pk}")
    rows = page.get_by_role("table").get_by_role("row").filter(has_text=clinic.supervisor.full_name)
    expect(rows.first).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Viewed")


def test_an_administrator_lands_on_the_administration_page(page, clinic):
    sign_in(page, clinic.administrator.email)

    expect(page).to_have_url(re.compile(r"/administration/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(clinic.org.name)
    expect(page.get_by_role("link", name="Administration")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("cell", name=clinic.clinician.email)).to_be_visible()
    # The register of records offers audit trails, never clinical content.
    expect(page.get_by_role("link", name=f"Open #{clinic.client.pk}")).to_be_visible()
    expect(page.get_by_role("link", name="Caseload")).to_have_count(0)


def test_a_client_signs_in_and_lands_on_my_page_greeted_by_their_preferred_name(page, clinic):
    sign_in(page, clinic.client_user.email)

    expect(page).to_have_url(re.compile(r"/my/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Cai")
    expect(page.get_by_text(f"Your clinician is {clinic.clinician.full_name}.")).to_be_visible()
    expect(page.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="Set up two-factor sign-in")).to_have_count(0)


def test_ten_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused_too(page, clinic, watch):
    assert django_settings.AXES_FAILURE_LIMIT <= 10
    watch.allow(r"status of (403|429) .*\[.*/sign-in/\]$")
    email = clinic.clinician.email

    sign_in(page, email, "not the password", succeed=False)
    expect(page.get_by_role("alert")).to_have_text(
        "That e-mail address and password do not match an account."
    )
    expect(page.get_by_label("E-mail address")).to_have_value(email)
    for _ in range(9):
        sign_in(page, email, "still not the password", succeed=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in is paused for this account")

    sign_in(page, email, PASSWORD, succeed=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in is paused for this account")
    expect(page.get_by_text("too many unsuccessful attempts")).to_be_visible()
    expect(page.get_by_role("link", name="Reset your password")).to_be_visible()
    page.goto("/caseload/")
    expect(page).to_have_url(SIGN_IN_URL)


def test_a_member_of_staff_left_idle_is_signed_out_and_the_record_leaves_the_screen(page, clinic, settings):
    settings.RAPPORT_STAFF_IDLE_SECONDS = 2
    sign_in(page, clinic.clinician.email)
    page.get_by_role("link", name=clinic.client.display_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(clinic.client.display_name)
    expect(page.locator("body")).to_have_attribute("data-idle-seconds", "2")

    # Nobody touches anything: rapport.js reloads the page after the limit, the server signs out.
    expect(page).to_have_url(SIGN_IN_URL, timeout=8_000)
    expect(page.get_by_role("status")).to_have_text("You were signed out after a period without activity.")
    expect(page.get_by_text(clinic.client.full_name)).to_have_count(0)

    page.goto(f"/clients/{clinic.client.pk}/")
    expect(page).to_have_url(SIGN_IN_URL)
