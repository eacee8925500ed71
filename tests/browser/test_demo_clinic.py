"""The four demo sign-ins printed by `make demo` work in a real browser."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from tests.browser.conftest import SCREENSHOTS, sign_in, sign_out

from rapport.demo.clinic import PASSWORD

pytestmark = pytest.mark.browser

LANDING = [
    ("therapist@demo.rapport", r"/caseload/$", "Your caseload", "Jordan Ellis (Jo)"),
    (
        "supervisor@demo.rapport",
        r"/supervision/$",
        "Supervision workspace",
        "Dr Amara Okafor",
    ),
    ("admin@demo.rapport", r"/administration/$", "Larkfield Community Wellbeing Service", "Sam Whitfield"),
    ("client@demo.rapport", r"/my/$", "Hello, Jo", "Dr Amara Okafor"),
]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.parametrize(("email", "url", "heading", "shown"), LANDING, ids=[row[0] for row in LANDING])
def test_each_demo_sign_in_works_and_lands_on_its_start_page(demo, page, email, url, heading, shown):
    sign_in(page, email, PASSWORD)
    expect(page).to_have_url(re.compile(url))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_text(shown).first).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"demo-{email.split('@')[0]}-desktop.png", full_page=True)
    sign_out(page)
