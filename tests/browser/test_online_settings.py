"""The administrator's settings for therapy online in Debian's chromium, on a phone and a desktop:
a bad address is refused with a clear message and nothing saved, a good one is saved, and the
page passes axe. Screenshots: test-results/screenshots/online-settings-*.png."""

import pytest
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import SCREENS, Screen, sign_in
from tests.browser.test_portal import AXE, AXE_URL, run_axe

from rapport.scheduling.models import OrganisationScheduling

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_an_administrator_sets_the_video_service_and_reminders(new_page, clinic, live_server, screen: Screen):
    page = new_page(screen)
    page.route(
        f"{live_server.url}{AXE_URL}", lambda route: route.fulfill(path=AXE, content_type="text/javascript")
    )
    problems: list[str] = []
    sign_in(page, clinic.administrator.email)
    page.goto("/administration/")
    page.get_by_role("link", name="Therapy online: video service, reminders, message reply time").click()
    expect(page.get_by_role("heading", name="Therapy online", level=1)).to_be_visible()
    check_page(page, "online-settings", screen, problems)
    problems.extend(f"axe {v}" for v in run_axe(page))
    page.get_by_label("Video service address").fill("http://video.clinic.example/")
    page.get_by_label("Reminder lead times (hours before the session)").fill("48, 3")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_text("Enter a valid address starting with https://.")).to_be_visible()
    expect(page.get_by_text("Nothing was saved yet")).to_be_visible()
    check_page(page, "online-settings-errors", screen, problems)
    problems.extend(f"axe {v}" for v in run_axe(page))
    assert not OrganisationScheduling.objects.exists()
    page.get_by_label("Video service address").fill("https://video.clinic.example/")
    page.get_by_label("Messages are read within (working hours)").fill("8")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_text("The settings for therapy online were saved.")).to_be_visible()
    assert problems == []
    saved = OrganisationScheduling.objects.get()
    assert (saved.video_base_url, saved.lead_hours, saved.reply_within_hours) == (
        "https://video.clinic.example/",
        [48, 3],
        8,
    )
