"""The course of IPT: contract, sessions, phases from the protocol, notes, and two-tab edits."""

from datetime import date

import pytest

from rapport.audit.models import Action, AuditEvent
from rapport.clinic.models import Course, Session


@pytest.fixture
def course(clinic):
    return Course.objects.create(client=clinic.client, started_on="2026-01-05")


def contract(course, **change):
    data = {
        "variant": "ipt_individual",
        "format": "individual",
        "status": "active",
        "ending_reason": "",
        "started_on": "2026-01-05",
        "planned_sessions": "16",
        "frequency": "weekly",
        "session_minutes": "50",
        "contract_goals": "Mourn her mother; rebuild contact with friends.",
        "agreed_on": "2026-01-19",
        "version": course.version,
    }
    return {**data, **change}


def test_a_clinician_agrees_the_contract(clinic, course, as_user):
    response = as_user(clinic.clinician).post(
        f"/clients/{clinic.client.pk}/course/contract/", contract(course)
    )
    assert response.status_code == 302
    saved = Course.objects.get(pk=course.pk)
    assert (saved.status, saved.planned_sessions, str(saved.agreed_on), saved.version) == (
        "active",
        16,
        "2026-01-19",
        2,
    )
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_type="Course").count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"planned_sessions": "40"}, b"This variant plans 12 to 16 sessions."),
        ({"status": "ended"}, b"Say how the course ended."),
        ({"ending_reason": "completed"}, b"An ending reason belongs to a course that has ended."),
        ({"agreed_on": "not a date"}, b"Enter a valid date."),
    ],
)
def test_a_bad_contract_is_refused_with_a_clear_message_and_changes_nothing(
    change, message, clinic, course, as_user
):
    response = as_user(clinic.clinician).post(
        f"/clients/{clinic.client.pk}/course/contract/", contract(course, **change)
    )
    assert response.status_code == 200 and message in response.content
    assert Course.objects.get(pk=course.pk).version == 1


def test_two_tabs_editing_the_contract_never_overwrite_each_other(clinic, course, as_user):
    first = contract(course, contract_goals="First tab")
    second = contract(course, contract_goals="Second tab")
    assert (
        as_user(clinic.clinician).post(f"/clients/{clinic.client.pk}/course/contract/", first).status_code
        == 302
    )
    refused = as_user(clinic.co_clinician).post(f"/clients/{clinic.client.pk}/course/contract/", second)
    assert b"Someone else saved this contract" in refused.content and b"Second tab" in refused.content
    assert Course.objects.get(pk=course.pk).contract_goals == "First tab"


def add_sessions(client, clinic, n):
    for day in range(1, n + 1):
        client.post(f"/clients/{clinic.client.pk}/sessions/new/", {"date": f"2026-02-{day:02d}"})


def test_sessions_are_numbered_in_order_and_their_phase_comes_from_the_contract(clinic, course, as_user):
    client = as_user(clinic.clinician)
    add_sessions(client, clinic, 16)
    numbers = list(Session.objects.filter(course=course).values_list("number", flat=True))
    assert numbers == list(range(1, 17))
    page = client.get(f"/clients/{clinic.client.pk}/course/").content.decode()
    phases = [page.count(f'data-label="Phase">{name}') for name in ("Initial", "Middle", "Termination")]
    assert phases == [3, 10, 3]


def test_the_course_reminds_the_therapist_when_termination_should_begin(clinic, course, as_user):
    client = as_user(clinic.clinician)
    add_sessions(client, clinic, 13)
    Session.objects.filter(course=course, number__lte=11).update(status="attended")
    assert b"Time to raise the ending" not in client.get(f"/clients/{clinic.client.pk}/course/").content
    Session.objects.filter(course=course, number=12).update(status="attended")
    page = client.get(f"/clients/{clinic.client.pk}/course/").content
    assert b"Time to raise the ending" in page and b"Session 12 of 16" in page


def note(session, **change):
    data = {
        "date": "2026-02-10",
        "status": "attended",
        "phase_override": "",
        "phase_override_reason": "",
        "between_session_task": "Call her sister about the anniversary.",
        "note": "",
        "problem_area_progress": "4",
        "step_opening_question": "A hard week; the anniversary is coming.",
        "techniques": ["encouragement_of_affect", "exploratory_direct"],
        "version": session.version,
    }
    return {**data, **change}


def test_a_middle_phase_note_keeps_the_agenda_techniques_and_task(clinic, course, as_user):
    session = Session.objects.create(course=course, number=5, date="2026-02-10")
    response = as_user(clinic.clinician).post(
        f"/clients/{clinic.client.pk}/sessions/{session.pk}/", note(session)
    )
    assert response.status_code == 302
    saved = Session.objects.get(pk=session.pk)
    assert saved.techniques == ["encouragement_of_affect", "exploratory_direct"]
    assert saved.step_notes == {"opening_question": "A hard week; the anniversary is coming."}
    assert (saved.problem_area_progress, saved.status) == (4, "attended")
    event = AuditEvent.objects.get(action=Action.UPDATE, object_type="Session")
    assert "anniversary" not in str(event.detail)


def test_an_unknown_technique_or_task_is_refused(clinic, course, as_user):
    session = Session.objects.create(course=course, number=5, date="2026-02-10")
    response = as_user(clinic.clinician).post(
        f"/clients/{clinic.client.pk}/sessions/{session.pk}/", note(session, techniques=["hypnosis"])
    )
    assert response.status_code == 200 and b"Unknown technique: hypnosis" in response.content
    assert Session.objects.get(pk=session.pk).version == 1


def test_overriding_the_phase_needs_a_reason(clinic, course, as_user):
    session = Session.objects.create(course=course, number=5, date="2026-02-10")
    response = as_user(clinic.clinician).post(
        f"/clients/{clinic.client.pk}/sessions/{session.pk}/", note(session, phase_override="initial")
    )
    assert b"Give the reason for overriding the phase." in response.content
    assert Session.objects.get(pk=session.pk).phase_override == ""


def test_two_tabs_editing_a_session_note_keep_the_first_and_the_seconds_text(clinic, course, as_user):
    session = Session.objects.create(course=course, number=5, date="2026-02-10")
    url = f"/clients/{clinic.client.pk}/sessions/{session.pk}/"
    as_user(clinic.clinician).post(url, note(session, note="Written in the first tab"))
    refused = as_user(clinic.clinician).post(url, note(session, note="Written in the second tab"))
    assert (
        b"Someone else saved this session" in refused.content
        and b"Written in the second tab" in refused.content
    )
    assert Session.objects.get(pk=session.pk).note == "Written in the first tab"


def test_a_supervisor_reads_a_session_note_but_cannot_change_it(clinic, course, as_user):
    session = Session.objects.create(course=course, number=5, date="2026-02-10", note="Original")
    client = as_user(clinic.supervisor)
    assert client.get(f"/clients/{clinic.client.pk}/sessions/{session.pk}/").status_code == 200
    assert (
        client.post(f"/clients/{clinic.client.pk}/sessions/{session.pk}/", note(session)).status_code == 404
    )
    assert Session.objects.get(pk=session.pk).note == "Original"


def test_a_session_of_another_clients_course_is_not_found_through_this_client(clinic, course, as_user):
    other = Course.objects.create(client=clinic.other_client)
    theirs = Session.objects.create(course=other, number=1, date="2026-02-10")
    assert (
        as_user(clinic.clinician).get(f"/clients/{clinic.client.pk}/sessions/{theirs.pk}/").status_code == 404
    )


def test_the_task_agreed_at_one_session_is_reviewed_at_the_next(clinic, course, as_user):
    first = Session.objects.create(
        course=course, number=4, date="2026-02-03", between_session_task="Call Ana."
    )
    second = Session.objects.create(course=course, number=5, date="2026-02-10")
    client = as_user(clinic.clinician)
    page = client.get(f"/clients/{clinic.client.pk}/sessions/{second.pk}/").content.decode()
    assert "Between-session task from session 4" in page and "Call Ana." in page
    client.post(
        f"/clients/{clinic.client.pk}/sessions/{second.pk}/",
        note(second, task_review="She called; it went well."),
    )
    assert Session.objects.get(pk=second.pk).task_review == "She called; it went well."
    assert Session.objects.get(pk=first.pk).between_session_task == "Call Ana."


def test_progress_toward_each_goal_is_rated_at_a_middle_phase_session(clinic, course, as_user):
    from rapport.clinic.models import Goal

    goal = Goal.objects.create(course=course, problem_area="grief", text="Help the client mourn.")
    session = Session.objects.create(course=course, number=5, date="2026-02-10")
    url = f"/clients/{clinic.client.pk}/sessions/{session.pk}/"
    client = as_user(clinic.clinician)
    assert "Help the client mourn." in client.get(url).content.decode()
    bad = client.post(url, note(session, **{f"goal_{goal.pk}": "11"}))
    assert b"Rate progress toward a goal from 0 to 10." in bad.content
    client.post(url, note(session, **{f"goal_{goal.pk}": "6"}))
    assert Session.objects.get(pk=session.pk).goal_ratings == {str(goal.pk): 6}


def test_saved_goal_ratings_are_shown_when_the_note_is_opened_again(clinic, course, as_user):
    from rapport.clinic.models import Goal

    goal = Goal.objects.create(course=course, problem_area="grief", text="Help the client mourn.")
    session = Session.objects.create(
        course=course, number=5, date="2026-02-10", goal_ratings={str(goal.pk): 7}
    )
    page = (
        as_user(clinic.clinician).get(f"/clients/{clinic.client.pk}/sessions/{session.pk}/").content.decode()
    )
    assert '<option value="7" selected>7</option>' in page


def test_an_earlier_dated_or_ended_course_never_displaces_the_open_one(clinic, course, as_user):
    from rapport.clinic.measurement import current_course

    Course.objects.create(client=clinic.client, started_on="2023-01-01", status="ended")
    assert current_course(clinic.client) == course
    Course.objects.filter(pk=course.pk).update(started_on="2020-01-01")
    assert current_course(clinic.client) == course


def test_a_session_of_an_earlier_course_can_be_read_but_not_changed(clinic, course, as_user):
    old = Session.objects.create(course=course, number=1, date="2026-01-06", note="Old note")
    Course.objects.filter(pk=course.pk).update(status="ended")
    Course.objects.create(client=clinic.client, status="maintenance", variant="ipt_m", planned_sessions=6)
    client = as_user(clinic.clinician)
    url = f"/clients/{clinic.client.pk}/sessions/{old.pk}/"
    assert client.get(url).status_code == 200
    refused = client.post(url, note(old, note="Rewritten"))
    assert b"belongs to an earlier course" in refused.content
    assert Session.objects.get(pk=old.pk).note == "Old note"


def test_a_new_course_starts_only_after_the_last_one_ended(clinic, course, as_user):
    client = as_user(clinic.clinician)
    refused = client.post(f"/clients/{clinic.client.pk}/course/start/", follow=True)
    assert b"already has an open course" in refused.content
    assert Course.objects.filter(client=clinic.client).count() == 1
    Course.objects.filter(pk=course.pk).update(status="ended", ending_reason="completed")
    assert b"Start a new course" in client.get(f"/clients/{clinic.client.pk}/course/").content
    client.post(f"/clients/{clinic.client.pk}/course/start/")
    newest = Course.objects.filter(client=clinic.client).order_by("-id").first()
    assert Course.objects.filter(client=clinic.client).count() == 2 and newest.status == "referred"
    from rapport.clinic.measurement import current_course

    assert current_course(clinic.client) == newest


def contract_page(client, clinic):
    return client.get(f"/clients/{clinic.client.pk}/course/contract/").content.decode()


def test_choosing_a_variant_fills_its_session_count_length_and_frequency(clinic, course, as_user):
    # The page sent without script: the count, length and frequency are the ones the form showed.
    data = contract(course, variant="ipt_a", planned_sessions="16", session_minutes="50", frequency="weekly")
    response = as_user(clinic.clinician).post(f"/clients/{clinic.client.pk}/course/contract/", data)
    assert response.status_code == 302
    saved = Course.objects.get(pk=course.pk)
    assert (saved.variant, saved.planned_sessions, saved.session_minutes) == ("ipt_a", 12, 50)


def test_a_session_count_the_therapist_typed_is_kept_and_checked_against_the_variant(clinic, course, as_user):
    data = contract(course, variant="ipc", planned_sessions="4")
    as_user(clinic.clinician).post(f"/clients/{clinic.client.pk}/course/contract/", data)
    assert Course.objects.get(pk=course.pk).planned_sessions == 4
    refused = as_user(clinic.clinician).post(
        f"/clients/{clinic.client.pk}/course/contract/",
        contract(Course.objects.get(pk=course.pk), variant="ipt_a", planned_sessions="14"),
    )
    assert b"This variant plans 12 sessions." in refused.content and b"12 to 12" not in refused.content
    assert Course.objects.get(pk=course.pk).variant == "ipc"


def test_a_fixed_number_of_sessions_reads_as_one_number(clinic, course, as_user):
    client = as_user(clinic.clinician)
    client.post(f"/clients/{clinic.client.pk}/course/contract/", contract(course, variant="ipt_a"))
    page = client.get(f"/clients/{clinic.client.pk}/course/").content.decode()
    assert "12 sessions" in page and "12 to 12" not in page
    assert "IPT for Depressed Adolescents (IPT-A): 12 sessions" in contract_page(client, clinic)


def test_a_client_under_18_gets_ipt_a_suggested_with_the_reason(clinic, course, as_user):
    clinic.client.date_of_birth = date(2010, 6, 1)
    clinic.client.save()
    page = contract_page(as_user(clinic.clinician), clinic)
    assert "Suggested: IPT for Depressed Adolescents (IPT-A)." in page
    assert "is 15 on the contract date; IPT for Depressed Adolescents (IPT-A) is for ages 12 to 18." in page
    # Only a suggestion: the form still holds the variant the course has.
    assert '<option value="ipt_individual" selected>' in page


def test_an_adult_or_a_client_already_in_ipt_a_gets_no_suggestion(clinic, course, as_user):
    client = as_user(clinic.clinician)
    assert "Suggested:" not in contract_page(client, clinic)
    clinic.client.date_of_birth = date(2010, 6, 1)
    clinic.client.save()
    Course.objects.filter(pk=course.pk).update(variant="ipt_a", planned_sessions=12)
    assert "Suggested:" not in contract_page(client, clinic)


def test_the_age_for_the_suggestion_is_taken_on_the_contract_date(clinic, course, as_user):
    # 18 on 1 June 2026: a contract agreed the day before still suggests IPT-A.
    clinic.client.date_of_birth = date(2008, 6, 1)
    clinic.client.save()
    Course.objects.filter(pk=course.pk).update(agreed_on=date(2026, 5, 31))
    assert "Suggested:" in contract_page(as_user(clinic.clinician), clinic)
    Course.objects.filter(pk=course.pk).update(agreed_on=date(2026, 6, 1))
    assert "Suggested:" not in contract_page(as_user(clinic.clinician), clinic)


def test_the_session_list_marks_the_caregiver_sessions_of_ipt_a(clinic, course, as_user):
    Course.objects.filter(pk=course.pk).update(variant="ipt_a", planned_sessions=12)
    client = as_user(clinic.clinician)
    add_sessions(client, clinic, 12)
    page = client.get(f"/clients/{clinic.client.pk}/course/").content.decode()
    assert page.count('class="status joint-session"') == 3
    assert "Session 6: Caregiver joins in the middle phase" in page
    assert "(if the problem involves the parent or caregiver)" in page
    adult = Course.objects.filter(pk=course.pk)
    adult.update(variant="ipt_individual", planned_sessions=12)
    assert "joint-session" not in client.get(f"/clients/{clinic.client.pk}/course/").content.decode()


def test_the_last_stretch_counts_down_and_ends_once_the_final_session_is_held(clinic, course, as_user):
    client = as_user(clinic.clinician)
    add_sessions(client, clinic, 16)

    def course_page_after(held):
        Session.objects.filter(course=course, number__lte=held).update(status="attended")
        return client.get(f"/clients/{clinic.client.pk}/course/").content.decode()

    assert "The next session begins the last stretch of the contract (4 left including it)" in (
        course_page_after(12)
    )
    assert "The contract is in its last stretch (3 sessions left including the next)" in course_page_after(13)
    assert "The next session is the last one of the contract" in course_page_after(15)
    final = course_page_after(16)
    assert "last stretch" not in final and "Time to raise the ending" not in final
    assert "All 16 planned sessions have been held." in final


def scored(clinic, course, total, *, session_number=None, on=None, instrument="phq9"):
    from datetime import datetime, time

    from django.utils import timezone

    from rapport.clinic.models import Response

    extra = {"answered_at": timezone.make_aware(datetime.combine(on, time(12)))} if on else {}
    return Response.objects.create(
        client=clinic.client,
        course=course,
        session_number=session_number,
        instrument=instrument,
        instrument_version="1",
        answered_by=clinic.clinician,
        respondent="clinician",
        complete=True,
        total=total,
        band="moderate",
        **extra,
    )


def test_a_past_session_shows_the_scores_of_that_session_not_the_latest(clinic, course, as_user):
    client = as_user(clinic.clinician)
    add_sessions(client, clinic, 3)
    for number, total in ((1, 19), (2, 15), (3, 7)):
        scored(clinic, course, total, session_number=number)
    second = Session.objects.get(course=course, number=2)
    page = client.get(f"/clients/{clinic.client.pk}/sessions/{second.pk}/").content.decode()
    assert "Measures at session 2" in page
    assert "PHQ-9: 15 · -4 since baseline (19)" in page and "PHQ-9: 7" not in page
    assert "?session=2" in page


def test_a_session_without_its_own_score_says_the_score_shown_is_older(clinic, course, as_user):
    client = as_user(clinic.clinician)
    add_sessions(client, clinic, 3)
    scored(clinic, course, 19, on=date(2026, 2, 1))  # no session number: filed by its date
    scored(clinic, course, 9, on=date(2026, 2, 3))
    second = Session.objects.get(course=course, number=2)  # held on 2 February
    page = client.get(f"/clients/{clinic.client.pk}/sessions/{second.pk}/").content.decode()
    assert 'PHQ-9: 19 <span class="muted">(from an earlier session)</span>' in page
    assert "PHQ-9: 9" not in page
