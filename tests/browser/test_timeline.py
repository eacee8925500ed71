"""A clinician draws the interpersonal timeline of a client whose depression began after her
mother's death, in a real browser, and sees it as a chart beside the PHQ-9 and as a table."""

from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import SCREENS, SCREENSHOTS, sign_in

from rapport.clinic.models import Course, Formulation, InventoryEntry, Response, TimelineEvent

pytestmark = pytest.mark.browser


def a_course_with_people_and_scores(clinic) -> Course:
    course = Course.objects.create(client=clinic.client, status="active", started_on=date(2026, 1, 5))
    InventoryEntry.objects.create(course=course, person_label="Mother", closeness_ring=1)
    InventoryEntry.objects.create(course=course, person_label="Sam (partner)", closeness_ring=1)
    InventoryEntry.objects.create(course=course, person_label="Aunt Josephine", closeness_ring=2)
    Formulation.objects.create(course=course, onset=date(2025, 10, 1))
    for day, total in [(date(2026, 1, 5), 19), (date(2026, 2, 2), 17), (date(2026, 3, 2), 11)]:
        Response.objects.create(
            client=clinic.client,
            course=course,
            instrument="phq9",
            instrument_version="1",
            answered_by=clinic.clinician,
            respondent="clinician",
            answered_at=datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
            answers={},
            complete=True,
            total=total,
        )
    return course


def add_event(page, *, start, what, kind, mood, end=None, people=(), hint=None, look=None):
    page.get_by_role("link", name="Add an event").click()
    page.get_by_label("Date, or the start of a period").fill(start)
    if end:
        page.get_by_label("End of the period").fill(end)
    page.get_by_label("What happened").fill(what)
    page.get_by_label("Kind of event").select_option(kind)
    for person in people:
        page.get_by_label(person).check()
    page.get_by_label("Mood at the time").select_option(mood)
    if hint:
        page.get_by_label("Problem-area hint").select_option(hint)
    if look:
        look(page)
    page.get_by_role("button", name="Add the event").click()
    expect(page.get_by_role("status")).to_contain_text("The event was added to the timeline.")


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_a_clinician_records_a_death_near_the_onset_a_move_and_a_conflict_and_sees_the_chart(
    new_page, clinic, screen
):
    course = a_course_with_people_and_scores(clinic)
    problems: list[str] = []
    page = new_page(screen)
    sign_in(page, clinic.clinician.email)
    page.goto(f"/clients/{clinic.client.pk}/timeline/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Interpersonal timeline")
    check_page(page, "timeline-without-events", screen, problems)

    add_event(
        page,
        start="2025-09-14",
        what="Her mother died after a short illness",
        kind="death",
        mood="-4",
        people=["Mother"],
        hint="grief",
        look=lambda p: check_page(p, "timeline-event-form", screen, problems),
    )
    add_event(
        page,
        start="2025-11-01",
        end="2026-01-31",
        what="Moved to a smaller flat across town, away from her friends",
        kind="move_or_migration",
        mood="-2",
    )
    add_event(
        page,
        start="2026-02-02",
        what="A row with Sam about the costs of the funeral",
        kind="conflict",
        mood="-3",
        people=["Sam (partner)"],
        hint="role_dispute",
    )

    chart = page.get_by_role("img", name="Mood over time through 3 life events, beside 3 PHQ-9 totals.")
    expect(chart).to_be_visible()
    expect(page.locator("svg.timeline-chart .mood-mark")).to_have_count(3)
    expect(page.locator("svg.timeline-chart .score-mark")).to_have_count(3)
    expect(page.locator("svg.timeline-chart .period")).to_have_count(1)
    expect(page.locator("svg.timeline-chart .onset")).to_have_count(1)
    rows = page.get_by_role("table", name="Events").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Her mother died after a short illness")
    expect(rows.nth(0)).to_contain_text("A death")
    expect(rows.nth(0)).to_contain_text("Mother")
    expect(rows.nth(0)).to_contain_text("-4")
    expect(rows.nth(0)).to_contain_text("Grief")
    expect(rows.nth(1)).to_contain_text("1 Nov 2025 \u2013 31 Jan 2026")
    expect(rows.nth(2)).to_contain_text("Interpersonal role dispute")
    check_page(page, "timeline", screen, problems)
    page.locator("figure.timeline-figure").screenshot(path=SCREENSHOTS / f"timeline-chart-{screen.name}.png")

    # A correction, then an event entered in error: the chart and the table follow.
    page.get_by_role("link", name="Edit event 2").click()
    page.get_by_label("Mood at the time").select_option("-1")
    page.get_by_role("button", name="Save the event").click()
    expect(page.get_by_role("status")).to_contain_text("The event was saved.")
    page.get_by_role("link", name="Edit event 3").click()
    check_page(page, "timeline-event-edit", screen, problems)
    page.get_by_label("Why was this record entered in error?").fill("Recorded twice by mistake")
    page.get_by_role("button", name="Mark as entered in error").click()
    expect(page.get_by_role("status")).to_contain_text("marked as entered in error")
    expect(page.get_by_role("table", name="Events").locator("tbody tr")).to_have_count(2)

    moods = list(
        TimelineEvent.objects.filter(course=course, entered_in_error_at__isnull=True).values_list(
            "kind", "mood_rating"
        )
    )
    assert moods == [("death", -4), ("move_or_migration", -1)]
    assert problems == []
