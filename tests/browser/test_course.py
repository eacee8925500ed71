"""A clinician runs the first weeks of a course of IPT in a real browser."""

import re

import pytest
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import SCREENS, sign_in

from rapport.clinic.models import Course, Session

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_a_clinician_agrees_a_contract_adds_sessions_and_writes_a_middle_phase_note(new_page, clinic, screen):
    problems: list[str] = []
    page = new_page(screen)
    sign_in(page, clinic.clinician.email)
    page.goto(f"/clients/{clinic.client.pk}/")
    page.get_by_role("link", name="Course of IPT").click()
    page.get_by_role("button", name="Start a course").click()
    check_page(page, "course-new", screen, problems)
    page.get_by_role("link", name="Edit the contract").click()
    page.get_by_label("Status").select_option("active")
    page.get_by_label("Planned sessions").fill("12")
    page.get_by_label("Goals agreed in the contract").fill("Mourn her mother; rebuild contact with friends.")
    page.get_by_label("Date the client agreed the contract").fill("2026-01-19")
    check_page(page, "contract-form", screen, problems)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The contract was saved.")
    for day in range(1, 5):
        page.get_by_label("Date").fill(f"2026-02-0{day}")
        page.get_by_role("button", name="Add the session").click()
        if day < 4:
            page.get_by_role("button", name="Save the session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Session 4 of 12 · Middle phase")
    page.get_by_label("Status").select_option("attended")
    page.get_by_label("Since we last met").fill(
        "A hard week; the anniversary of her mother's death is coming."
    )
    page.get_by_label("Encouragement of affect").check()
    page.get_by_role("textbox", name="Between-session task", exact=True).fill(
        "Call her sister about the anniversary."
    )
    check_page(page, "session-note-middle", screen, problems)
    page.get_by_role("button", name="Save the session").click()
    expect(page.get_by_role("status")).to_contain_text("The session was saved.")
    expect(page.get_by_text(re.compile("Session 4 of 12"))).to_be_visible()
    check_page(page, "course-with-sessions", screen, problems)
    session = Session.objects.get(course__client=clinic.client, number=4)
    assert session.techniques == ["encouragement_of_affect"] and session.status == "attended"
    assert Course.objects.get(client=clinic.client).planned_sessions == 12
    assert problems == []
