"""Secure messages in Debian's chromium: on a phone, a client writes to their care team with a
risk phrase, an alert is raised and the crisis lines are shown at once; the clinician sees the
unread count, reads and replies; the client's badge counts the reply and clears once read. Every
messaging page passes axe-core and our page checks at both sizes.

Screenshots go to test-results/screenshots/messages-*.png.
"""

import pytest
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import DESKTOP, PHONE, SCREENS, SCREENSHOTS, Screen, sign_in
from tests.browser.test_portal import AXE, AXE_URL, run_axe
from tests.support import request_as

from rapport.accounts.models import Organisation
from rapport.clinic.models import AlertSource, RiskAlert
from rapport.messaging import clinic_notices
from rapport.messaging.models import Message

pytestmark = pytest.mark.browser

ALWAYS_OPEN = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
ALWAYS_CLOSED = {day: [] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def opening_hours(clinic, hours):
    Organisation.objects.filter(pk=clinic.org.pk).update(opening_hours=hours)


def test_a_risk_message_raises_an_alert_shows_the_crisis_lines_and_the_clinician_replies(new_page, clinic):
    opening_hours(clinic, ALWAYS_OPEN)
    phone = new_page(PHONE)
    sign_in(phone, clinic.client_user.email)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Messages").click()
    expect(phone.get_by_role("heading", name="Messages", level=1)).to_be_visible()
    expect(phone.get_by_text("This is not a crisis service.")).to_be_visible()
    # The clinic is open: the note does not fill the page with crisis lines before anything is said.
    expect(phone.locator(".crisis-panel")).to_have_count(0)
    phone.get_by_label("Write a message").fill("I can't go on, I want to kill myself")
    phone.get_by_role("button", name="Send").click()

    expect(phone.get_by_text("Your message is sent. Some of what you wrote")).to_be_visible()
    panel = phone.locator("#message-support .crisis-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("link", name="Call 999")).to_be_visible()
    phone.screenshot(path=SCREENSHOTS / "messages-risk-sent-phone.png", full_page=True)
    alert = RiskAlert.objects.get(client=clinic.client)
    assert alert.source == AlertSource.FREE_TEXT and alert.tier == "T1"
    assert alert.source_record["type"] == "Message"

    # The clinician sees one unread message in the menu and in the inbox, and the alert.
    desk = new_page(DESKTOP)
    sign_in(desk, clinic.clinician.email)
    nav = desk.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Messages unread: 1")).to_be_visible()
    nav.get_by_role("link", name="Messages unread: 1").click()
    row = desk.get_by_role("row").filter(has_text="Cai")
    expect(row.get_by_role("cell").nth(2)).to_have_text("1")
    desk.screenshot(path=SCREENSHOTS / "messages-inbox-unread-desktop.png", full_page=True)
    row.get_by_role("link").click()
    expect(desk.get_by_text("I can't go on, I want to kill myself")).to_be_visible()
    expect(desk.get_by_text("New", exact=True)).to_be_visible()
    expect(desk.get_by_role("link", name="Raised a T1 risk alert")).to_have_attribute(
        "href", f"/alerts/{alert.pk}/"
    )
    expect(
        desk.get_by_role("navigation", name="Main").get_by_role("link", name="Messages", exact=True)
    ).to_be_visible()
    desk.get_by_label("Write to the client").fill("Thank you for telling me. I will ring you this afternoon.")
    desk.get_by_role("button", name="Send").click()
    expect(desk.get_by_text("Your message is sent.")).to_be_visible()
    desk.screenshot(path=SCREENSHOTS / "messages-thread-replied-desktop.png", full_page=True)
    assert Message.objects.filter(from_client=False, author=clinic.clinician).count() == 1

    # The client's badge counts the reply, and clears once they have read it.
    phone.goto("/my/")
    expect(phone.get_by_role("link", name="Messages unread: 1")).to_be_visible()
    phone.get_by_role("link", name="Messages unread: 1").click()
    expect(phone.get_by_text("I will ring you this afternoon")).to_be_visible()
    phone.goto("/my/")
    expect(phone.get_by_role("link", name="Messages", exact=True)).to_be_visible()


def test_out_of_hours_the_note_shows_the_crisis_lines(new_page, clinic):
    opening_hours(clinic, ALWAYS_CLOSED)
    phone = new_page(PHONE)
    sign_in(phone, clinic.client_user.email)
    phone.goto("/my/messages/")
    note = phone.locator(".message-note")
    expect(note.get_by_text("The clinic is closed now.")).to_be_visible()
    expect(note.locator(".crisis-panel")).to_be_visible()
    phone.screenshot(path=SCREENSHOTS / "messages-closed-phone.png", full_page=True)


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_every_messaging_page_passes_axe_and_our_page_checks(
    new_page, clinic, live_server, watch, screen: Screen
):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make install-test`, which installs axe-core from npm")
    opening_hours(clinic, ALWAYS_CLOSED)
    problems: list[str] = []

    def look(page, name):
        page.route(
            f"{live_server.url}{AXE_URL}",
            lambda route: route.fulfill(path=AXE, content_type="text/javascript"),
        )
        check_page(page, f"messages-{name}", screen, problems)
        problems.extend(f"{name} ({screen.name}): axe {v}" for v in run_axe(page))

    page = new_page(screen)
    sign_in(page, clinic.client_user.email)
    page.goto("/my/messages/")
    look(page, "portal-empty")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Write the message.").first).to_be_visible()
    look(page, "portal-refused")
    # A one-way notice from the clinic sits in the thread, marked as such.
    clinic_notices.send(request_as(clinic.clinician), clinic.client.pk, "See you on Thursday at ten.")
    page.get_by_label("Write a message").fill("Could we move Thursday to Friday?")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("From your clinic (no reply needed)")).to_be_visible()
    page.get_by_text("Withdraw this message").click()
    look(page, "portal-thread")
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_text("Your message is withdrawn.")).to_be_visible()
    look(page, "portal-withdrawn")

    staff = new_page(screen)
    sign_in(staff, clinic.clinician.email)
    staff.goto("/messages/")
    look(staff, "inbox")
    staff.goto(f"/clients/{clinic.client.pk}/messages/")
    look(staff, "thread")
    staff.goto(f"/clients/{clinic.client.pk}/")
    look(staff, "client-detail")
    assert problems == []
