"""The interpersonal timeline: events and periods checked against the protocol, two-tab edits,
entered in error instead of deleted, audited by field name, and the chart beside the PHQ-9."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from rapport.audit.models import Action, AuditEvent
from rapport.clinic import timeline
from rapport.clinic.models import Course, Formulation, InventoryEntry, Response, TimelineEvent
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.records import EnteredInError
from tests.access_matrix import FORBIDDEN, LOGIN, NOT_FOUND, OK, expect
from tests.personas import CANARY, PERSONAS
from tests.support import request_as


@pytest.fixture
def course(clinic):
    return Course.objects.create(client=clinic.client, started_on="2026-01-05")


@pytest.fixture
def mother(course):
    return InventoryEntry.objects.create(
        course=course, person_label="Mother", values={"current_status": "deceased"}
    )


def url(clinic, suffix=""):
    return f"/clients/{clinic.client.pk}/timeline/{suffix}"


def event_data(**change):
    data = {
        "start": "2025-09-14",
        "end": "",
        "event": "Her mother died after a short illness",
        "kind": "death",
        "mood_rating": "-4",
        "problem_area_hint": "grief",
    }
    return {**data, **change}


def typed(data, course) -> timeline.Event:
    """Form data as a page reads it into the service's typed event."""
    return timeline.event_from(timeline.EventForm(data, course=course))


def an_event(course, **values):
    fields = {"start": date(2025, 9, 14), "event": "Her mother died", "kind": "death", "mood_rating": -4}
    return TimelineEvent.objects.create(course=course, **{**fields, **values})


# Adding


def test_a_clinician_adds_a_death_with_the_person_the_mood_and_a_hint(clinic, course, mother, as_user):
    response = as_user(clinic.clinician).post(url(clinic, "new/"), event_data(people=[mother.pk]))
    assert response.status_code == 302 and response["Location"] == url(clinic)
    event = TimelineEvent.objects.get(course=course)
    assert (event.kind, event.mood_rating, event.problem_area_hint, str(event.start), event.end) == (
        "death",
        -4,
        "grief",
        "2025-09-14",
        None,
    )
    assert list(event.people.all()) == [mother]


def test_adding_an_event_is_audited_by_field_name_and_never_by_what_happened(clinic, course, mother, as_user):
    as_user(clinic.clinician).post(url(clinic, "new/"), event_data(people=[mother.pk]))
    row = AuditEvent.objects.get(action=Action.CREATE, object_type="TimelineEvent")
    assert row.client_id == clinic.client.pk and row.actor_id == clinic.clinician.pk
    assert set(row.detail["fields"]) == {
        "start",
        "event",
        "kind",
        "people",
        "mood_rating",
        "problem_area_hint",
    }
    assert "illness" not in str(row.detail) and "Mother" not in str(row.detail)


def test_a_period_keeps_its_end(clinic, course, as_user):
    data = event_data(
        start="2025-11-01", end="2026-02-28", event="Moved to a new town", kind="move_or_migration"
    )
    as_user(clinic.co_clinician).post(url(clinic, "new/"), data)
    event = TimelineEvent.objects.get(course=course)
    assert (event.start, event.end) == (date(2025, 11, 1), date(2026, 2, 28))


def test_an_event_needs_only_a_date_what_happened_and_its_kind(clinic, course, as_user):
    data = event_data(mood_rating="", problem_area_hint="")
    assert as_user(clinic.clinician).post(url(clinic, "new/"), data).status_code == 302
    event = TimelineEvent.objects.get(course=course)
    assert (event.mood_rating, event.problem_area_hint, event.people.count()) == (None, "", 0)


def tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


# Resolved when the test runs, not when it is collected: a run that crosses midnight would
# otherwise send "tomorrow" as today.
TOMORROW = "<tomorrow>"


def resolved(change: dict) -> dict:
    return {k: tomorrow() if v == TOMORROW else v for k, v in change.items()}


BAD_INPUT = [
    ({"kind": "lottery_win"}, "Choose one of the kinds of event listed."),
    ({"kind": ""}, "Choose the kind of event."),
    ({"mood_rating": "6"}, "The mood rating runs from -5 to 5."),
    ({"mood_rating": "-6"}, "The mood rating runs from -5 to 5."),
    ({"mood_rating": "low"}, "Enter a whole number."),
    ({"start": "2025-09-14", "end": "2025-09-01"}, "The end of a period cannot be before its start."),
    ({"start": TOMORROW}, "this date is in the future"),
    ({"end": TOMORROW}, "this date is in the future"),
    ({"start": ""}, "Enter the date, or the start of the period."),
    ({"event": "   "}, "Say what happened."),
    ({"problem_area_hint": "bad_luck"}, "Choose one of the problem areas listed."),
]


@pytest.mark.parametrize(("change", "message"), BAD_INPUT, ids=[m for _, m in BAD_INPUT])
def test_a_bad_event_is_refused_with_a_clear_message_and_nothing_is_saved(
    change, message, clinic, course, as_user
):
    response = as_user(clinic.clinician).post(url(clinic, "new/"), event_data(**resolved(change)))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Nothing was saved yet" in response.content.decode()
    assert not TimelineEvent.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.CREATE).exists()


@pytest.mark.parametrize(("change", "message"), BAD_INPUT[:6], ids=[m for _, m in BAD_INPUT[:6]])
def test_the_service_refuses_the_same_input_whoever_calls_it(change, message, clinic, course):
    with pytest.raises(InvalidInput) as refused:
        timeline.add_event(
            request_as(clinic.clinician), clinic.client.pk, typed(event_data(**resolved(change)), course)
        )
    assert message in str(refused.value.errors)


def test_people_come_only_from_this_courses_inventory(clinic, course, as_user):
    earlier = Course.objects.create(client=clinic.client, started_on="2024-01-01")
    from_an_earlier_course = InventoryEntry.objects.create(course=earlier, person_label="Old friend")
    theirs = InventoryEntry.objects.create(
        course=Course.objects.create(client=clinic.other_client), person_label="Someone else's sister"
    )
    client = as_user(clinic.clinician)
    for person in (from_an_earlier_course, theirs):
        response = client.post(url(clinic, "new/"), event_data(people=[person.pk]))
        assert b"Choose people from this course&#x27;s inventory only." in response.content
        assert person.person_label.encode() not in response.content
    assert not TimelineEvent.objects.exists()


def test_a_person_marked_entered_in_error_cannot_be_linked(clinic, course, mother, as_user):
    InventoryEntry.objects.filter(pk=mother.pk).update(entered_in_error_at=timezone.now())
    response = as_user(clinic.clinician).post(url(clinic, "new/"), event_data(people=[mother.pk]))
    assert response.status_code == 200 and not TimelineEvent.objects.exists()


def test_the_form_offers_the_protocols_kinds_mood_scale_and_problem_areas(clinic, course, mother, as_user):
    page = as_user(clinic.clinician).get(url(clinic, "new/")).content.decode()
    assert 'value="death"' in page and 'value="move_or_migration"' in page and 'value="conflict"' in page
    assert (
        '<option value="-5">-5 (lowest)</option>' in page and '<option value="5">+5 (best)</option>' in page
    )
    assert 'value="grief"' in page and 'value="interpersonal_deficits"' in page
    assert "Mother" in page and 'type="checkbox" name="people"' in page


def test_without_a_course_the_timeline_says_so_and_adding_waits_for_one(clinic, as_user):
    client = as_user(clinic.clinician)
    page = client.get(url(clinic))
    assert page.status_code == 200 and b"No course has been started" in page.content
    assert client.get(url(clinic, "new/"))["Location"] == url(clinic)
    assert client.post(url(clinic, "new/"), event_data()).status_code == 302
    assert not TimelineEvent.objects.exists()


# Editing


def test_a_clinician_corrects_an_event_and_the_change_is_audited_by_field_name(
    clinic, course, mother, as_user
):
    event = an_event(course)
    data = event_data(mood_rating="-5", people=[mother.pk], version=event.version)
    response = as_user(clinic.clinician).post(url(clinic, f"{event.pk}/edit/"), data)
    assert response.status_code == 302
    saved = TimelineEvent.objects.get(pk=event.pk)
    assert (saved.mood_rating, saved.version, list(saved.people.all())) == (-5, 2, [mother])
    row = AuditEvent.objects.get(action=Action.UPDATE, object_type="TimelineEvent")
    assert set(row.detail["fields"]) == {"event", "mood_rating", "people", "problem_area_hint"}
    assert "illness" not in str(row.detail)


def test_a_bad_edit_is_refused_and_changes_nothing(clinic, course, as_user):
    event = an_event(course)
    data = event_data(end="2020-01-01", version=event.version)
    response = as_user(clinic.clinician).post(url(clinic, f"{event.pk}/edit/"), data)
    assert b"The end of a period cannot be before its start." in response.content
    assert TimelineEvent.objects.get(pk=event.pk).version == 1


def test_two_tabs_editing_an_event_keep_the_first_save_and_the_seconds_text(clinic, course, as_user):
    event = an_event(course)
    edit = url(clinic, f"{event.pk}/edit/")
    first = event_data(event="Written in the first tab", version=event.version)
    second = event_data(event="Written in the second tab", version=event.version)
    assert as_user(clinic.clinician).post(edit, first).status_code == 302
    refused = as_user(clinic.co_clinician).post(edit, second)
    assert refused.status_code == 200
    assert (
        b"Someone else saved this event" in refused.content
        and b"Written in the second tab" in refused.content
    )
    assert b'name="version" value="2"' in refused.content
    assert TimelineEvent.objects.get(pk=event.pk).event == "Written in the first tab"


def test_the_service_raises_an_edit_conflict_for_a_stale_version(clinic, course):
    event = an_event(course)
    TimelineEvent.objects.filter(pk=event.pk).update(version=3)
    with pytest.raises(EditConflict) as conflict:
        timeline.update_event(
            request_as(clinic.clinician), clinic.client.pk, event.pk, typed(event_data(), course), version=1
        )
    assert conflict.value.current.version == 3
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()


def test_opening_an_event_to_edit_it_is_one_audited_read(clinic, course, as_user):
    event = an_event(course)
    response = as_user(clinic.clinician).get(url(clinic, f"{event.pk}/edit/"))
    assert response.status_code == 200 and b"Her mother died" in response.content
    row = AuditEvent.objects.get(request_id=response["X-Request-ID"])
    assert (row.action, row.object_type, row.object_id) == (Action.READ, "TimelineEvent", str(event.pk))


EDIT_PAGE = expect(FORBIDDEN, anonymous=LOGIN, clinician=OK, co_clinician=OK, other_clinician=NOT_FOUND)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_edit_page_answers_each_persona_as_the_changes_do(persona, clinic, course, as_user):
    # The access matrix checks this route by POST; this is its GET (see tests/matrix/timeline.py).
    event = an_event(course, event=f"Her mother died {CANARY}")
    response = as_user(clinic.persona(persona)).get(url(clinic, f"{event.pk}/edit/"))
    if EDIT_PAGE[persona] == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    else:
        assert response.status_code == EDIT_PAGE[persona]
    if response.status_code >= 400:
        assert CANARY not in response.content.decode()


# Entered in error


def test_an_event_entered_in_error_leaves_the_timeline_but_keeps_the_record_and_reason(
    clinic, course, as_user
):
    event = an_event(course)
    client = as_user(clinic.clinician)
    response = client.post(
        url(clinic, f"{event.pk}/entered-in-error/"), {"reason": "Belongs to another client"}
    )
    assert response.status_code == 302
    kept = TimelineEvent.objects.get(pk=event.pk)
    assert kept.entered_in_error_reason == "Belongs to another client"
    assert (kept.entered_in_error_by, kept.entered_in_error_at is not None) == (clinic.clinician, True)
    assert b"Her mother died" not in client.get(url(clinic)).content
    assert client.get(url(clinic, f"{event.pk}/edit/")).status_code == 404
    row = AuditEvent.objects.get(action=Action.DELETE, object_type="TimelineEvent")
    assert "another client" not in str(row.detail)


def test_marking_entered_in_error_needs_a_reason(clinic, course, as_user):
    event = an_event(course)
    response = as_user(clinic.clinician).post(url(clinic, f"{event.pk}/entered-in-error/"), {"reason": " "})
    assert response.status_code == 200 and b"The event was not marked" in response.content
    assert TimelineEvent.objects.get(pk=event.pk).entered_in_error_at is None


def test_an_event_cannot_be_marked_twice(clinic, course):
    event = an_event(course)
    request = request_as(clinic.clinician)
    timeline.mark_event_entered_in_error(request, clinic.client.pk, event.pk, EnteredInError("Wrong client"))
    with pytest.raises(Http404):
        timeline.mark_event_entered_in_error(
            request, clinic.client.pk, event.pk, EnteredInError("Wrong client")
        )
    assert AuditEvent.objects.filter(action=Action.DELETE).count() == 1


# Who may see and change the timeline


def test_another_therapist_can_neither_open_nor_change_the_timeline(clinic, course, as_user):
    event = an_event(course)
    client = as_user(clinic.other_clinician)
    assert client.get(url(clinic)).status_code == 404
    assert client.post(url(clinic, "new/"), event_data()).status_code == 404
    assert client.post(url(clinic, f"{event.pk}/edit/"), event_data(version=1)).status_code == 404
    assert (
        client.post(url(clinic, f"{event.pk}/entered-in-error/"), {"reason": "Not mine at all"}).status_code
        == 404
    )
    assert TimelineEvent.objects.get(pk=event.pk).version == 1
    assert TimelineEvent.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.DENIED).count() == 4


def test_an_event_of_another_clients_course_is_not_found_through_this_client(clinic, course, as_user):
    theirs = an_event(Course.objects.create(client=clinic.other_client))
    client = as_user(clinic.clinician)
    assert client.get(url(clinic, f"{theirs.pk}/edit/")).status_code == 404
    assert client.post(url(clinic, f"{theirs.pk}/edit/"), event_data(version=1)).status_code == 404
    assert (
        client.post(url(clinic, f"{theirs.pk}/entered-in-error/"), {"reason": "Not this one"}).status_code
        == 404
    )
    assert TimelineEvent.objects.get(pk=theirs.pk).entered_in_error_at is None


def test_a_supervisor_reads_the_timeline_but_cannot_change_it(clinic, course, as_user):
    event = an_event(course)
    client = as_user(clinic.supervisor)
    page = client.get(url(clinic))
    assert page.status_code == 200 and b"Her mother died" in page.content
    assert b"Add an event" not in page.content and b"/edit/" not in page.content
    assert client.get(url(clinic, "new/")).status_code == 403
    assert client.post(url(clinic, "new/"), event_data()).status_code == 403
    assert client.post(url(clinic, f"{event.pk}/edit/"), event_data(version=1)).status_code == 403
    assert (
        client.post(url(clinic, f"{event.pk}/entered-in-error/"), {"reason": "Supervisor says"}).status_code
        == 403
    )
    assert TimelineEvent.objects.get(pk=event.pk).version == 1
    with pytest.raises(Http404):
        timeline.add_event(request_as(clinic.supervisor), clinic.client.pk, typed(event_data(), course))
    assert TimelineEvent.objects.count() == 1


def test_the_timeline_page_is_one_audited_read(clinic, course, as_user):
    an_event(course)
    response = as_user(clinic.clinician).get(url(clinic))
    row = AuditEvent.objects.get(request_id=response["X-Request-ID"])
    assert (row.action, row.client_id, row.detail) == (
        Action.READ,
        clinic.client.pk,
        {"object_type": "TimelineEvent", "count": 1},
    )


# The page


def phq9(course, clinic, on, total):
    return Response.objects.create(
        client=clinic.client,
        course=course,
        instrument="phq9",
        instrument_version="1",
        answered_by=clinic.clinician,
        respondent="clinician",
        answered_at=datetime(on.year, on.month, on.day, 10, tzinfo=UTC),
        answers={},
        complete=True,
        total=total,
    )


def test_the_page_shows_the_chart_and_the_events_as_a_table(clinic, course, mother, as_user):
    death = an_event(course, problem_area_hint="grief")
    death.people.add(mother)
    an_event(
        course,
        start=date(2025, 11, 1),
        end=date(2026, 1, 31),
        event="Moved away",
        kind="move_or_migration",
        mood_rating=1,
    )
    an_event(course, start=date(2026, 2, 2), event="Row with her partner", kind="conflict", mood_rating=None)
    phq9(course, clinic, date(2026, 1, 5), 19)
    phq9(course, clinic, date(2026, 2, 16), 12)
    Formulation.objects.create(course=course, onset=date(2025, 10, 1))
    page = as_user(clinic.clinician).get(url(clinic)).content.decode()
    assert 'class="chart timeline-chart" role="img"' in page
    assert page.count('class="mood-mark"') == 2 and page.count('class="score-mark"') == 2
    assert page.count('class="event-mark"') == 2 and page.count('class="period"') == 1
    assert 'class="onset"' in page and "Onset of this episode, 1 Oct 2025" in page
    for text in (
        "14 Sep 2025",
        "1 Nov 2025 \u2013 31 Jan 2026",
        "A death",
        "A move or migration",
        "A conflict or falling-out",
        "Mother",
        "-4",
        "+1",
        "Grief",
    ):
        assert text in page, text
    assert "PHQ-9 totals in the chart, as a table" in page


def test_the_page_shows_only_the_current_course(clinic, course, as_user):
    an_event(Course.objects.create(client=clinic.client, started_on="2023-01-01"), event="From an old course")
    an_event(course, event="From this course")
    page = as_user(clinic.clinician).get(url(clinic)).content
    assert b"From this course" in page and b"From an old course" not in page


def test_what_happened_is_escaped_on_the_page_and_in_the_chart(clinic, course, as_user):
    an_event(course, event="<script>alert(1)</script>")
    page = as_user(clinic.clinician).get(url(clinic)).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_absurd_person_id_is_refused_not_a_crash(clinic, as_user):
    from rapport.clinic.models import Course

    Course.objects.create(client=clinic.client)
    response = as_user(clinic.clinician).post(
        f"/clients/{clinic.client.pk}/timeline/new/",
        {
            "start": "2025-01-01",
            "event": "Moved",
            "kind": "move_or_migration",
            "people": ["99999999999999999999999"],
        },
    )
    assert response.status_code == 200 and b"inventory only" in response.content


def test_an_event_of_an_earlier_course_can_be_read_but_not_changed(clinic, course, as_user):
    old = an_event(course, event="Old event")
    Course.objects.filter(pk=course.pk).update(status="ended")
    Course.objects.create(client=clinic.client, status="maintenance", variant="ipt_m", planned_sessions=6)
    client = as_user(clinic.clinician)
    edit = f"/clients/{clinic.client.pk}/timeline/{old.pk}/edit/"
    assert client.get(edit).status_code == 200
    data = {"start": "2025-01-01", "event": "Rewritten", "kind": "other", "version": old.version}
    refused = client.post(edit, data)
    assert b"belongs to an earlier course" in refused.content
    assert TimelineEvent.objects.get(pk=old.pk).event == "Old event"


# Whose event it is: a partner's diagnosis is not the client's own life change


def test_an_event_is_the_clients_own_unless_said_otherwise(clinic, course, as_user):
    as_user(clinic.clinician).post(url(clinic, "new/"), event_data())
    assert (TimelineEvent.objects.get().whose, TimelineEvent.objects.get().whose_person) == ("client", None)


def test_someone_elses_event_names_the_person_and_the_table_says_whose(clinic, course, mother, as_user):
    client = as_user(clinic.clinician)
    data = event_data(
        event="Mother's cancer diagnosis", kind="new_diagnosis_or_disability", whose="someone_else"
    )
    response = client.post(url(clinic, "new/"), {**data, "whose_person": mother.pk})
    assert response.status_code == 302
    saved = TimelineEvent.objects.get()
    assert (saved.whose, saved.whose_person) == ("someone_else", mother)
    row = AuditEvent.objects.get(action=Action.CREATE, object_type="TimelineEvent")
    assert {"whose", "whose_person"} <= set(row.detail["fields"])
    page = client.get(url(clinic)).content.decode()
    assert 'Mother&#x27;s cancer diagnosis <span class="muted">(Mother&#x27;s event)</span>' in page


def test_the_form_asks_whose_event_it_is_and_offers_the_inventory(clinic, course, mother, as_user):
    page = as_user(clinic.clinician).get(url(clinic, "new/")).content.decode()
    assert "Whose event is it?" in page and 'value="someone_else"' in page
    assert f'<option value="{mother.pk}">Mother</option>' in page


WHOSE_INPUT = [
    ({"whose": "partner"}, "Choose one of the answers listed for whose event it is."),
    ({"whose": "client", "whose_person": "<mother>"}, "The client&#x27;s own event happened to no one else"),
    (
        {"whose": "someone_else", "whose_person": "99999999999999999999"},
        "from this course&#x27;s inventory only",
    ),
]


@pytest.mark.parametrize(
    ("change", "message"), WHOSE_INPUT, ids=["unknown", "client with a person", "bad id"]
)
def test_a_bad_whose_is_refused_with_a_clear_message_and_nothing_is_saved(
    change, message, clinic, course, mother, as_user
):
    change = {k: mother.pk if v == "<mother>" else v for k, v in change.items()}
    response = as_user(clinic.clinician).post(url(clinic, "new/"), event_data(**change))
    assert response.status_code == 200 and message in response.content.decode()
    assert not TimelineEvent.objects.exists()


def test_a_person_from_another_clients_inventory_cannot_be_whose_event_it_is(clinic, course, as_user):
    theirs = InventoryEntry.objects.create(
        course=Course.objects.create(client=clinic.other_client), person_label="Someone else's sister"
    )
    data = event_data(whose="someone_else", whose_person=theirs.pk)
    response = as_user(clinic.clinician).post(url(clinic, "new/"), data)
    assert b"Choose a person from this course&#x27;s inventory only." in response.content
    assert not TimelineEvent.objects.exists()


def test_changing_whose_event_it_is_is_saved_and_audited_by_field_name(clinic, course, mother):
    event = an_event(course)
    data = event_data(whose="someone_else", whose_person=mother.pk, version=event.version)
    timeline.update_event(
        request_as(clinic.clinician), clinic.client.pk, event.pk, typed(data, course), event.version
    )
    row = AuditEvent.objects.filter(action=Action.UPDATE, object_type="TimelineEvent").latest("pk")
    assert {"whose", "whose_person"} <= set(row.detail["fields"])
    saved = TimelineEvent.objects.get(pk=event.pk)
    assert (saved.whose, saved.whose_person, saved.version) == ("someone_else", mother, 2)
