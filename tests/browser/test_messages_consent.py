"""A closed thread in Debian's chromium, phone and desktop: the client reads why and agrees to
secure messages, and the thread opens; the clinician sees why a thread is closed. Both pages pass
axe-core and our page checks.

Screenshots go to test-results/screenshots/messages-consent-*.png.
"""

import pytest
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import SCREENS, SCREENSHOTS, Screen, sign_in
from tests.browser.test_portal import AXE, AXE_URL, run_axe

from rapport.scheduling.models import Consent, ConsentKind

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_a_closed_thread_says_why_and_the_client_opens_it(
    new_page, clinic, live_server, watch, screen: Screen
):
    Consent.objects.filter(client=clinic.client, kind=ConsentKind.MESSAGES).delete()
    problems: list[str] = []

    def look(page, name):
        page.route(
            f"{live_server.url}{AXE_URL}",
            lambda route: route.fulfill(path=AXE, content_type="text/javascript"),
        )
        check_page(page, f"messages-consent-{name}", screen, problems)
        problems.extend(f"{name} ({screen.name}): axe {v}" for v in run_axe(page))

    staff = new_page(screen)
    sign_in(staff, clinic.clinician.email)
    staff.goto(f"/clients/{clinic.client.pk}/messages/")
    expect(staff.get_by_text("there is no consent from the client to secure messages")).to_be_visible()
    expect(staff.get_by_role("link", name="Appointments and consents")).to_be_visible()
    staff.screenshot(path=SCREENSHOTS / f"messages-consent-staff-{screen.name}.png", full_page=True)
    look(staff, "staff")

    page = new_page(screen)
    sign_in(page, clinic.client_user.email)
    page.goto("/my/messages/")
    expect(page.get_by_label("Write a message")).to_have_count(0)
    page.screenshot(path=SCREENSHOTS / f"messages-consent-closed-{screen.name}.png", full_page=True)
    look(page, "closed")
    page.get_by_role("button", name="I agree to secure messages").click()
    expect(page.get_by_text("Thank you: messages are open.")).to_be_visible()
    page.get_by_label("Write a message").fill("Hello, can we move Thursday?")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Hello, can we move Thursday?")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / f"messages-consent-open-{screen.name}.png", full_page=True)
    assert not problems, "\n".join(problems)
