"""The client portal's pages, through Django's test client: each page opens, saves, explains what
is wrong, never shows a band or a diagnosis, shows the right crisis lines, and keeps one client
out of everything of another's."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from rapport.accounts.models import Organisation
from rapport.clinic import invitations
from rapport.clinic.models import (
    AlertSource,
    CheckInDraft,
    CheckInSchedule,
    Client,
    Course,
    Formulation,
    Goal,
    Invitation,
    Preparation,
    Respondent,
    Response,
    RiskAlert,
    SafetyPlan,
    SafetyPlanVersion,
    Session,
    SessionStatus,
    TaskReport,
)
from rapport.core import crisis, instruments
from rapport.messaging import clinic_notices
from tests.personas import CANARY, PASSWORD
from tests.support import request_as

ALWAYS_OPEN = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
ALWAYS_CLOSED = {day: [] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
PHQ9_FREQUENCY = ["not_at_all", "several_days", "more_than_half_the_days", "nearly_every_day"]


def hours(clinic, opening):
    Organisation.objects.filter(pk=clinic.org.pk).update(opening_hours=opening)


@pytest.fixture
def course(clinic):
    """The client's course: session 1 held three days ago with a task, session 2 in two days
    (so the before-session PHQ-9 is due)."""
    hours(clinic, ALWAYS_OPEN)
    course = Course.objects.create(client=clinic.client, planned_sessions=12)
    today = timezone.localdate()
    clinic.held = Session.objects.create(
        course=course,
        number=1,
        date=today - timedelta(days=3),
        status=SessionStatus.ATTENDED,
        between_session_task="Ring Sam about Sunday lunch",
    )
    clinic.booked = Session.objects.create(course=course, number=2, date=today + timedelta(days=2))
    CheckInSchedule.objects.create(client=clinic.client, instrument="phq9", created_by=clinic.clinician)
    return course


@pytest.fixture
def me(clinic, as_user, course):
    return as_user(clinic.client_user)


def text(response) -> str:
    return response.content.decode()


def answer_all(http, instrument, codes: dict[str, str]):
    """Answer a questionnaire as a client would, one question per request, from the start."""
    response = http.get(f"/my/check-ins/{instrument}/")
    while "/review/" not in response["Location"]:
        url = response["Location"]
        number = int(url.rstrip("/").rsplit("/", 1)[1])
        item = instruments.get(instrument).items[number - 1]
        response = http.post(url, {"answer": codes[item.id], "action": "next"})
        assert response.status_code == 302, text(response)[:500]
    return http.post(response["Location"])


def phq9(item9="not_at_all", others="not_at_all"):
    codes = {f"item{n}": others for n in range(1, 9)}
    codes |= {"item9": item9, "difficulty": "not_difficult_at_all"}
    return codes


# --- Every page ---------------------------------------------------------------------------------

PAGES = [
    "/my/",
    "/my/help/",
    "/my/check-ins/",
    "/my/check-ins/phq9/1/",
    "/my/check-ins/phq9/review/",
    "/my/since-we-last-met/",
    "/my/plan/",
    "/my/learn/",
    "/my/learn/what-is-ipt/",
    "/my/safety-plan/",
    "/my/safety-plan/edit/",
    "/my/safety-plan/history/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_portal_page_has_the_help_button_the_safety_plan_link_and_the_not_a_crisis_service_line(
    me, url
):
    response = me.get(url)
    assert response.status_code == 200
    page = text(response)
    assert re.search(r'<form method="post" action="/my/help/"[^>]*>\s*<input[^>]+csrfmiddlewaretoken', page)
    assert "I need help now</button>" in page
    assert 'href="/my/safety-plan/">My safety plan</a>' in page
    assert "Rapport is not a crisis service" in page
    assert "style=" not in page  # the Content-Security-Policy forbids inline styles


def test_the_home_page_shows_the_next_session_what_is_due_and_the_latest_message(me, clinic):
    clinic_notices.send(request_as(clinic.clinician), clinic.client.pk, "See you on Friday.")
    page = text(me.get("/my/"))
    assert "Hello, Cai" in page
    assert f"Your clinician is {clinic.clinician.full_name}." in page
    assert clinic.booked.date.strftime("%-d %B") in page
    assert "Your PHQ-9 check-in" in page
    assert "Notes for your next session" in page
    assert f'href="/my/plan/#task-{clinic.held.pk}"' in page
    assert "See you on Friday." in page


def test_an_account_without_a_record_still_gets_a_page_and_the_help_button(clinic, as_user):
    Client.objects.filter(pk=clinic.client.pk).update(user=None)
    page = text(as_user(clinic.client_user).get("/my/"))
    assert "not linked to a record yet" in page
    assert "I need help now" in page


# --- Check-ins ----------------------------------------------------------------------------------


def test_a_check_in_goes_one_question_at_a_time_and_resumes_where_the_client_stopped(me, clinic):
    response = me.get("/my/check-ins/phq9/")
    assert response["Location"] == "/my/check-ins/phq9/1/"
    page = text(me.get("/my/check-ins/phq9/1/"))
    assert "Question 1 of 10" in page
    assert "Little interest or pleasure in doing things" in page
    assert page.count('type="radio" name="answer"') == 4
    for button in ("Next", "Prefer not to say", "Later", "Back"):
        assert f">{button}<" in page
    response = me.post("/my/check-ins/phq9/1/", {"answer": "several_days", "action": "next"})
    assert response["Location"] == "/my/check-ins/phq9/2/"
    # Saved at once: the draft holds it, and coming back goes to question 2.
    assert CheckInDraft.objects.get(client=clinic.client).answers == {"item1": "several_days"}
    assert me.get("/my/check-ins/phq9/")["Location"] == "/my/check-ins/phq9/2/"
    # Going back shows the answer given.
    assert 'value="several_days" checked' in text(me.get("/my/check-ins/phq9/1/"))
    assert "Question 2 of 10" in text(me.get("/my/check-ins/phq9/2/"))


def test_prefer_not_to_say_and_later_move_on_and_the_review_says_which_is_which(me, clinic):
    me.post("/my/check-ins/phq9/1/", {"action": "declined"})
    response = me.post("/my/check-ins/phq9/2/", {"answer": "not_at_all", "action": "later"})
    assert response["Location"] == "/my/check-ins/phq9/3/"
    draft = CheckInDraft.objects.get(client=clinic.client)
    assert draft.declined == ["item1"] and draft.answers == {}
    # Resuming skips the declined question and returns to the one left for later.
    assert me.get("/my/check-ins/phq9/")["Location"] == "/my/check-ins/phq9/2/"
    page = text(me.get("/my/check-ins/phq9/review/"))
    assert "Prefer not to say" in page
    assert "Not answered yet" in page
    assert "9 questions are not answered. You can send your answers anyway." in page


def test_next_without_an_answer_asks_for_one_kindly_and_saves_nothing(me, clinic):
    response = me.post("/my/check-ins/phq9/1/", {"action": "next"})
    assert response.status_code == 200
    assert "Choose one of the answers, or press" in text(response)
    assert not CheckInDraft.objects.filter(client=clinic.client).exists()


def test_an_answer_that_is_not_an_option_is_refused_with_a_message(me):
    response = me.post("/my/check-ins/phq9/1/", {"answer": "always", "action": "next"})
    assert "Choose one of the answers, or skip the question." in text(response)


def test_a_question_out_of_range_or_a_clinician_scale_is_not_found(me):
    assert me.get("/my/check-ins/phq9/11/").status_code == 404
    assert me.get("/my/check-ins/phq9/0/").status_code == 404
    assert me.get("/my/check-ins/hamd17/").status_code == 404
    assert me.get("/my/check-ins/nonsense/").status_code == 404


def test_a_question_the_branching_skips_sends_the_client_back_to_where_they_are(me):
    # C-SSRS question 3 is asked only after a Yes to question 2.
    assert me.get("/my/check-ins/cssrs_screen/3/")["Location"] == "/my/check-ins/cssrs_screen/"


def test_a_risk_answer_points_to_help_at_once_before_the_answers_are_sent(me):
    me.post("/my/check-ins/phq9/9/", {"answer": "several_days", "action": "next"})
    page = text(me.get("/my/check-ins/phq9/10/"))
    assert "you do not have to finish these questions first" in page
    assert 'href="/my/help/">See where to get help now' in page
    assert "you do not have to finish" in text(me.get("/my/check-ins/phq9/review/"))
    me.post("/my/check-ins/phq9/9/", {"answer": "not_at_all", "action": "next"})
    assert "you do not have to finish" not in text(me.get("/my/check-ins/phq9/10/"))


BAND_AND_DIAGNOSIS_WORDS = re.compile(
    r"severe|moderate|mild|minimal|depress|diagnos|score|band|\b27\b|\b24\b(?!/7)", re.IGNORECASE
)


def test_the_result_page_never_shows_a_band_a_score_or_a_diagnosis(me, clinic):
    response = answer_all(me, "phq9", phq9(others="nearly_every_day"))
    result = Response.objects.get(client=clinic.client)
    assert result.total == 24 and result.band == "severe"
    assert response["Location"] == f"/my/check-ins/result/{result.pk}/"
    page = me.get(response["Location"])
    main = text(page).split('<div class="portal">', 1)[1]
    assert "Thank you" in main
    assert "Your clinician will go through them with you" in main
    assert not BAND_AND_DIAGNOSIS_WORDS.search(main), BAND_AND_DIAGNOSIS_WORDS.search(main)
    assert "crisis-panel" not in main  # no risk answer: no crisis panel


def test_item_9_more_than_half_the_days_shows_the_t2_response_with_the_clients_lines_and_the_c_ssrs(
    me, clinic
):
    response = answer_all(me, "phq9", phq9(item9="more_than_half_the_days"))
    page = text(me.get(response["Location"]))
    assert RiskAlert.objects.get(client=clinic.client).tier == "T2"
    assert "If you feel unsafe now, please contact a crisis line now." in page
    assert "Go through my safety plan now" in page
    assert "If you are in immediate danger, call your local emergency number." in page
    assert 'href="tel:999"' in page and 'href="tel:116123"' in page  # GB, from core/crisis
    assert 'href="sms:85258?body=SHOUT"' in page
    assert "Your clinic is closed now" not in page
    assert 'href="/my/check-ins/cssrs_screen/">Continue' in page
    assert not BAND_AND_DIAGNOSIS_WORDS.search(page.split('<div class="portal">', 1)[1])


def test_out_of_hours_the_t2_response_says_no_clinician_may_see_it_now(me, clinic):
    hours(clinic, ALWAYS_CLOSED)
    response = answer_all(me, "phq9", phq9(item9="nearly_every_day"))
    page = text(me.get(response["Location"]))
    assert "Your clinic is closed now." in page
    assert "No clinician may see this until it opens." in page


def test_item_9_several_days_is_t1_reassurance_without_the_urgent_prompt(me, clinic):
    hours(clinic, ALWAYS_CLOSED)
    response = answer_all(me, "phq9", phq9(item9="several_days"))
    page = text(me.get(response["Location"]))
    assert RiskAlert.objects.get(client=clinic.client).tier == "T1"
    assert "Your clinician will see your answers and talk them through with you." in page
    assert "Look at my safety plan" in page
    assert "please contact a crisis line now" not in page
    assert "Your clinic is closed now" not in page  # out-of-hours wording is for T2 and T3


CSSRS_HIGH = {"q1": "yes", "q2": "yes", "q3": "yes", "q4": "yes", "q5": "no", "q6": "no"}


def test_a_high_c_ssrs_shows_the_full_screen_t3_panel_with_the_safety_plan(me, clinic):
    SafetyPlan.objects.create(
        client=clinic.client,
        sections={"people_to_ask_for_help": [{"text": "My sister Ana", "phone": "07700 900123"}]},
    )
    response = answer_all(me, "cssrs_screen", CSSRS_HIGH)
    page = text(me.get(response["Location"]))
    assert RiskAlert.objects.get(client=clinic.client).tier == "T3"
    assert 'class="crisis-panel tier-t3 full"' in page
    assert "<h1" in page and page.count("<h1") == 1
    assert 'class="call-button emergency" href="tel:999">Call 999</a>' in page
    assert "Samaritans" in page and "Call 116 123" in page
    assert "If you are in immediate danger, call your local emergency number." in page
    assert "My sister Ana" in page and 'href="tel:07700900123"' in page
    assert "Continue" not in page  # nothing follows the screener


@pytest.mark.parametrize(
    ("country", "shown", "not_shown"),
    [
        ("US", ['href="tel:911"', 'href="tel:988"', 'href="sms:741741?body=HOME"'], ["tel:999"]),
        ("AU", ['href="tel:000"', "Lifeline"], ["tel:999", "tel:911"]),
    ],
)
def test_the_t3_panel_shows_the_numbers_of_the_clients_own_country(me, clinic, country, shown, not_shown):
    Client.objects.filter(pk=clinic.client.pk).update(country=country)
    response = answer_all(me, "cssrs_screen", CSSRS_HIGH)
    page = text(me.get(response["Location"]))
    resources = crisis.for_country(country)
    assert all(line.number in page for line in resources.lines)
    assert all(s in page for s in shown)
    assert not any(s in page for s in not_shown)
    assert "call your local emergency number" in page


def test_a_client_whose_country_has_no_entry_sees_the_generic_one_and_no_wrong_number(me, clinic):
    Client.objects.filter(pk=clinic.client.pk).update(country="DE")
    page = text(me.get("/my/help/"))
    assert "If you are in immediate danger, call your local emergency number." in page
    assert 'href="https://findahelpline.com/"' in page
    assert "Find a crisis line in your country" in page
    assert 'href="tel:' not in page


def test_the_follow_up_is_offered_until_it_is_answered(me, clinic):
    answer_all(me, "phq9", phq9(item9="several_days"))
    assert 'href="/my/check-ins/cssrs_screen/"' in text(me.get("/my/"))
    assert "A few more questions" in text(me.get("/my/check-ins/"))
    answer_all(me, "cssrs_screen", {"q1": "no", "q2": "no", "q6": "no"})
    assert 'href="/my/check-ins/cssrs_screen/"' not in text(me.get("/my/"))


def test_sending_twice_is_refused_kindly(me, clinic):
    answer_all(me, "phq9", phq9())
    response = me.post("/my/check-ins/phq9/review/")
    assert response.status_code == 200
    assert "There is nothing to send yet." in text(response)
    assert Response.objects.filter(client=clinic.client).count() == 1


# --- Help -------------------------------------------------------------------------------------


def test_i_need_help_now_raises_one_t3_alert_and_says_the_clinic_has_been_told(me, clinic):
    response = me.post("/my/help/")
    assert response["Location"] == "/my/help/"
    page = text(me.get("/my/help/"))
    assert "We have told your clinic that you need help." in page
    assert 'href="tel:999"' in page
    alert = RiskAlert.objects.get(client=clinic.client)
    assert (alert.tier, alert.source) == ("T3", AlertSource.HELP_BUTTON)
    me.post("/my/help/")  # pressing again does not bury the first alert under a second
    assert RiskAlert.objects.filter(client=clinic.client).count() == 1


def test_i_need_help_now_out_of_hours_says_nobody_may_see_it_yet(me, clinic):
    hours(clinic, ALWAYS_CLOSED)
    page = text(me.post("/my/help/", follow=True))
    assert "The clinic is closed now, so no clinician may see this until it opens." in page
    assert "Your clinic is closed now." in page


def test_the_help_button_on_a_record_less_account_still_shows_where_to_get_help(clinic, as_user):
    Client.objects.filter(pk=clinic.client.pk).update(user=None)
    page = text(as_user(clinic.client_user).post("/my/help/", follow=True))
    assert "We could not tell your clinic" in page
    assert "call your local emergency number" in page


# --- "Since we last met" ------------------------------------------------------------------------

NOTES = {
    "what_happened": "Argued with Sam about Sunday.",
    "who_involved": "Sam, my brother",
    "mood_change": "-1",
    "topics": "How to talk to Sam",
    "questions": "",
}


def test_notes_are_saved_then_sent_to_the_clinician(me, clinic, course):
    page = text(me.get("/my/since-we-last-met/"))
    assert page.count("Your clinician may not read this straight away.") == 4
    assert me.post("/my/since-we-last-met/", {**NOTES, "version": "0", "action": "save"}).status_code == 302
    prep = Preparation.objects.get(course=course)
    assert (prep.what_happened, prep.mood_change, prep.shared_at) == (
        "Argued with Sam about Sunday.",
        -1,
        None,
    )
    page = text(
        me.post("/my/since-we-last-met/", {**NOTES, "version": prep.version, "action": "share"}, follow=True)
    )
    assert "Sent to your clinician." in page
    prep.refresh_from_db()
    assert prep.shared_at is not None
    assert "Argued with Sam about Sunday." in page and 'value="-1" checked' in page


def test_the_htmx_autosave_answers_with_the_new_version_only(me, course):
    response = me.post("/my/since-we-last-met/", {**NOTES, "version": "0"}, HTTP_HX_REQUEST="true")
    page = text(response)
    prep = Preparation.objects.get(course=course)
    assert 'id="prep-status"' in page and "<h1" not in page
    assert f'name="version" value="{prep.version}"' in page
    assert "Saved at" in page


def test_a_note_too_long_keeps_the_text_and_says_why(me, course):
    long = "x" * 5001
    page = text(me.post("/my/since-we-last-met/", {**NOTES, "topics": long, "version": "0"}))
    assert "Keep this under 5,000 characters." in page
    assert long in page and "Argued with Sam about Sunday." in page
    assert not Preparation.objects.filter(course=course).exists()


def test_a_version_conflict_keeps_what_the_client_typed_and_says_so(me, course):
    me.post("/my/since-we-last-met/", {**NOTES, "version": "0"})
    prep = Preparation.objects.get(course=course)
    Preparation.objects.filter(pk=prep.pk).update(topics="Written in the other tab", version=prep.version + 1)
    stale = {**NOTES, "topics": "Typed here", "version": prep.version}
    page = text(me.post("/my/since-we-last-met/", stale))
    assert "Your notes were changed somewhere else since you opened this page." in page
    assert "Typed here" in page and "Written in the other tab" in page
    assert f'name="version" value="{prep.version + 1}"' in page
    assert Preparation.objects.get(pk=prep.pk).topics == "Written in the other tab"
    # Saving again, knowingly, keeps theirs.
    me.post("/my/since-we-last-met/", {**stale, "version": prep.version + 1})
    assert Preparation.objects.get(pk=prep.pk).topics == "Typed here"


def test_an_autosave_that_raced_the_save_button_is_not_called_a_conflict(me, course):
    me.post("/my/since-we-last-met/", {**NOTES, "version": "0"}, HTTP_HX_REQUEST="true")
    prep = Preparation.objects.get(course=course)
    # The page still holds version 0 when the button is pressed.
    response = me.post(
        "/my/since-we-last-met/", {**NOTES, "topics": "Final", "version": "0", "action": "save"}
    )
    assert response.status_code == 302
    assert Preparation.objects.get(pk=prep.pk).topics == "Final"


def test_worrying_words_in_the_notes_bring_the_crisis_lines(me, clinic, course):
    me.post("/my/since-we-last-met/", {**NOTES, "what_happened": "I want to kill myself", "version": "0"})
    alert = RiskAlert.objects.get(client=clinic.client)
    assert (alert.tier, alert.source) == ("T1", AlertSource.FREE_TEXT)
    page = text(me.get("/my/since-we-last-met/"))
    assert "Some of what you wrote sounds as if things are very hard right now." in page
    assert 'href="tel:116123"' in page


def test_without_a_course_the_notes_page_says_so(clinic, as_user):
    page = text(as_user(clinic.client_user).get("/my/since-we-last-met/"))
    assert "Your course has not started yet." in page and "<textarea" not in page


# --- My plan ------------------------------------------------------------------------------------


def test_the_plan_shows_the_formulation_and_goals_only_once_shared(me, clinic, course):
    formulation = Formulation.objects.create(
        course=course,
        primary_area="role_dispute",
        dispute_stage="renegotiation",
        text="Sam and you disagree.",
    )
    Goal.objects.create(
        course=course, problem_area="role_dispute", text="Find a way to talk with Sam", strategies="X1"
    )
    page = text(me.get("/my/plan/"))
    assert "Sam and you disagree." not in page and "Find a way to talk with Sam" not in page
    assert "You have had 1 of your 12 planned sessions." in page and "11 sessions are left." in page
    assert "Next: session 2 of 12" in page
    Formulation.objects.filter(pk=formulation.pk).update(shared_on=date.today())
    page = text(me.get("/my/plan/"))
    assert "Sam and you disagree." in page and "Find a way to talk with Sam" in page
    assert "Role dispute" in page or "role dispute" in page.lower()
    assert "X1" not in page  # the clinician's strategies stay on the clinician's side


def test_the_plan_chart_has_no_band_names(me, clinic, course):
    answer_all(me, "phq9", phq9(others="nearly_every_day"))
    page = text(me.get("/my/plan/"))
    assert 'class="chart"' in page
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert not re.search(r"severe|moderate|mild|minimal", svg, re.IGNORECASE)


def test_the_client_says_how_a_task_went(me, clinic):
    page = text(me.get("/my/plan/"))
    assert "Ring Sam about Sunday lunch" in page
    response = me.post(
        f"/my/tasks/{clinic.held.pk}/", {"version": "0", "outcome": "partly", "how_it_went": "Short call"}
    )
    assert response["Location"] == f"/my/plan/#task-{clinic.held.pk}"
    report = TaskReport.objects.get(session=clinic.held)
    assert (report.outcome, report.how_it_went) == ("partly", "Short call")
    assert 'value="partly" checked' in text(me.get("/my/plan/"))


def test_a_task_report_with_nothing_in_it_says_what_is_needed(me, clinic):
    page = text(me.post(f"/my/tasks/{clinic.held.pk}/", {"version": "0", "outcome": "", "how_it_went": ""}))
    assert "Say whether you did it, or how it went." in page
    assert not TaskReport.objects.exists()


def test_a_task_report_conflict_keeps_the_text(me, clinic):
    me.post(f"/my/tasks/{clinic.held.pk}/", {"version": "0", "outcome": "done", "how_it_went": "First"})
    page = text(
        me.post(f"/my/tasks/{clinic.held.pk}/", {"version": "0", "outcome": "done", "how_it_went": "Second"})
    )
    assert "This was changed somewhere else" in page and "Second" in page


# --- Learn --------------------------------------------------------------------------------------


def test_learn_lists_every_page_and_each_page_includes_its_text(me):
    from rapport.core import learn

    index = text(me.get("/my/learn/"))
    for page in learn.pages():
        assert f'href="/my/learn/{page.slug}/"' in index
        body = text(me.get(f"/my/learn/{page.slug}/"))
        assert f"<h1>{page.title}</h1>" in body
        assert "<h2>" in body  # the fragment's own headings
    assert me.get("/my/learn/no-such-page/").status_code == 404


# --- Safety plan --------------------------------------------------------------------------------


def plan_post(version, **rows):
    data = {"version": str(version)}
    for section, items in rows.items():
        data[f"{section}-rows"] = str(len(items))
        for index, item in enumerate(items):
            for field, value in item.items():
                data[f"{section}-{index}-{field}"] = value
    return data


def test_the_client_builds_and_changes_the_safety_plan_and_every_version_is_kept(me, clinic):
    page = text(me.get("/my/safety-plan/edit/"))
    # Two empty rows per section: no script is needed to add an item.
    assert len(re.findall(r'name="warning_signs-\d+-text"', page)) == 2
    data = plan_post(
        0,
        warning_signs=[{"text": "I stop answering my phone"}, {"text": ""}],
        people_to_ask_for_help=[{"text": "My sister Ana", "phone": "07700 900123"}],
    )
    assert me.post("/my/safety-plan/edit/", data)["Location"] == "/my/safety-plan/"
    plan = SafetyPlan.objects.get(client=clinic.client)
    assert plan.sections["warning_signs"] == [{"text": "I stop answering my phone"}]
    page = text(me.get("/my/safety-plan/"))
    assert "I stop answering my phone" in page and 'href="tel:07700900123"' in page
    assert "Not yet gone through with your clinician." in page
    # Remove one item and add another.
    data = plan_post(
        plan.version,
        warning_signs=[{"text": "I stop answering my phone", "remove": "1"}, {"text": "I stay in bed"}],
    )
    me.post("/my/safety-plan/edit/", data)
    plan.refresh_from_db()
    assert plan.sections["warning_signs"] == [{"text": "I stay in bed"}]
    assert SafetyPlanVersion.objects.filter(plan=plan).count() == 2
    history = text(me.get("/my/safety-plan/history/"))
    assert history.count("By you.") == 2 and "I stop answering my phone" in history


def test_the_date_last_reviewed_together_is_shown(me, clinic):
    SafetyPlan.objects.create(
        client=clinic.client,
        sections={},
        last_reviewed_with_clinician_at=timezone.make_aware(timezone.datetime(2026, 2, 3, 10)),
        last_reviewed_by=clinic.clinician,
    )
    assert "Last gone through with your clinician on 3 February 2026." in text(me.get("/my/safety-plan/"))


def test_a_safety_plan_item_with_a_bad_phone_keeps_the_text_and_marks_the_row(me, clinic):
    data = plan_post(0, people_to_ask_for_help=[{"text": "Ana", "phone": "call me"}])
    page = text(me.post("/my/safety-plan/edit/", data))
    assert "A phone number may contain only digits, spaces, +, -, ( and )." in page
    assert 'value="call me"' in page and ">Ana</textarea>" in page
    assert not SafetyPlan.objects.exists()


def test_a_safety_plan_conflict_keeps_the_clients_text_and_shows_the_saved_plan(me, clinic):
    me.post("/my/safety-plan/edit/", plan_post(0, warning_signs=[{"text": "First"}]))
    plan = SafetyPlan.objects.get(client=clinic.client)
    SafetyPlan.objects.filter(pk=plan.pk).update(
        sections={"warning_signs": [{"text": "From the session"}]}, version=plan.version + 1
    )
    page = text(me.post("/my/safety-plan/edit/", plan_post(plan.version, warning_signs=[{"text": "Mine"}])))
    assert "Your safety plan was changed somewhere else since you opened this page." in page
    assert ">Mine</textarea>" in page and "From the session" in page
    assert SafetyPlan.objects.get(pk=plan.pk).sections == {"warning_signs": [{"text": "From the session"}]}


# --- One client never reaches another's ----------------------------------------------------------


def test_one_client_can_never_open_another_clients_result_task_draft_or_plan(clinic, as_user, course):
    first = as_user(clinic.client_user)
    answer_all(first, "phq9", phq9())
    first.post("/my/check-ins/gad7/1/", {"answer": "several_days", "action": "next"})
    first.post("/my/since-we-last-met/", {**NOTES, "what_happened": f"About {CANARY}", "version": "0"})
    first.post("/my/safety-plan/edit/", plan_post(0, warning_signs=[{"text": f"Sign {CANARY}"}]))
    rid = Response.objects.get(client=clinic.client).pk

    other = as_user(clinic.other_client_user)
    assert other.get(f"/my/check-ins/result/{rid}/").status_code == 404
    assert other.post(f"/my/tasks/{clinic.held.pk}/", {"version": "0", "outcome": "done"}).status_code == 404
    # Their own pages show their own (empty) things, never the first client's.
    assert other.get("/my/check-ins/gad7/")["Location"] == "/my/check-ins/gad7/1/"
    for url in [
        "/my/",
        "/my/check-ins/",
        "/my/since-we-last-met/",
        "/my/plan/",
        "/my/safety-plan/",
        "/my/safety-plan/history/",
        "/my/check-ins/gad7/review/",
    ]:
        page = text(other.get(url))
        assert CANARY not in page and "Ring Sam" not in page and "Cai" not in page, url
    assert not CheckInDraft.objects.filter(client=clinic.other_client).exists()


def test_a_clinicians_response_is_not_shown_as_the_clients_result(clinic, as_user, course):
    response = Response.objects.create(
        client=clinic.client,
        course=course,
        instrument="phq9",
        instrument_version="1",
        answered_by=clinic.clinician,
        respondent=Respondent.CLINICIAN,
        answers={},
        complete=False,
    )
    assert as_user(clinic.client_user).get(f"/my/check-ins/result/{response.pk}/").status_code == 404


# --- Invitations --------------------------------------------------------------------------------


@pytest.fixture
def newcomer(clinic):
    return Client.objects.create(
        organisation=clinic.org,
        team=clinic.team_a,
        responsible_clinician=clinic.clinician,
        full_name="Nia Newcomer",
        preferred_name="Nia",
        date_of_birth=date(1994, 4, 4),
        country="GB",
        time_zone="Europe/London",
    )


def invite(clinic, client, code="ABCD2345WXYZ", email="", **extra):
    Invitation.objects.create(
        client=client,
        email=email,
        digest=invitations.digest(code),
        created_by=clinic.clinician,
        expires_at=extra.pop("expires_at", timezone.now() + timedelta(days=7)),
        **extra,
    )
    return code


def test_a_printed_code_opens_the_account_and_signs_the_client_in(client, clinic, newcomer):
    code = invite(clinic, newcomer)
    response = client.post("/invitation/", {"code": "abcd-2345-wxyz"})  # typed as people type it
    assert response["Location"] == "/invitation/accept/"
    page = text(client.get("/invitation/accept/"))
    assert "Welcome, Nia." in page and "Rapport is not a crisis service" in page
    response = client.post(
        "/invitation/accept/",
        {"email": "nia@example.org", "password": PASSWORD, "password_again": PASSWORD},
    )
    assert response["Location"] == "/my/"
    newcomer.refresh_from_db()
    assert newcomer.user.email == "nia@example.org"
    assert "Hello, Nia" in text(client.get("/my/"))
    assert Invitation.objects.get(digest=invitations.digest(code)).used_at is not None


def test_the_e_mailed_link_moves_the_code_out_of_the_address_and_uses_the_invited_address(
    client, clinic, newcomer
):
    code = invite(clinic, newcomer, email="nia@example.org")
    response = client.get(f"/invitation/{code}/")
    assert response["Location"] == "/invitation/accept/"
    page = text(client.get("/invitation/accept/"))
    assert code not in page and "nia@example.org" in page and 'name="email"' not in page
    client.post("/invitation/accept/", {"password": PASSWORD, "password_again": PASSWORD})
    newcomer.refresh_from_db()
    assert newcomer.user.email == "nia@example.org"


def test_accepting_explains_what_is_wrong(client, clinic, newcomer):
    invite(clinic, newcomer)
    client.post("/invitation/", {"code": "ABCD2345WXYZ"})
    page = text(
        client.post("/invitation/accept/", {"email": "nope", "password": "short", "password_again": "other"})
    )
    assert "Enter a valid e-mail address." in page
    assert "The two passwords are not the same." in page
    assert 'value="nope"' in page
    newcomer.refresh_from_db()
    assert newcomer.user is None


@pytest.mark.parametrize("state", ["expired", "used", "revoked"])
def test_an_expired_used_or_revoked_link_shows_a_clear_page(client, clinic, newcomer, state):
    now = timezone.now()
    extra = {
        "expired": {"expires_at": now - timedelta(minutes=1)},
        "used": {"used_at": now},
        "revoked": {"revoked_at": now},
    }[state]
    code = invite(clinic, newcomer, **extra)
    response = client.get(f"/invitation/{code}/")
    assert response.status_code == 404
    assert "This invitation does not work" in text(response)
    assert "ask your clinic for a new invitation" in text(response).lower()
    response = client.post("/invitation/", {"code": code})
    assert "That code did not work." in text(response)


def test_an_invitation_used_while_the_form_was_open_is_explained(client, clinic, newcomer):
    code = invite(clinic, newcomer)
    client.post("/invitation/", {"code": code})
    Invitation.objects.update(used_at=timezone.now())
    response = client.get("/invitation/accept/")
    assert response.status_code == 404 and "This invitation does not work" in text(response)


def test_after_ten_wrong_codes_the_session_is_stopped_even_for_the_right_one(client, clinic, newcomer):
    code = invite(clinic, newcomer)
    for _ in range(9):
        assert "That code did not work." in text(client.post("/invitation/", {"code": "WRONG0000000"}))
    response = client.post("/invitation/", {"code": "WRONG0000000"})
    assert response.status_code == 429 and "Too many codes did not work." in text(response)
    response = client.post("/invitation/", {"code": code})
    assert response.status_code == 429
    assert client.get(f"/invitation/{code}/").status_code == 429
    newcomer.refresh_from_db()
    assert newcomer.user is None


def test_the_accept_page_without_a_code_goes_back_to_the_code_form(client):
    assert client.get("/invitation/accept/")["Location"] == "/invitation/"
