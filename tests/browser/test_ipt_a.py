"""A course of IPT-A set up in a real browser, and the closeness circle and timeline looked at."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import SCREENS, SCREENSHOTS, Screen, sign_in

from rapport.clinic.models import Course, InventoryEntry, Session, TimelineEvent

pytestmark = pytest.mark.browser

LAPTOP = Screen("laptop", 1366, 768)


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_a_clinician_sets_up_ipt_a_for_a_fifteen_year_old(new_page, clinic, screen):
    # Fifteen and a half on the day the course starts (today).
    clinic.client.date_of_birth = date.today() - timedelta(days=round(15.5 * 365.25))
    clinic.client.save()
    problems: list[str] = []
    page = new_page(screen)
    sign_in(page, clinic.clinician.email)
    page.goto(f"/clients/{clinic.client.pk}/course/")
    page.get_by_role("button", name="Start a course").click()
    page.get_by_role("link", name="Edit the contract").click()

    note = page.get_by_role("note")
    expect(note).to_contain_text("Suggested: IPT for Depressed Adolescents (IPT-A).")
    expect(note).to_contain_text("is 15 on the contract date")
    expect(note).to_contain_text("This is a suggestion only")
    expect(page.get_by_label("Variant")).to_have_value("ipt_individual")
    expect(page.get_by_label("Planned sessions")).to_have_value("16")
    check_page(page, "contract-ipt-a-suggested", screen, problems)

    page.get_by_label("Variant").select_option("ipt_a")
    expect(page.get_by_label("Planned sessions")).to_have_value("12")
    page.get_by_label("Status").select_option("active")
    page.get_by_label("Date the client agreed the contract").fill("2026-01-19")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The contract was saved.")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("IPT for Depressed Adolescents (IPT-A)")
    expect(facts.locator("dt:has-text('Planned sessions') + dd")).to_have_text("12 sessions")
    expect(page.locator("body")).not_to_contain_text("12 to 12")

    course = Course.objects.get(client=clinic.client)
    assert (course.variant, course.planned_sessions) == ("ipt_a", 12)
    for number in range(1, 13):
        Session.objects.create(
            course=course, number=number, date=date(2026, 1, 19) + timedelta(weeks=number - 1)
        )
    page.reload()
    marked = page.locator("tbody tr").filter(has=page.locator(".joint-session"))
    expect(marked).to_have_count(3)
    expect(marked.nth(0)).to_contain_text("Caregiver joins at the start")
    expect(marked.nth(1)).to_contain_text("Caregiver joins in the middle phase")
    expect(marked.nth(1)).to_contain_text("if the problem involves the parent or caregiver")
    expect(marked.nth(2)).to_contain_text("Caregiver joins at the end")
    assert [marked.nth(i).locator("td").first.inner_text() for i in range(3)] == ["1", "6", "12"]
    check_page(page, "course-ipt-a", screen, problems)
    assert problems == []


def a_crowded_course(clinic) -> Course:
    course = Course.objects.create(client=clinic.client, status="active", started_on=date(2026, 1, 5))
    people = [
        ("Mum", 1),
        ("Dad", 1),
        ("Best friend Aisha", 1),
        ("Little brother Tom", 1),
        ("Grandma Rose", 2),
        ("Coach Davies", 2),
        ("Form tutor", 2),
        ("Uncle Bartholomew", 3),
        ("Neighbour", 3),
        ("Ex-girlfriend", 3),
        ("Cousin Jo", 3),
    ]
    for label, ring in people:
        InventoryEntry.objects.create(course=course, person_label=label, closeness_ring=ring)
    events = [
        (date(2023, 6, 10), None, "Moved school", "move_or_migration", -1),
        (date(2025, 2, 3), None, "Grandad died", "death", -4),
        (date(2025, 3, 15), None, "Row with Dad", "conflict", -3),
        (date(2025, 5, 1), date(2025, 8, 31), "Exams", "other", -2),
        (date(2025, 11, 20), None, "Joined the football team", "other", 2),
    ]
    for start, end, what, kind, mood in events:
        TimelineEvent.objects.create(
            course=course, start=start, end=end, event=what, kind=kind, mood_rating=mood
        )
    return course


@pytest.mark.parametrize("screen", [*SCREENS, LAPTOP], ids=[s.name for s in [*SCREENS, LAPTOP]])
def test_the_circle_and_the_timeline_are_looked_at(new_page, clinic, screen):
    a_crowded_course(clinic)
    problems: list[str] = []
    page = new_page(screen)
    sign_in(page, clinic.clinician.email)

    page.goto(f"/clients/{clinic.client.pk}/inventory/")
    expect(page.locator("svg.circle g.person")).to_have_count(11)
    page.locator("section:has(svg.circle)").screenshot(path=SCREENSHOTS / f"ipt-a-circle-{screen.name}.png")

    # The client's view: no staff navigation, and the whole circle on the screen without scrolling.
    page.goto(f"/clients/{clinic.client.pk}/inventory/circle/")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    box = page.locator("svg.circle").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= screen.height, box
    check_page(page, "ipt-a-client-circle", screen, problems)

    page.goto(f"/clients/{clinic.client.pk}/timeline/")
    labels = page.locator("svg.timeline-chart text.time-axis")
    for month in ("Jun 2023", "Feb 2025", "Mar 2025", "May 2025", "Nov 2025"):
        expect(labels.filter(has_text=month)).to_have_count(1)
    page.locator("svg.timeline-chart").screenshot(path=SCREENSHOTS / f"ipt-a-timeline-{screen.name}.png")
    assert problems == []
