"""The client portal in Debian's chromium: an invited client opens their account on a phone,
answers a PHQ-9 one question per screen, sees the crisis lines of their country when item 9 is
answered "more than half the days", goes on to the C-SSRS screener; the help button; the notes
saved as they are typed; and every portal page checked by axe-core and by our own page checks.

Screenshots go to test-results/screenshots/portal-*.png.
"""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from tests.browser.checks import check_page
from tests.browser.conftest import PHONE, SCREENS, SCREENSHOTS, Screen, sign_in
from tests.support import request_as

from rapport.accounts.models import Organisation
from rapport.clinic import invitations
from rapport.clinic.models import (
    CheckInSchedule,
    Client,
    Course,
    Formulation,
    Goal,
    Invitation,
    Preparation,
    Response,
    RiskAlert,
    SafetyPlan,
    Session,
    SessionStatus,
)
from rapport.messaging import clinic_notices

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "var" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/__test__/axe.min.js"
ALWAYS_OPEN = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
CODE = "ABCD2345WXYZ"
PHQ9_ANSWERS = [
    "Several days",
    "Not at all",
    "Several days",
    "More than half the days",
    "Not at all",
    "Several days",
    "Not at all",
    "Not at all",
    "More than half the days",
    "Somewhat difficult",
]


def a_course(clinic, client) -> Course:
    """Session 1 held with a task, session 2 in two days (the PHQ-9 is due), a shared formulation."""
    Organisation.objects.filter(pk=clinic.org.pk).update(opening_hours=ALWAYS_OPEN)
    course = Course.objects.create(client=client, planned_sessions=12)
    today = timezone.localdate()
    Session.objects.create(
        course=course,
        number=1,
        date=today - timedelta(days=5),
        status=SessionStatus.ATTENDED,
        between_session_task="Ring Sam about Sunday lunch, and notice how it feels.",
    )
    Session.objects.create(course=course, number=2, date=today + timedelta(days=2))
    CheckInSchedule.objects.create(client=client, instrument="phq9", created_by=clinic.clinician)
    Formulation.objects.create(
        course=course,
        primary_area="role_transition",
        text="Since the move, you have lost the people you saw every day, and your mood dropped with it.",
        shared_on=today - timedelta(days=5),
        agreed_on=today - timedelta(days=5),
    )
    Goal.objects.create(
        course=course, problem_area="role_transition", text="Build a few new friendships here."
    )
    return course


def a_newcomer(clinic) -> Client:
    client = Client.objects.create(
        organisation=clinic.org,
        team=clinic.team_a,
        responsible_clinician=clinic.clinician,
        full_name="Nia Newcomer",
        preferred_name="Nia",
        date_of_birth=date(1994, 4, 4),
        country="GB",
        time_zone="Europe/London",
        status="active",
    )
    Invitation.objects.create(
        client=client,
        digest=invitations.digest(CODE),
        created_by=clinic.clinician,
        expires_at=timezone.now() + timedelta(days=7),
    )
    a_course(clinic, client)
    return client


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"portal-{name}-phone.png", full_page=full_page)


def test_an_invited_client_answers_a_phq9_on_a_phone_sees_their_crisis_lines_and_goes_on_to_the_c_ssrs(
    new_page, clinic
):
    client = a_newcomer(clinic)
    page = new_page(PHONE)

    # The printed code, typed as people type it, then a password.
    page.goto("/invitation/")
    page.get_by_label("Invitation code").fill("abcd-2345-wxyz")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    page.get_by_label("Your e-mail address").fill("nia@example.org")
    page.get_by_label("Password", exact=True).fill("a long walk by the river")
    page.get_by_label("The same password again").fill("a long walk by the river")
    page.get_by_role("button", name="Open my account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Nia")
    expect(page.get_by_role("button", name="I need help now")).to_be_visible()
    expect(page.get_by_role("link", name="My safety plan").first).to_be_visible()
    shot(page, "home")

    # One question per screen, with the answers as big radio buttons.
    page.get_by_role("link", name="Your PHQ-9 check-in").click()
    for number, answer in enumerate(PHQ9_ANSWERS, start=1):
        expect(page.get_by_text(f"Question {number} of 10")).to_be_visible()
        page.get_by_role("radio", name=answer, exact=True).check()
        if number == 3:
            shot(page, "check-in-question", full_page=False)
        page.get_by_role("button", name="Next").click()
        if number == 9:
            # Item 9's answer raised the tier: its help shows on that screen before moving on.
            expect(page.locator(".tier-help-t2")).to_be_visible()
            shot(page, "check-in-risk-answer-help")
            page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    page.get_by_role("button", name="Send to my clinician").click()

    # Item 9 "more than half the days": the T2 response with the client's country's lines.
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.get_by_text("If you feel unsafe now, please contact a crisis line now.")).to_be_visible()
    panel = page.locator(".crisis-panel")
    expect(
        panel.get_by_text("If you are in immediate danger, call your local emergency number.")
    ).to_be_visible()
    expect(panel.get_by_role("link", name="Call 999")).to_have_attribute("href", "tel:999")
    expect(panel.get_by_role("link", name="Call 116 123")).to_have_attribute("href", "tel:116123")
    expect(panel.get_by_role("link", name="Text SHOUT to 85258")).to_have_attribute(
        "href", "sms:85258?body=SHOUT"
    )
    expect(page.locator("main")).not_to_contain_text(re.compile("severe|moderate|mild|score", re.IGNORECASE))
    shot(page, "crisis-panel-t2")
    response = Response.objects.get(client=client, instrument="phq9")
    assert RiskAlert.objects.get(response=response).tier == "T2"

    # The C-SSRS screener follows.
    page.get_by_role("link", name=re.compile("^Continue")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("C-SSRS screener")
    expect(page.get_by_text("Question 1 of 3")).to_be_visible()
    for number, answer in enumerate(["Yes", "Yes", "Yes", "Yes", "No", "No"], start=1):
        page.get_by_role("radio", name=answer, exact=True).check()
        page.get_by_role("button", name="Next").click()
        if number == 4:
            # Question 4 (high) raises the tier above the PHQ-9's T2 alert: the T3 help shows on
            # its own screen (questions 1 to 3 stay within the T2 help the client has had).
            expect(page.locator(".tier-help-t3 .crisis-panel")).to_be_visible()
            page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Send to my clinician").click()

    # A high screener: the full-screen T3 panel.
    expect(page.get_by_role("heading", level=1)).to_have_text("Help is here, right now")
    expect(page.locator(".crisis-panel.full").get_by_role("link", name="Call 999")).to_be_visible()
    shot(page, "crisis-panel-t3", full_page=False)
    shot(page, "crisis-panel-t3-whole")
    assert RiskAlert.objects.filter(client=client, tier="T3").count() == 1


def test_the_help_button_tells_the_clinic_and_shows_the_numbers(new_page, clinic):
    a_course(clinic, clinic.client)
    page = new_page(PHONE)
    sign_in(page, clinic.client_user.email)
    page.goto("/my/learn/what-is-ipt/")
    page.get_by_role("button", name="I need help now").click()
    expect(page.get_by_text("We have told your clinic that you need help.")).to_be_visible()
    expect(page.get_by_role("link", name="Call 999")).to_be_visible()
    shot(page, "help-now")
    assert RiskAlert.objects.filter(client=clinic.client, tier="T3", source="help_button").count() == 1


def test_notes_are_kept_as_they_are_typed_without_pressing_save(new_page, clinic):
    a_course(clinic, clinic.client)
    page = new_page(PHONE)
    sign_in(page, clinic.client_user.email)
    page.goto("/my/since-we-last-met/")
    page.get_by_label("What has happened since we last met?").fill("Sam rang me back on Sunday.")
    page.get_by_role("radio", name="A bit better").check()
    expect(page.get_by_text(re.compile(r"Saved at \d\d:\d\d"))).to_be_visible()
    page.get_by_label("What would you like to talk about?").fill("Going to the club on Thursday")
    page.get_by_label("What would you like to talk about?").blur()
    expect(page.get_by_text(re.compile(r"Saved at"))).to_be_visible()
    page.wait_for_timeout(300)
    page.reload()
    expect(page.get_by_label("What would you like to talk about?")).to_have_value(
        "Going to the club on Thursday"
    )
    # The button after an autosave is not mistaken for somebody else's change.
    page.get_by_role("button", name="Send to my clinician").click()
    expect(page.get_by_text("Sent to your clinician.")).to_be_visible()
    prep = Preparation.objects.get(client=clinic.client)
    assert prep.shared_at is not None and prep.mood_change == 1
    shot(page, "since-we-last-met")


def run_axe(page: Page) -> list[str]:
    page.add_script_tag(url=AXE_URL)
    results = page.evaluate("axe.run()")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_every_portal_page_passes_axe_and_our_page_checks(
    new_page, clinic, live_server, watch, screen: Screen
):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make install-test`, which installs axe-core from npm")
    course = a_course(clinic, clinic.client)
    SafetyPlan.objects.create(
        client=clinic.client,
        sections={
            "warning_signs": [{"text": "I stop answering my phone"}],
            "internal_coping": [{"text": "A walk by the canal"}, {"text": "Music, loud"}],
            "people_to_ask_for_help": [{"text": "My sister Ana", "phone": "07700 900123"}],
            "professionals_and_agencies": [
                {
                    "text": "Northside clinic",
                    "phone": "020 7946 0000",
                    "available_hours": "Mon to Fri, 9 to 5",
                }
            ],
        },
        last_reviewed_with_clinician_at=timezone.now() - timedelta(days=5),
        last_reviewed_by=clinic.clinician,
    )
    clinic_notices.send(request_as(clinic.clinician), clinic.client.pk, "See you on Thursday.")
    Response.objects.create(
        client=clinic.client,
        course=course,
        session_number=1,
        instrument="phq9",
        instrument_version="1",
        answered_by=clinic.client_user,
        respondent="client",
        answers={},
        total=14,
        complete=True,
        answered_at=timezone.now() - timedelta(days=5),
    )
    problems: list[str] = []
    page = new_page(screen)
    page.route(
        f"{live_server.url}{AXE_URL}", lambda route: route.fulfill(path=AXE, content_type="text/javascript")
    )

    def look(name):
        check_page(page, f"portal-{name}", screen, problems)
        problems.extend(f"{name} ({screen.name}): axe {v}" for v in run_axe(page))

    page.goto("/invitation/")
    look("invitation-code")
    page.get_by_role("button", name="Continue").click()
    look("invitation-code-empty")
    watch.allow(r"status of 404 .*/invitation/NOT-A-CODE/")
    page.goto("/invitation/NOT-A-CODE/")
    look("invitation-invalid")

    sign_in(page, clinic.client_user.email)
    for name, url in [
        ("home", "/my/"),
        ("help", "/my/help/"),
        ("check-ins", "/my/check-ins/"),
        ("question", "/my/check-ins/phq9/1/"),
        ("plan", "/my/plan/"),
        ("my-data", "/my/data/"),
        ("learn", "/my/learn/"),
        ("learn-page", "/my/learn/getting-help/"),
        ("preparation", "/my/since-we-last-met/"),
        ("safety-plan", "/my/safety-plan/"),
        ("safety-plan-edit", "/my/safety-plan/edit/"),
    ]:
        page.goto(url)
        look(name)
    page.goto("/my/check-ins/phq9/1/")
    page.get_by_role("button", name="Next").click()  # nothing chosen: the kind message
    look("question-unanswered")
    for _ in range(8):
        page.get_by_role("radio", name="Not at all", exact=True).check()
        page.get_by_role("button", name="Next").click()
    page.get_by_role("radio", name="Several days", exact=True).check()
    page.get_by_role("button", name="Next").click()
    # Item 9's answer raised the tier: its help shows on that screen first, then on to question 10.
    look("question-risk-help")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Later").click()
    look("review")
    page.get_by_role("button", name="Send to my clinician").click()
    look("result-t1")
    page.goto("/my/safety-plan/edit/")
    page.get_by_label("Phone number").first.fill("call me")
    page.get_by_role("button", name="Save", exact=True).click()
    look("safety-plan-edit-errors")
    page.locator(".my-plan-section").nth(3).screenshot(
        path=SCREENSHOTS / f"portal-safety-plan-edit-error-row-{screen.name}.png"
    )
    page.goto("/my/safety-plan/history/")
    look("safety-plan-history")
    page.goto("/my/safety-plan/")
    page.emulate_media(media="print")
    page.screenshot(path=SCREENSHOTS / f"portal-safety-plan-on-paper-{screen.name}.png", full_page=True)
    page.emulate_media(media="screen")
    assert problems == [], "\n".join(problems)
