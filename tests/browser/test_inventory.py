"""A clinician records the interpersonal inventory in a real browser, sees the closeness circle
and its table, writes the notes on the whole inventory, opens the circle to show the client, and
marks an entry as entered in error."""

import pytest
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import SCREENS, SCREENSHOTS, sign_in

from rapport.clinic.models import Course, InventoryEntry

pytestmark = pytest.mark.browser

PEOPLE = [
    # label, relationship, ring, status, a line of what is hard
    ("Mum", "Parent", "1 (closest)", "Ongoing", ""),
    ("Dan", "Partner", "2", "Strained", "He wants her back at work; she wants time to grieve."),
    ("Grandad Joe", "Someone who has died", "3 (least close)", "Has died", ""),
]


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_a_clinician_adds_three_people_sees_the_circle_and_shows_it_to_the_client(new_page, clinic, screen):
    Course.objects.create(client=clinic.client, started_on="2026-01-05", status="assessment")
    problems: list[str] = []
    page = new_page(screen)
    sign_in(page, clinic.clinician.email)
    page.goto(f"/clients/{clinic.client.pk}/course/")
    page.get_by_role("link", name="Interpersonal inventory").click()
    expect(page.get_by_text("Nobody is in the inventory yet.")).to_be_visible()
    check_page(page, "inventory-empty", screen, problems)

    for number, (label, relationship, ring, status, hard) in enumerate(PEOPLE):
        page.get_by_role("link", name="Add a person").click()
        page.get_by_label("Person", exact=True).fill(label)
        page.get_by_label("Relationship", exact=True).select_option(label=relationship)
        page.get_by_label("Closeness", exact=True).select_option(label=ring)
        page.get_by_label("Relationship now").select_option(label=status)
        if hard:
            page.get_by_label("What is hard").fill(hard)
            page.get_by_label("Do their expectations of each other match?").select_option("non_reciprocal")
            page.get_by_label("Can confide").select_option("no")
        if number == 1:
            check_page(page, "inventory-entry-form", screen, problems)
        page.get_by_role("button", name="Add the person").click()
        expect(page.get_by_role("status")).to_contain_text(f"{label} was added to the inventory.")

    circle = page.get_by_role("img", name="Closeness circle: 3 of 3 people placed on 3 rings")
    expect(circle).to_be_visible()
    table = page.get_by_role("table", name="The people, as a table")
    for label, relationship, ring, status, _ in PEOPLE:
        row = table.get_by_role("row").filter(has_text=label)
        expect(row).to_contain_text(relationship)
        expect(row).to_contain_text(ring)
        expect(row).to_contain_text(status)
    expect(page.locator("svg.circle g.person")).to_have_count(3)
    expect(page.locator("svg.circle g.person.ring-2.status-strained")).to_contain_text("Dan")
    check_page(page, "inventory", screen, problems)
    # The circle alone, at the size it is drawn, to look at closely.
    page.locator("section:has(svg.circle)").screenshot(
        path=SCREENSHOTS / f"inventory-circle-{screen.name}.png"
    )

    page.get_by_role("link", name="Edit the notes on the inventory").click()
    page.get_by_label("Social support").fill("Two friends from work; has not seen them since the funeral.")
    check_page(page, "inventory-notes-form", screen, problems)
    page.get_by_role("button", name="Save the notes").click()
    expect(page.get_by_role("status")).to_contain_text("The notes on the inventory were saved.")
    expect(page.locator("#whole-inventory")).to_contain_text("has not seen them since the funeral")

    page.get_by_role("link", name="Show the circle to the client").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your closeness circle")
    expect(page.locator("svg.circle g.person")).to_have_count(3)
    expect(page.locator("main")).not_to_contain_text("Strained")
    expect(page.locator("main")).not_to_contain_text("time to grieve")
    check_page(page, "inventory-circle-for-the-client", screen, problems)

    page.get_by_role("link", name="Back to the inventory").click()
    grandad = page.get_by_role("region", name="Grandad Joe")
    grandad.locator("summary").click()
    grandad.get_by_label("Why was this entry made in error?").fill("Added twice: he is already listed.")
    grandad.get_by_role("button", name="Mark as entered in error").click()
    expect(page.get_by_role("status")).to_contain_text("Grandad Joe was marked as entered in error.")
    expect(page.locator("svg.circle g.person")).to_have_count(2)

    saved = {
        e.person_label: (e.closeness_ring, e.values["current_status"]) for e in InventoryEntry.objects.all()
    }
    assert saved == {"Mum": (1, "ongoing"), "Dan": (2, "strained"), "Grandad Joe": (3, "deceased")}
    hidden = InventoryEntry.objects.get(entered_in_error_at__isnull=False)
    assert (hidden.person_label, hidden.entered_in_error_reason) == (
        "Grandad Joe",
        "Added twice: he is already listed.",
    )
    assert problems == []
