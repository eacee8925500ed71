"""Notifications are read in place through htmx, within the Content-Security-Policy."""

import pytest
from playwright.sync_api import expect
from tests.browser.conftest import sign_in

from rapport.clinic.models import Notification

pytestmark = pytest.mark.browser


def test_a_supervisor_marks_a_notification_as_read_and_it_goes_without_a_page_load(page, clinic):
    note = Notification.objects.create(
        recipient=clinic.supervisor,
        client=clinic.client,
        subject="Emergency access to a client record",
        body="Otto Other opened a record under emergency access.",
    )
    sign_in(page, clinic.supervisor.email)
    card = page.locator(f"#notification-{note.pk}")
    expect(card.get_by_role("heading", name="Emergency access to a client record")).to_be_visible()
    page.evaluate("window.stayedOnThePage = true")

    with page.expect_response(f"**/notifications/{note.pk}/read/") as answer:
        card.get_by_role("button", name="Mark as read").click()
    assert answer.value.status == 200
    expect(card).to_have_count(0)
    assert page.evaluate("window.stayedOnThePage") is True
    note.refresh_from_db()
    assert note.read_at is not None

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervision workspace")
    expect(page.get_by_text("Emergency access to a client record")).to_have_count(0)
