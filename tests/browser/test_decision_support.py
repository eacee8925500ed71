"""Decision support reads the whole record, in a real browser: a partner conflict recorded only as
a strained inner-ring relationship and a falling-out on the timeline points at a role dispute, and
interpersonal deficits is not suggested, saying why. A partner's diagnosis, recorded as his event,
is not the client's role transition."""

from datetime import date

import pytest
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import SCREENS, sign_in
from tests.browser.test_timeline import add_event

from rapport.clinic.models import Course, Formulation, TimelineEvent

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_a_strained_partner_and_a_falling_out_point_at_a_role_dispute_and_not_at_deficits(
    new_page, clinic, screen
):
    course = Course.objects.create(client=clinic.client, status="assessment", started_on=date(2026, 1, 5))
    Formulation.objects.create(course=course, onset=date(2025, 10, 1))
    problems: list[str] = []
    page = new_page(screen)
    sign_in(page, clinic.clinician.email)

    # The inventory: the partner on the innermost ring, the relationship strained; nothing else.
    page.goto(f"/clients/{clinic.client.pk}/inventory/")
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Person", exact=True).fill("Sam")
    page.get_by_label("Relationship", exact=True).select_option(label="Partner")
    page.get_by_label("Closeness", exact=True).select_option(label="1 (closest)")
    page.get_by_label("Relationship now").select_option(label="Strained")
    page.get_by_role("button", name="Add the person").click()
    expect(page.get_by_role("status")).to_contain_text("Sam was added to the inventory.")

    # The timeline: a falling-out (the client's own) and Sam's diagnosis (his event, not hers).
    page.goto(f"/clients/{clinic.client.pk}/timeline/")
    falling_out = {"what": "Falling-out with Sam over money", "kind": "conflict", "mood": "-3"}
    add_event(page, start="2025-09-20", people=["Sam"], **falling_out)

    def sams_event(p):
        p.get_by_label("Whose event is it?").select_option("someone_else")
        p.get_by_label("The person it happened to").select_option(label="Sam")
        check_page(p, "decision-support-timeline-event-form", screen, problems)

    diagnosed = {"what": "Sam diagnosed with diabetes", "kind": "new_diagnosis_or_disability", "mood": "-1"}
    add_event(page, start="2025-08-01", people=["Sam"], look=sams_event, **diagnosed)
    diagnosis = TimelineEvent.objects.get(kind="new_diagnosis_or_disability")
    assert (diagnosis.whose, diagnosis.whose_person.person_label) == ("someone_else", "Sam")
    assert TimelineEvent.objects.get(kind="conflict").whose == "client"
    table = page.get_by_role("table", name="Events")
    expect(table.get_by_role("row").filter(has_text="Sam diagnosed")).to_contain_text("(Sam's event)")
    check_page(page, "decision-support-timeline", screen, problems)

    # The formulation: a role dispute, explained by both entries; nothing chosen.
    page.goto(f"/clients/{clinic.client.pk}/formulation/")
    suggestion = page.locator(".suggestion")
    expect(suggestion).to_have_count(1)
    expect(suggestion.get_by_role("heading")).to_have_text("Interpersonal role dispute")
    expect(suggestion.get_by_role("listitem")).to_have_text(
        [
            "Falling-out with Sam over money: A conflict or falling-out (Sam), 2025-09-20, less than a month "
            "before the onset on 2025-10-01 (window: 12 months before to 3 months after the onset)",
            "Sam: relationship recorded as: Strained (partner, ring 1)",
        ]
    )
    expect(page.get_by_label("Primary problem area")).to_have_value("")
    # The page asks for the answer it cannot read from free text.
    expect(page.locator(".suggestion-questions")).to_contain_text(
        "Record whether the client's and Sam's expectations of each other match: "
        "the relationship is recorded as strained."
    )

    # Deficits and the partner's diagnosis are not suggested, and say why when the therapist looks.
    aside = page.locator("details.set-aside")
    aside.locator("summary").click()
    expect(aside.locator(".set-aside-area h3")).to_have_text(["Role transition", "Interpersonal deficits"])
    expect(aside.locator(".set-aside-area").nth(0)).to_contain_text(
        "Sam diagnosed with diabetes: A new diagnosis or disability (Sam), Sam's own event, 2025-08-01"
    )
    expect(aside.locator(".set-aside-area").nth(1)).to_contain_text(
        "Not suggested: a close relationship is strained (Sam); the timeline records a conflict "
        "(Falling-out with Sam over money); it is the fallback, and another area has evidence."
    )
    check_page(page, "decision-support-formulation", screen, problems)

    # Recording the answer the page asked for makes the question go away.
    page.locator(".suggestion-questions").get_by_role("link", name="Record it for Sam").click()
    page.get_by_label("Do their expectations of each other match?").select_option("non_reciprocal")
    page.get_by_role("button", name="Save").click()
    page.goto(f"/clients/{clinic.client.pk}/formulation/")
    expect(page.locator(".suggestion-questions")).to_have_count(0)
    expect(suggestion.get_by_role("listitem")).to_have_count(3)
    assert problems == []
