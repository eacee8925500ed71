"""My data in Debian's chromium: a client reads everything held about them and downloads the same
as a JSON file, on a phone and a desktop. Screenshots: test-results/screenshots/my-data-*.png."""

import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import SCREENS, Screen, sign_in
from tests.browser.test_portal import AXE, AXE_URL, a_course, run_axe

from rapport.clinic.models import Response, SafetyPlan

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_a_client_reads_and_downloads_everything_held_about_them(
    new_page, clinic, live_server, screen: Screen
):
    course = a_course(clinic, clinic.client)
    Response.objects.create(
        client=clinic.client,
        course=course,
        session_number=1,
        instrument="phq9",
        instrument_version="1",
        answered_by=clinic.client_user,
        respondent="client",
        answers={"item1": "several_days"},
        total=14,
        band="moderate",
        complete=True,
        answered_at=timezone.now(),
    )
    SafetyPlan.objects.create(
        client=clinic.client, sections={"warning_signs": [{"text": "I stop answering my phone"}]}
    )
    page = new_page(screen)
    page.route(
        f"{live_server.url}{AXE_URL}", lambda route: route.fulfill(path=AXE, content_type="text/javascript")
    )
    sign_in(page, clinic.client_user.email)
    page.get_by_role("link", name="My data").click()
    expect(page.get_by_role("heading", name="My data", level=1)).to_be_visible()
    for title in ("Your details", "Your questionnaires", "Your plan", "Your safety plan"):
        expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("I stop answering my phone")).to_be_visible()
    problems: list[str] = []
    check_page(page, "my-data", screen, problems)
    problems.extend(f"axe {v}" for v in run_axe(page))
    assert problems == []

    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data (JSON file)").click()
    assert download.value.suggested_filename == "my-rapport-data.json"
    data = json.loads(open(download.value.path()).read())  # noqa: SIM115
    assert data["sections"]["responses"]["items"][0]["Total score"] == 14
    assert clinic.client.full_name == data["sections"]["record"]["items"][0]["Full name"]
