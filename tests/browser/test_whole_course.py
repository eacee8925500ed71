"""Whole courses of IPT through the real pages, as the responsible clinician (issue 4, "Done when").

1. Ines Calder's depression began a few weeks after her mother died. The clinician starts a
   course, records a baseline PHQ-9, agrees a 12-session contract, records the inventory (the
   closeness circle), the timeline with the death, reads the grief suggestion and its reason,
   chooses grief and has the formulation agreed, adds the protocol's goals, holds sessions 1 to 12
   (the middle ones with notes, techniques and between-session tasks, the PHQ-9 falling), sees the
   termination reminder at the right session, writes the relapse-prevention plan, records the
   ending "Improved", closes the course and prints the summary.
2. A role dispute: the stage must be recorded before the formulation is saved.
3. A course that ends without improvement: the termination page compares the scores and offers
   another treatment, without blame.

Every date is set back from today, because the formulation and the timeline refuse future dates.
"""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from tests.browser.checks import check_page
from tests.browser.conftest import DESKTOP, SCREENSHOTS, sign_in
from tests.browser.test_measures import record_phq9
from tests.browser.test_timeline import add_event

from rapport.clinic.models import (
    Client,
    Course,
    Formulation,
    Goal,
    RelapsePreventionPlan,
    Response,
    Session,
)

pytestmark = pytest.mark.browser

# Middle sessions 4 to 9: what the client brought back from the last task, the technique used,
# the task agreed for the next week, and progress on the problem area (0 to 10).
MIDDLE = {
    4: ("A low week; she cried at the weekend for the first time.", "Encouragement of affect",
        "Look through the photo albums with Hanna.", 2),
    5: ("Looked at the albums with Hanna; they laughed as well as cried.",
        "Exploratory questioning: non-directive",
        "Write down what she misses about Mum, and what she does not.", 3),
    6: ("Wrote both lists; angry that Mum never saw a doctor sooner.", "Encouragement of affect",
        "Visit the grave with Hanna.", 4),
    7: ("Went to the grave; felt calmer afterwards.", "Clarification", "Ring Priya and suggest a walk.", 5),
    8: ("Walked with Priya twice.", "Role-play", "Tell Priya about the depression.", 6),
    9: ("Told Priya; she was kind about it.", "Clarification", "Go back to the Thursday choir.", 7),
}  # fmt: skip
# PHQ-9 totals by session number: falling from moderately severe to below the remission line.
FALLING = {1: 19, 4: 15, 7: 11, 10: 7, 12: 4}


def phq9_answers(total: int) -> list[int]:
    """Item scores adding up to `total`, with 0 on item 9 (thoughts of self-harm)."""
    return [max(0, min(3, total - 3 * item)) for item in range(8)] + [0]


def record_score(page: Page, client: Client, total: int, session: int) -> None:
    record_phq9(page, client, phq9_answers(total), session)
    expect(page.get_by_text(f"Total {total} out of 27")).to_be_visible()


def a_new_client(clinic, name: str) -> Client:
    return Client.objects.create(
        organisation=clinic.org,
        team=clinic.team_a,
        responsible_clinician=clinic.clinician,
        full_name=name,
        date_of_birth=date(1979, 3, 8),
        country="GB",
        time_zone="Europe/London",
        status="active",
    )


def add_person(page: Page, label: str, relationship: str, ring: str, status: str, more=None) -> None:
    """On the inventory page: add one person; `more` maps other field labels to a text or a choice."""
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Person", exact=True).fill(label)
    page.get_by_label("Relationship", exact=True).select_option(label=relationship)
    page.get_by_label("Closeness", exact=True).select_option(label=ring)
    page.get_by_label("Relationship now").select_option(label=status)
    for field, value in (more or {}).items():
        control = page.get_by_label(field, exact=True)
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    page.get_by_role("button", name="Add the person").click()
    expect(page.get_by_role("status")).to_contain_text(f"{label} was added to the inventory.")


def hold_session(page: Page, number: int, day: date, phase: str, fill=None) -> None:
    """On the course page: add the next session, mark it attended, fill the note, save."""
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_role("button", name="Add the session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Session {number} of 12 · {phase}")
    # From session 9 (4 before the end of 12), the note reminds the therapist to raise the ending.
    reminder = page.get_by_role("status").filter(has_text="Raise the ending:")
    if number < 9:
        expect(reminder).to_have_count(0)
    else:
        expect(reminder).to_have_text(
            f"Raise the ending: {12 - number} planned sessions remain after this one."
        )
    page.get_by_label("Status").select_option("attended")
    if fill:
        fill(page)
    page.get_by_role("button", name="Save the session").click()
    expect(page.locator(".messages")).to_have_text("The session was saved.")


def tick(*names: str):
    def fill(page: Page) -> None:
        for name in names:
            page.get_by_role("checkbox", name=re.compile(f"^{re.escape(name)}")).check()

    return fill


def middle_note(number: int):
    """A middle-phase note: the review of the last task, mood and events, a technique, the next
    task, and progress on the problem area and toward each goal."""
    review, technique, task, progress = MIDDLE[number]

    def fill(page: Page) -> None:
        if number == 4:
            expect(page.get_by_role("region", name=re.compile("^Between-session task from"))).to_have_count(0)
            page.get_by_role("textbox", name="Since we last met").fill(review)
        else:
            last = page.get_by_role("region", name=f"Between-session task from session {number - 1}")
            expect(last).to_contain_text(MIDDLE[number - 1][2])
            page.get_by_label("How the last between-session task went").fill(review)
        page.get_by_role("textbox", name="Mood and events").fill(
            "Her mood lifts on the days she sees people."
        )
        page.get_by_role("checkbox", name=technique, exact=True).check()
        page.get_by_role("checkbox", name="Work at home (between-session tasks)").check()
        page.get_by_role("textbox", name="Between-session task", exact=True).fill(task)
        page.get_by_label("Progress on the problem area (0 to 10)").fill(str(progress))
        for goal in page.locator("fieldset.goal-ratings select").all():
            goal.select_option(str(progress))

    return fill


def test_a_whole_twelve_session_course_after_a_bereavement(page, clinic):
    today = timezone.localdate()
    first = today - timedelta(weeks=13)  # session 1; session 12 is two weeks ago
    held = {n: first + timedelta(weeks=n - 1) for n in range(1, 13)}
    died = first - timedelta(days=150)
    onset = died + timedelta(days=24)
    problems: list[str] = []
    client = a_new_client(clinic, "Ines Calder")

    # Referral: the client has no course yet.
    sign_in(page, clinic.clinician.email)
    page.goto(f"/clients/{client.pk}/")
    page.get_by_role("link", name="Course of IPT").click()
    page.get_by_role("button", name="Start a course").click()
    expect(page.locator("span.status")).to_have_text("Referred")

    # Assessment: the baseline PHQ-9 at session 1.
    record_score(page, client, FALLING[1], 1)
    expect(page.locator(".result strong")).to_have_text("Moderately severe")

    # The contract: 12 weekly sessions, agreed at session 3.
    page.goto(f"/clients/{client.pk}/course/")
    page.get_by_role("link", name="Edit the contract").click()
    page.get_by_label("Status").select_option("active")
    page.get_by_label("Start date").fill(first.isoformat())
    page.get_by_label("Planned end date").fill(held[12].isoformat())
    page.get_by_label("Planned sessions").fill("12")
    page.get_by_label("Session length (minutes)").fill("50")
    page.get_by_label("Missed-session policy").fill("A missed session counts; we rearrange within the week.")
    page.get_by_label("Goals agreed in the contract").fill(
        "Mourn her mother; get back in touch with her sister and her friends."
    )
    page.get_by_label("Date the client agreed the contract").fill(held[3].isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The contract was saved.")
    expect(page.locator("p.big")).to_have_text("No session held yet · 12 planned")

    # The interpersonal inventory and its closeness circle.
    page.get_by_role("link", name="Interpersonal inventory").click()
    add_person(page, "Mum", "Parent", "1 (closest)", "Has died", {"What is good": "Rang every Sunday."})
    add_person(page, "Hanna (sister)", "Brother or sister", "1 (closest)", "Ongoing", {"Can confide": "yes"})
    add_person(
        page,
        "Priya (friend)",
        "Friend",
        "2",
        "Ongoing",
        {"Change around the onset": "Has not seen her since the funeral."},
    )
    circle = page.get_by_role("img", name="Closeness circle: 3 of 3 people placed on 3 rings")
    expect(circle).to_be_visible()
    expect(page.locator("svg.circle g.person.ring-1.status-deceased")).to_contain_text("Mum")
    expect(page.locator("svg.circle g.person.ring-1.status-ongoing")).to_contain_text("Hanna")
    check_page(page, "whole-course-inventory", DESKTOP, problems)
    page.locator("section:has(svg.circle)").screenshot(path=SCREENSHOTS / "whole-course-circle-desktop.png")

    # The timeline: the death a few weeks before the onset, and going back to work.
    page.get_by_role("link", name="Course of IPT").click()
    page.get_by_role("link", name="Interpersonal timeline").click()
    add_event(
        page,
        start=died.isoformat(),
        what="Her mother died in hospital after a stroke",
        kind="death",
        mood="-4",
        people=["Mum"],
        hint="grief",
    )
    add_event(
        page,
        start=(died + timedelta(days=21)).isoformat(),
        what="Back at work after compassionate leave; kept busy, did not talk about it",
        kind="other",
        mood="-3",
        people=["Priya (friend)"],
    )
    rows = page.get_by_role("table", name="Events").locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("A death")
    expect(rows.nth(0)).to_contain_text("-4")
    expect(page.get_by_role("img", name=re.compile("^Mood over time through 2 life events"))).to_be_visible()

    # The formulation: the grief suggestion, explained; the therapist chooses grief.
    page.get_by_role("link", name="Course of IPT").click()
    page.get_by_role("link", name="Formulation and goals").click()
    suggestions = page.locator(".suggestion")
    expect(suggestions).to_have_count(1)
    expect(suggestions.get_by_role("heading")).to_have_text("Grief")
    expect(suggestions).to_contain_text("the onset date is not recorded")
    expect(suggestions).to_contain_text("(check the timing)")
    page.get_by_label("When this episode of depression began").fill(onset.isoformat())
    for cue in (
        "The episode began in connection with the death of a significant person.",
        "Mourning is avoided or put off: keeping busy, feeling numb.",
    ):
        page.get_by_role("checkbox", name=cue).check()
    page.get_by_label("Primary problem area").select_option(label="Grief")
    page.get_by_label("Formulation", exact=True).fill(
        "Ines has a depression, a common and treatable illness. It began weeks after her mother "
        "died, and she has kept busy rather than grieve. We will work on mourning her mother and "
        "on getting back in touch with Hanna and Priya."
    )
    page.get_by_label("Shared with the client on").fill(held[3].isoformat())
    page.get_by_label("Agreed by the client on").fill(held[3].isoformat())
    page.get_by_role("button", name="Save the formulation").click()
    expect(page.get_by_role("status")).to_contain_text("The formulation was saved.")
    expect(suggestions).to_have_count(1)
    expect(suggestions).to_contain_text("A death near the onset of the depression can point to grief.")
    expect(suggestions.get_by_role("listitem")).to_have_text(
        f"Her mother died in hospital after a stroke: A death (Mum), {died.isoformat()}, "
        f"less than a month before the onset on {onset.isoformat()} "
        "(window: 12 months before to 3 months after the onset)"
    )
    expect(page.get_by_label("Primary problem area")).to_have_value("grief")

    # Goals: the protocol's goals for grief, as a start the therapist edits.
    page.get_by_role("button", name="Add the protocol's goals for the chosen areas").click()
    expect(page.get_by_role("status")).to_contain_text("2 goals were added from the protocol")
    page.get_by_role("link", name="Edit Help the client mourn.").click()
    page.get_by_label("Goal").fill("Mourn her mother: talk about her, with Hanna as well as here.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The goal was saved.")
    expect(page.locator(".goal")).to_have_count(2)
    check_page(page, "whole-course-formulation", DESKTOP, problems)

    # The timeline again, now with the onset from the formulation.
    page.goto(f"/clients/{client.pk}/timeline/")
    expect(page.locator("svg.timeline-chart .onset")).to_have_count(1)
    expect(page.locator("svg.timeline-chart .score-mark")).to_have_count(1)
    check_page(page, "whole-course-timeline", DESKTOP, problems)
    page.locator("figure.timeline-figure").screenshot(
        path=SCREENSHOTS / "whole-course-timeline-chart-desktop.png"
    )

    # Sessions 1 to 3: the initial phase and its tasks.
    page.goto(f"/clients/{client.pk}/course/")
    hold_session(
        page, 1, held[1], "Initial phase", tick("Symptom review", "Diagnosis", "Risk assessment", "Sick role")
    )
    expect(page.locator("p.big")).to_have_text("Session 1 of 12 · Initial phase")
    hold_session(page, 2, held[2], "Initial phase", tick("Interpersonal inventory", "Link the depression"))
    hold_session(
        page,
        3,
        held[3],
        "Initial phase",
        tick("Choose the problem area", "Interpersonal formulation", "Treatment contract"),
    )

    # Sessions 4 to 9: the middle phase, with notes, techniques and between-session tasks.
    for number in MIDDLE:
        hold_session(page, number, held[number], "Middle phase", middle_note(number))
        if number in FALLING:
            record_score(page, client, FALLING[number], number)
            page.goto(f"/clients/{client.pk}/course/")
        # After session 8, one session before the termination phase (10 to 12), the course page
        # raises the ending.
        reminder = page.get_by_role("status").filter(has_text="Time to raise the ending.")
        if number < 8:
            expect(page.locator("p.big")).to_have_text(f"Session {number} of 12 · Middle phase")
            expect(reminder).to_have_count(0)
        elif number == 8:
            expect(reminder).to_contain_text(
                "The next session begins the last stretch of the contract (4 left including it)"
            )
        else:
            # Further into the stretch the reminder counts what is left rather than announcing it anew.
            expect(reminder).to_contain_text(
                f"The contract is in its last stretch ({12 - number} sessions left including the next)"
            )

    # Sessions 10 to 12: the termination phase.
    for number in (10, 11, 12):
        hold_session(
            page, number, held[number], "Termination phase", tick("Raise the ending", "Feelings about ending")
        )
        if number in FALLING:
            record_score(page, client, FALLING[number], number)
            page.goto(f"/clients/{client.pk}/course/")
    expect(page.locator("p.big")).to_have_text("Session 12 of 12 · Termination phase")

    # Termination: the comparison with the baseline, the plan, and the ending the therapist judges.
    page.get_by_role("link", name="Termination and relapse prevention").click()
    phq = page.get_by_role("region", name="Now and at the start").get_by_role("row").filter(has_text="PHQ-9")
    expect(phq).to_have_text(re.compile(r"PHQ-9\s*19\s*4\s*-15 · remission"))
    page.get_by_label("Personal warning signs").fill("Stops ringing Hanna; stays in bed at weekends.")
    page.get_by_label("What helped").fill("Talking about Mum; the walks with Priya; the choir.")
    page.get_by_label("What to do").fill("Ring Hanna, book a walk, and see the GP if it lasts two weeks.")
    page.get_by_label("Who to contact").fill("Hanna, Priya, the GP.")
    page.get_by_label("Work to carry on").fill("Visit the grave on Mum's birthday with Hanna.")
    page.get_by_label("How the course is ending (your judgement)").select_option(label="Improved")
    page.get_by_label("What happens next").fill("Discharged to her GP; she can refer herself back.")
    check_page(page, "whole-course-termination", DESKTOP, problems)
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_role("status")).to_contain_text("The relapse-prevention plan was saved.")

    # The course ends.
    page.get_by_role("link", name="Course of IPT").click()
    page.get_by_role("link", name="Edit the contract").click()
    page.get_by_label("Status").select_option("ended")
    page.get_by_label("Ending reason").select_option("completed")
    page.get_by_label("End date", exact=True).fill(held[12].isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("The contract was saved.")
    expect(page.locator(".card dd").first).to_have_text("Ended · Completed")

    # The course summary, printed.
    page.get_by_role("link", name="Course summary (print)").click()
    page.emulate_media(media="print")
    summary = page.locator("article.summary")
    expect(summary).to_contain_text("Ended (Completed)")
    expect(summary).to_contain_text("12 of 12 sessions attended")
    expect(summary).to_contain_text(f"Agreed with the client on {held[3]:%-d %b %Y}.")
    expect(
        summary.get_by_role("img", name="Closeness circle: 3 of 3 people placed on 3 rings")
    ).to_be_visible()
    expect(summary).to_contain_text("Baseline 19, latest 4 (change -15).")
    expect(summary.locator("tbody tr")).to_have_count(12)
    expect(summary).to_contain_text("Visit the grave on Mum's birthday with Hanna.")
    expect(page.locator(".actions")).to_be_hidden()
    check_page(page, "whole-course-summary-print", DESKTOP, problems)

    course = Course.objects.get(client=client)
    assert (course.status, course.ending_reason, course.planned_sessions) == ("ended", "completed", 12)
    assert set(course.sessions.values_list("status", flat=True)) == {"attended"}
    sixth = Session.objects.get(course=course, number=6)
    assert (sixth.task_review, sixth.between_session_task) == (MIDDLE[6][0], "Visit the grave with Hanna.")
    goals = Goal.objects.filter(course=course)
    assert Session.objects.get(course=course, number=9).goal_ratings == {str(g.pk): 7 for g in goals}
    assert Session.objects.get(course=course, number=8).techniques == ["role_play", "work_at_home"]
    formulation = Formulation.objects.get(course=course)
    assert (formulation.primary_area, formulation.onset, formulation.agreed_on) == ("grief", onset, held[3])
    assert Goal.objects.filter(course=course, problem_area="grief").count() == 2
    assert RelapsePreventionPlan.objects.get(course=course).ending == "improved"
    totals = Response.objects.filter(course=course).order_by("session_number")
    assert list(totals.values_list("session_number", "total")) == list(FALLING.items())
    assert problems == []


def test_a_role_dispute_is_recorded_with_its_stage(page, clinic):
    client = a_new_client(clinic, "Tomasz Wren")
    course = Course.objects.create(client=client, status="assessment", started_on=timezone.localdate())
    sign_in(page, clinic.clinician.email)
    page.goto(f"/clients/{client.pk}/inventory/")
    add_person(
        page,
        "Ola (partner)",
        "Partner",
        "1 (closest)",
        "Strained",
        {
            "What is hard": "She wants him to take the job abroad; he wants to stay near his father.",
            "Do their expectations of each other match?": "non_reciprocal",
        },
    )

    page.goto(f"/clients/{client.pk}/formulation/")
    suggestion = page.locator(".suggestion")
    expect(suggestion).to_have_count(1)
    expect(suggestion.get_by_role("heading")).to_have_text("Interpersonal role dispute")
    expect(suggestion).to_contain_text(
        "Non-reciprocal expectations with a significant other can point to a role dispute."
    )
    # The strained relationship is evidence too, since decision support reads the whole record.
    expect(suggestion.get_by_role("listitem")).to_have_text(
        [
            "Ola (partner): expectations recorded as: Non-reciprocal (they conflict)",
            "Ola (partner): relationship recorded as: Strained (partner, ring 1)",
        ]
    )
    # The suggestion is not a choice: nothing is chosen until the therapist chooses.
    expect(page.get_by_label("Primary problem area")).to_have_value("")

    page.get_by_label("Primary problem area").select_option(label="Interpersonal role dispute")
    page.get_by_label("Formulation", exact=True).fill(
        "Tomasz's depression is tied to a stalled dispute with Ola about moving abroad."
    )
    page.get_by_role("button", name="Save the formulation").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved yet.")
    expect(page.locator("#id_dispute_stage_error")).to_have_text("Record the stage of the role dispute.")
    assert not Formulation.objects.filter(course=course).exists()

    # The choice and the text are kept; the therapist adds the stage.
    expect(page.get_by_label("Primary problem area")).to_have_value("role_dispute")
    expect(page.get_by_label("Formulation", exact=True)).to_contain_text("stalled dispute with Ola")
    page.get_by_label("Stage of the role dispute").select_option(label="Impasse")
    page.get_by_role("button", name="Save the formulation").click()
    expect(page.get_by_role("status")).to_contain_text("The formulation was saved.")
    expect(page.get_by_label("Stage of the role dispute")).to_have_value("impasse")

    formulation = Formulation.objects.get(course=course)
    assert (formulation.primary_area, formulation.dispute_stage) == ("role_dispute", "impasse")


def test_a_course_that_ends_without_improvement_offers_another_treatment(page, clinic):
    client = a_new_client(clinic, "Gareth Oduya")
    first = timezone.localdate() - timedelta(weeks=14)
    course = Course.objects.create(
        client=client, status="active", started_on=first, planned_sessions=12, agreed_on=first
    )
    for number in range(1, 13):
        Session.objects.create(
            course=course, number=number, date=first + timedelta(weeks=number - 1), status="attended"
        )
    sign_in(page, clinic.clinician.email)
    for session, total in ((1, 17), (6, 16), (12, 18)):
        record_score(page, client, total, session)

    page.goto(f"/clients/{client.pk}/course/")
    page.get_by_role("link", name="Termination and relapse prevention").click()
    phq = page.get_by_role("region", name="Now and at the start").get_by_role("row").filter(has_text="PHQ-9")
    expect(phq.get_by_role("cell")).to_have_text(["PHQ-9", "17", "18", "+1"])
    endings = page.get_by_role("region", name="Ways a course can end")
    not_improved = endings.locator(".ending").filter(has=page.get_by_role("heading", name="Not improved"))
    expect(not_improved).to_contain_text("Say so without blame: the treatment failed, not the client.")
    expect(not_improved.get_by_role("listitem")).to_have_text(
        ["Medication", "A different psychotherapy", "Referral"]
    )
    page.get_by_label("How the course is ending (your judgement)").select_option(label="Not improved")
    page.get_by_label("What happens next").fill(
        "The treatment did not help. Offered a medication review with the GP and a referral for CBT; "
        "he chose the referral."
    )
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_role("status")).to_contain_text("The relapse-prevention plan was saved.")
    expect(page.get_by_label("How the course is ending (your judgement)")).to_have_value("not_improved")
    # Continuation is for a course that went well: its button does not appear here.
    expect(page.get_by_role("button", name="Start a maintenance course")).to_have_count(0)

    plan = RelapsePreventionPlan.objects.get(course=course)
    assert plan.ending == "not_improved" and "referral for CBT" in plan.next_step
