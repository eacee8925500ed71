"""One validation path: the same bad input, sent through a page and through the API, is refused
with the same message and changes nothing, for every kind of record the API can write."""

import html
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from rapport.clinic.models import (
    Client,
    Course,
    Formulation,
    Goal,
    InventoryEntry,
    Response,
    Session,
    TimelineEvent,
)
from rapport.scheduling.models import Appointment

NUL = "A\x00B"
NUL_MESSAGE = "Null characters are not allowed."
TOMORROW = (timezone.localdate() + timedelta(days=1)).isoformat()


@dataclass
class Case:
    """One bad input: `page` and `api` give (url, data) for the record made by `setup`; `field`
    is where the API names the mistake; `state` reads what must not change."""

    name: str
    setup: object
    page: object
    api: object
    field: str
    state: object
    method: str = "put"


def no_setup(clinic, course):
    return None


def a_session(clinic, course):
    return Session.objects.create(course=course, number=1, date=date(2026, 1, 12))


def a_person(clinic, course):
    return InventoryEntry.objects.create(course=course, person_label="Anna", closeness_ring=2)


def an_event(clinic, course):
    return TimelineEvent.objects.create(
        course=course, start=date(2025, 9, 14), event="Her mother died", kind="death"
    )


def a_goal(clinic, course):
    return Goal.objects.create(course=course, problem_area="grief", text="Mourn her mother")


def an_appointment(clinic, course):
    return Appointment.objects.create(
        client=clinic.client,
        clinician=clinic.client.responsible_clinician,
        starts_at=datetime(2026, 10, 14, 9, tzinfo=UTC),
        time_zone="Europe/London",
        local_date=date(2026, 10, 14),
        local_time=time(10),
        minutes=50,
        format="in_person",
        place="Room 2",
    )


def slot(**change):
    data = {
        "day": "2026-10-14",
        "at": "10:00",
        "time_zone": "Europe/London",
        "format": "phone",
        "place": "0123",
    }
    return {**data, **change}


def staff(clinic, rest):
    return f"/clients/{clinic.client.pk}/{rest}"


def api(clinic, rest):
    return f"/api/v1/clients/{clinic.client.pk}/{rest}"


def client_page(clinic, full_name="Ada Newcomer", preferred_name=""):
    return {
        "full_name": full_name,
        "preferred_name": preferred_name,
        "date_of_birth": "1994-02-03",
        "language": "en",
        "country": "GB",
        "time_zone": "Europe/London",
        "team": str(clinic.team_a.pk),
    }


def client_api(full_name="Ada Newcomer", preferred_name=""):
    return {
        "full_name": full_name,
        "preferred_name": preferred_name,
        "date_of_birth": "1994-02-03",
        "country": "GB",
        "time_zone": "Europe/London",
    }


PHQ9 = {f"item{i}": "several_days" for i in range(1, 10)}


def contract(course, **change):
    data = {
        "variant": "ipt_individual",
        "format": "individual",
        "status": "active",
        "ending_reason": "",
        "started_on": "2026-01-05",
        "planned_end_on": None,
        "ended_on": None,
        "planned_sessions": 16,
        "frequency": "weekly",
        "session_minutes": 50,
        "missed_session_policy": "",
        "contract_goals": "Mourn her mother; rebuild contact with friends.",
        "agreed_on": "2026-01-19",
        "version": course.version,
    }
    return {**data, **change}


def as_page(data):
    """JSON values as a form posts them: text, empty for null."""
    return {k: ("" if v is None else v if isinstance(v, list) else str(v)) for k, v in data.items()}


def note(session, **change):
    data = {
        "date": "2026-01-12",
        "status": "attended",
        "phase_override": "",
        "phase_override_reason": "",
        "tasks_done": [],
        "techniques": [],
        "step_notes": {},
        "problem_area_progress": None,
        "between_session_task": "",
        "note": "Talked through the funeral.",
        "version": session.version,
    }
    return {**data, **change}


def session_page(session, **change):
    data = note(session, **change)
    data.pop("step_notes")
    return as_page(data)


def person_api(**change):
    return {"person_label": "Anna", "closeness_ring": 2, "values": {}, **change}


NOTES = ["past_patterns", "social_support", "self_assertion", "expressing_anger", "social_risks"]


def event(**change):
    data = {
        "start": "2025-09-14",
        "end": None,
        "event": "Her mother died",
        "kind": "death",
        "people": [],
        "mood_rating": None,
        "problem_area_hint": "",
    }
    return {**data, **change}


def formulation(**change):
    data = {
        "onset": "2025-11-01",
        "cues": {},
        "primary_area": "",
        "secondary_area": "",
        "dispute_stage": "",
        "text": "",
        "shared_on": None,
        "agreed_on": None,
        "version": 0,
    }
    return {**data, **change}


def formulation_page(**change):
    data = formulation(**change)
    data.pop("cues")
    return as_page(data)


def version_of(model):
    return lambda clinic, made: model.objects.get(pk=made.pk).version


CASES = [
    Case(
        "a client's name too long",
        no_setup,
        lambda clinic, made: ("/clients/new/", client_page(clinic, full_name="x" * 201)),
        lambda clinic, made: ("/api/v1/clients", client_api(full_name="x" * 201)),
        "full_name",
        lambda clinic, made: Client.objects.count(),
        method="post",
    ),
    Case(
        "a NUL in a client's preferred name",
        no_setup,
        lambda clinic, made: ("/clients/new/", client_page(clinic, preferred_name=NUL)),
        lambda clinic, made: ("/api/v1/clients", client_api(preferred_name=NUL)),
        "preferred_name",
        lambda clinic, made: Client.objects.count(),
        method="post",
    ),
    Case(
        "a questionnaire's session number out of range",
        no_setup,
        lambda clinic, made: (staff(clinic, "questionnaires/phq9/"), {**PHQ9, "session_number": "201"}),
        lambda clinic, made: (
            api(clinic, "responses"),
            {"instrument": "phq9", "answers": PHQ9, "session_number": 201},
        ),
        "session_number",
        lambda clinic, made: Response.objects.count(),
        method="post",
    ),
    Case(
        "a questionnaire answer that is not one of the item's options",
        no_setup,
        lambda clinic, made: (staff(clinic, "questionnaires/phq9/"), {**PHQ9, "item1": "sometimes"}),
        lambda clinic, made: (
            api(clinic, "responses"),
            {"instrument": "phq9", "answers": {**PHQ9, "item1": "sometimes"}},
        ),
        "answers",
        lambda clinic, made: Response.objects.count(),
        method="post",
    ),
    Case(
        "a contract with more sessions than the variant allows",
        no_setup,
        lambda clinic, made: (
            staff(clinic, "course/contract/"),
            as_page(contract(clinic.course, planned_sessions=99)),
        ),
        lambda clinic, made: (api(clinic, "course"), contract(clinic.course, planned_sessions=99)),
        "planned_sessions",
        lambda clinic, made: Course.objects.get(pk=clinic.course.pk).version,
    ),
    Case(
        "a NUL in the contract's goals",
        no_setup,
        lambda clinic, made: (
            staff(clinic, "course/contract/"),
            as_page(contract(clinic.course, contract_goals=NUL)),
        ),
        lambda clinic, made: (api(clinic, "course"), contract(clinic.course, contract_goals=NUL)),
        "contract_goals",
        lambda clinic, made: Course.objects.get(pk=clinic.course.pk).version,
    ),
    Case(
        "a NUL in a session note",
        a_session,
        lambda clinic, made: (staff(clinic, f"sessions/{made.pk}/"), session_page(made, note=NUL)),
        lambda clinic, made: (api(clinic, f"sessions/{made.pk}"), note(made, note=NUL)),
        "note",
        version_of(Session),
    ),
    Case(
        "a session technique the protocol does not have",
        a_session,
        lambda clinic, made: (
            staff(clinic, f"sessions/{made.pk}/"),
            session_page(made, techniques=["hypnosis"]),
        ),
        lambda clinic, made: (api(clinic, f"sessions/{made.pk}"), note(made, techniques=["hypnosis"])),
        "techniques",
        version_of(Session),
    ),
    Case(
        "a person's name in the inventory too long",
        no_setup,
        lambda clinic, made: (
            staff(clinic, "inventory/people/new/"),
            {"person_label": "x" * 121, "closeness_ring": "2"},
        ),
        lambda clinic, made: (api(clinic, "inventory"), person_api(person_label="x" * 121)),
        "person_label",
        lambda clinic, made: InventoryEntry.objects.count(),
        method="post",
    ),
    Case(
        "a NUL in a person's entry in the inventory",
        a_person,
        lambda clinic, made: (
            staff(clinic, f"inventory/people/{made.pk}/"),
            {"person_label": NUL, "closeness_ring": "2", "version": str(made.version)},
        ),
        lambda clinic, made: (
            api(clinic, f"inventory/{made.pk}"),
            {**person_api(person_label=NUL), "version": made.version},
        ),
        "person_label",
        version_of(InventoryEntry),
    ),
    Case(
        "inventory notes too long",
        no_setup,
        lambda clinic, made: (
            staff(clinic, "inventory/notes/"),
            {"past_patterns": "x" * 4001, "version": str(clinic.course.version)},
        ),
        lambda clinic, made: (
            api(clinic, "inventory/notes"),
            {"notes": {"past_patterns": "x" * 4001}, "version": clinic.course.version},
        ),
        "notes.past_patterns",
        lambda clinic, made: Course.objects.get(pk=clinic.course.pk).version,
    ),
    Case(
        "a timeline event in the future",
        no_setup,
        lambda clinic, made: (staff(clinic, "timeline/new/"), as_page(event(start=TOMORROW))),
        lambda clinic, made: (api(clinic, "timeline"), event(start=TOMORROW)),
        "start",
        lambda clinic, made: TimelineEvent.objects.count(),
        method="post",
    ),
    Case(
        "a timeline event described at too great a length",
        an_event,
        lambda clinic, made: (
            staff(clinic, f"timeline/{made.pk}/edit/"),
            as_page({**event(event="x" * 301), "version": made.version}),
        ),
        lambda clinic, made: (
            api(clinic, f"timeline/{made.pk}"),
            {**event(event="x" * 301), "version": made.version},
        ),
        "event",
        version_of(TimelineEvent),
    ),
    Case(
        "a formulation naming a problem area the protocol does not have",
        no_setup,
        lambda clinic, made: (staff(clinic, "formulation/"), formulation_page(primary_area="loneliness")),
        lambda clinic, made: (api(clinic, "formulation"), formulation(primary_area="loneliness")),
        "primary_area",
        lambda clinic, made: Formulation.objects.count(),
    ),
    Case(
        "a NUL in the formulation's text",
        no_setup,
        lambda clinic, made: (staff(clinic, "formulation/"), formulation_page(text=NUL)),
        lambda clinic, made: (api(clinic, "formulation"), formulation(text=NUL)),
        "text",
        lambda clinic, made: Formulation.objects.count(),
    ),
    Case(
        "a goal without its text",
        a_goal,
        lambda clinic, made: (
            staff(clinic, f"goals/{made.pk}/"),
            {"text": "", "strategies": "", "version": str(made.version)},
        ),
        lambda clinic, made: (
            api(clinic, f"goals/{made.pk}"),
            {"text": "", "strategies": "", "version": made.version},
        ),
        "text",
        version_of(Goal),
    ),
    Case(
        "a phone appointment without the number to call",
        no_setup,
        lambda clinic, made: (
            staff(clinic, "appointments/"),
            {"form": "one", "minutes": "", **slot(place="")},
        ),
        lambda clinic, made: (api(clinic, "appointments"), slot(place="")),
        "place",
        lambda clinic, made: Appointment.objects.count(),
        "post",
    ),
    Case(
        "an appointment of five minutes",
        no_setup,
        lambda clinic, made: (staff(clinic, "appointments/"), {"form": "one", **slot(minutes="5")}),
        lambda clinic, made: (api(clinic, "appointments"), slot(minutes=5)),
        "minutes",
        lambda clinic, made: Appointment.objects.count(),
        "post",
    ),
    Case(
        "a weekly series of no sessions",
        no_setup,
        lambda clinic, made: (
            staff(clinic, "appointments/"),
            {"form": "series", "minutes": "", "count": "0", **slot()},
        ),
        lambda clinic, made: (api(clinic, "appointments"), slot(count=0)),
        "count",
        lambda clinic, made: Appointment.objects.count(),
        "post",
    ),
    Case(
        "a NUL in a changed appointment's place",
        an_appointment,
        lambda clinic, made: (
            staff(clinic, f"appointments/{made.pk}/"),
            {**slot(place=NUL), "minutes": "50", "status": "booked", "version": str(made.version)},
        ),
        lambda clinic, made: (
            api(clinic, f"appointments/{made.pk}"),
            {**slot(place=NUL), "status": "booked", "version": made.version},
        ),
        "place",
        version_of(Appointment),
    ),
]


@pytest.fixture
def course(clinic):
    clinic.course = Course.objects.create(client=clinic.client, started_on="2026-01-05", status="active")
    return clinic.course


def api_messages(response, field) -> list[str]:
    assert response.status_code == 422, response.content[:400]
    body = response.json()
    # A valid positive risk answer in a refused body still raises its alert (common/kept.py), and
    # the answer says so; anything else refused keeps nothing.
    assert ("nothing else was saved" if body.get("kept") else "nothing was saved") in body["detail"]
    assert body["errors"].get(field), body
    return body["errors"][field]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_same_bad_input_gets_the_same_message_from_a_page_and_the_api(case, clinic, course, as_user):
    made = case.setup(clinic, course)
    before = case.state(clinic, made)
    signed_in = as_user(clinic.clinician)
    url, body = case.api(clinic, made)
    send = signed_in.post if case.method == "post" else signed_in.put
    messages = api_messages(send(url, body, content_type="application/json"), case.field)
    assert case.state(clinic, made) == before
    url, data = case.page(clinic, made)
    page = signed_in.post(url, data)
    assert page.status_code == 200, "the page shows the form again with the message"
    shown = html.unescape(page.content.decode())
    for message in messages:
        assert message in shown, f"{message!r} is not on the page"
    assert case.state(clinic, made) == before


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/clients", {**client_api(), "responsible_clinician_id": 1}, "responsible_clinician_id"),
        ("responses", {"instrument": "phq9", "answers": PHQ9, "total": 27}, "total"),
        ("timeline", {**event(), "colour": "red"}, "colour"),
        ("inventory", {**person_api(), "notes": "x"}, "notes"),
    ],
)
def test_the_api_refuses_a_field_it_does_not_know_rather_than_drop_it(
    url, body, field, clinic, course, as_user
):
    url = url if url.startswith("/") else api(clinic, url)
    response = as_user(clinic.clinician).post(url, body, content_type="application/json")
    assert api_messages(response, field) == ["This field is not known here; nothing was saved under it."]


def test_a_nul_character_anywhere_in_a_body_is_refused_where_it_is(clinic, course, as_user):
    session = a_session(clinic, course)
    body = note(session, step_notes={"opening_question": NUL}, techniques=[NUL])
    response = as_user(clinic.clinician).put(
        api(clinic, f"sessions/{session.pk}"), body, content_type="application/json"
    )
    assert api_messages(response, "step_notes.opening_question") == [NUL_MESSAGE]
    assert api_messages(response, "techniques.0") == [NUL_MESSAGE]
    assert Session.objects.get(pk=session.pk).version == session.version
