"""The course services take typed values and check them themselves: called directly, with no
form and no API in front, they refuse bad values keyed by the typed field names (nested as
"cues.grief", "step_notes.x", "values.x", "notes.x") and write nothing."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from rapport.audit.models import Action, AuditEvent
from rapport.clinic import courses, formulation, inventory, timeline
from rapport.clinic.models import Course, Formulation, Goal, InventoryEntry, Session, TimelineEvent
from rapport.common.errors import InvalidInput
from rapport.common.records import EnteredInError
from tests.support import request_as


@pytest.fixture
def course(clinic):
    return Course.objects.create(client=clinic.client, started_on="2026-01-05", status="active")


def refusal(call) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as refused:
        call()
    return refused.value.errors


CONTRACT = courses.Contract(
    variant="ipt_individual",
    format="individual",
    status="active",
    ending_reason="",
    started_on=date(2026, 1, 5),
    planned_end_on=None,
    ended_on=None,
    planned_sessions=16,
    frequency="weekly",
    session_minutes=50,
    missed_session_policy="",
    contract_goals="",
    agreed_on=None,
)


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"planned_sessions": 40}, {"planned_sessions": ["This variant plans 12 to 16 sessions."]}),
        ({"status": "ended"}, {"ending_reason": ["Say how the course ended."]}),
        ({"ended_on": date(2025, 1, 1)}, {"ended_on": ["This date is before the start of the course."]}),
        (
            {"session_minutes": 40000},
            {"session_minutes": ["Ensure this value is less than or equal to 32767."]},
        ),
        ({"contract_goals": "A\x00B"}, {"contract_goals": ["Null characters are not allowed."]}),
    ],
)
def test_the_contract_service_checks_a_typed_contract(change, errors, clinic, course):
    given = courses.Contract(**{**vars(CONTRACT), **change})
    assert (
        refusal(lambda: courses.update_contract(request_as(clinic.clinician), clinic.client.pk, given, 1))
        == errors
    )
    assert Course.objects.get(pk=course.pk).version == 1


def test_a_new_variant_brings_its_defaults_where_the_field_was_left_as_it_was(clinic, course):
    given = courses.Contract(**{**vars(CONTRACT), "variant": "ipt_a", "planned_sessions": 16})
    saved = courses.update_contract(request_as(clinic.clinician), clinic.client.pk, given, 1)
    assert saved.planned_sessions == 12
    fields = AuditEvent.objects.get(action=Action.UPDATE, object_type="Course").detail["fields"]
    assert {"variant", "planned_sessions"} <= set(fields)


def note(session, **change) -> courses.SessionNote:
    values = {
        "date": session.date,
        "status": "attended",
        "phase_override": "",
        "phase_override_reason": "",
        "tasks_done": [],
        "techniques": [],
        "step_notes": {},
        "problem_area_progress": None,
        "between_session_task": "",
        "task_review": "",
        "goal_ratings": {},
        "note": "",
    }
    return courses.SessionNote(**{**values, **change})


def test_the_session_service_keys_its_refusals_by_the_typed_names(clinic, course):
    session = Session.objects.create(course=course, number=1, date=date(2026, 1, 12))
    goal = Goal.objects.create(course=course, problem_area="grief", text="Mourn her mother")
    given = note(
        session,
        step_notes={"celebrate_progress": "Not this phase's step."},
        goal_ratings={str(goal.pk): 11},
        phase_override="termination",
        techniques=["hypnosis"],
    )
    errors = refusal(
        lambda: courses.update_session(request_as(clinic.clinician), clinic.client.pk, session.pk, given, 1)
    )
    assert errors == {
        "phase_override_reason": ["Give the reason for overriding the phase."],
        "techniques": ["Unknown technique: hypnosis"],
        "step_notes.celebrate_progress": ["Not a step of this session's agenda."],
        f"goal_ratings.{goal.pk}": ["Rate progress toward a goal from 0 to 10."],
    }
    assert Session.objects.get(pk=session.pk).version == 1


def test_the_session_service_keeps_the_notes_trimmed_and_the_lists_sorted(clinic, course):
    session = Session.objects.create(course=course, number=4, date=date(2026, 2, 2))  # a middle one
    given = note(
        session,
        step_notes={"opening_question": "  How was the week?  ", "symptom_check": " "},
        techniques=["role_play", "clarification", "role_play"],
        note=" x ",
    )
    saved = courses.update_session(request_as(clinic.clinician), clinic.client.pk, session.pk, given, 1)
    assert (saved.step_notes, saved.note) == ({"opening_question": "How was the week?"}, "x")
    assert saved.techniques == ["clarification", "role_play"]


def test_the_inventory_service_checks_the_protocols_fields(clinic, course):
    given = inventory.Entry(
        person_label="  ",
        closeness_ring=9,
        values={
            "feelings": True,
            "confiding": "sometimes",
            "star_sign": "Leo",
            "relationship_type": "nemesis",
        },
    )
    errors = refusal(lambda: inventory.add_entry(request_as(clinic.clinician), clinic.client.pk, given))
    assert set(errors) == {
        "person_label",
        "closeness_ring",
        "values.feelings",
        "values.confiding",
        "values.star_sign",
        "values.relationship_type",
    }
    assert errors["person_label"] == ["Enter a name or a role for this person."]
    assert errors["values.feelings"] == ["Give text here, not true or false."]
    assert not InventoryEntry.objects.exists()


def test_the_inventory_notes_are_keyed_notes_dot_id(clinic, course):
    errors = refusal(
        lambda: inventory.update_notes(
            request_as(clinic.clinician),
            clinic.client.pk,
            {"past_patterns": "x" * 4001, "star_sign": "Leo"},
            1,
        )
    )
    assert set(errors) == {"notes.past_patterns", "notes.star_sign"}
    assert Course.objects.get(pk=course.pk).version == 1


def test_the_timeline_service_checks_a_typed_event(clinic, course):
    theirs = InventoryEntry.objects.create(
        course=Course.objects.create(client=clinic.other_client), person_label="X"
    )
    tomorrow = timezone.localdate() + timedelta(days=1)
    given = timeline.Event(
        start=tomorrow,
        end=None,
        event="  ",
        kind="",
        mood_rating=9,
        whose_person=theirs.pk,
        people=[theirs.pk],
    )
    errors = refusal(lambda: timeline.add_event(request_as(clinic.clinician), clinic.client.pk, given))
    assert errors == {
        "start": ["The timeline holds what has happened: this date is in the future."],
        "event": ["Say what happened."],
        "kind": ["Choose the kind of event."],
        "whose_person": ["Choose a person from this course's inventory only."],
        "people": ["Choose people from this course's inventory only."],
        "mood_rating": ["The mood rating runs from -5 to 5."],
    }
    assert not TimelineEvent.objects.exists()


def test_the_formulation_service_keys_cues_by_area(clinic, course):
    given = formulation.FormulationValues(
        onset=None,
        cues={"grief": ["saw_a_ghost"], "astrology": ["mercury_retrograde"]},
        primary_area="role_dispute",
        secondary_area="",
        dispute_stage="",
        text="",
        shared_on=None,
        agreed_on=None,
    )
    errors = refusal(lambda: formulation.update(request_as(clinic.clinician), clinic.client.pk, given, 0))
    assert errors == {
        "cues.grief": ["Unknown cue: saw_a_ghost"],
        "cues.astrology": ["Not one of the protocol's problem areas."],
        "dispute_stage": ["Record the stage of the role dispute."],
    }
    assert not Formulation.objects.exists()


def test_an_entered_in_error_reason_is_checked_by_the_service(clinic, course):
    event = TimelineEvent.objects.create(course=course, start=date(2025, 9, 14), event="x", kind="death")
    request = request_as(clinic.clinician)
    errors = refusal(
        lambda: timeline.mark_event_entered_in_error(
            request, clinic.client.pk, event.pk, EnteredInError("no")
        )
    )
    assert errors == {"reason": ["Give a reason of at least a few words."]}
    assert TimelineEvent.objects.get(pk=event.pk).entered_in_error_at is None
