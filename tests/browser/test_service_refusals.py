"""A rule the service checks (not the page's form) is shown on the field it is about: a future
date on the timeline, refused by timeline.check_event, appears under the date, with what was typed
kept, in a real browser."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import SCREENS, sign_in

from rapport.clinic.models import Course, TimelineEvent

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_a_future_event_is_refused_under_its_date(new_page, clinic, screen):
    Course.objects.create(client=clinic.client, status="active", started_on=date(2026, 1, 5))
    problems: list[str] = []
    page = new_page(screen)
    sign_in(page, clinic.clinician.email)
    page.goto(f"/clients/{clinic.client.pk}/timeline/new/")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page.get_by_label("Date, or the start of a period").fill(tomorrow)
    page.get_by_label("What happened").fill("Her mother's funeral")
    page.get_by_label("Kind of event").select_option("death")
    page.get_by_role("button", name="Add the event").click()
    expect(page.get_by_role("alert").first).to_contain_text("Nothing was saved yet")
    field = page.locator(".field", has=page.get_by_label("Date, or the start of a period"))
    expect(field).to_contain_text("this date is in the future")
    expect(page.get_by_label("What happened")).to_have_value("Her mother's funeral")
    check_page(page, "timeline-event-refused", screen, problems)
    assert not TimelineEvent.objects.exists()
    assert not problems, problems
