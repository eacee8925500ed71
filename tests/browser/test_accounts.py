"""An administrator adds a member of staff and deactivates another, in a real browser."""

import pytest
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import SCREENS, sign_in

from rapport.accounts.models import User

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_an_administrator_adds_a_counsellor_and_deactivates_a_clinician(new_page, clinic, screen):
    problems: list[str] = []
    page = new_page(screen)
    sign_in(page, clinic.administrator.email)
    page.get_by_role("link", name="Add a member of staff").click()
    check_page(page, "account-add", screen, problems)
    page.get_by_role("button", name="Add and send the e-mail").click()
    expect(page.get_by_role("alert").first).to_contain_text("Nothing was saved yet")
    check_page(page, "account-add-errors", screen, problems)
    page.get_by_label("Full name").fill("Lara Newstaff")
    page.get_by_label("E-mail address").fill("lara@test.rapport")
    page.get_by_label("Role").select_option("clinician")
    page.get_by_label("Team A").first.check()
    page.get_by_role("button", name="Add and send the e-mail").click()
    expect(page.get_by_role("status")).to_contain_text("Lara Newstaff can now sign in")
    # A clinician who holds no clients is deactivated at once (one who holds clients is first asked
    # where their caseload goes: tests/test_supervision.py).
    page.get_by_role("button", name="Deactivate Lara Newstaff").click()
    expect(page.get_by_role("status")).to_contain_text("Lara Newstaff can no longer sign in")
    check_page(page, "administration-after-changes", screen, problems)
    assert not User.objects.get(full_name="Lara Newstaff").is_active
    assert problems == []
