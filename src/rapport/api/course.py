"""The course of IPT through the API: course, sessions, inventory, timeline, formulation, goals.

Every route calls the service the pages call, so access, validation, the refusal of a stale edit
and the audit trail are the services'. One validation path: the body's schema (StrictIn: strict
types, no unknown field, no NUL) reads the JSON into the service's typed input (courses.Contract,
courses.SessionNote, inventory.Entry, timeline.Event, formulation.FormulationValues, ...), and
the service checks what it means (the variant's sessions, dates, the protocol's ids, the course's
inventory) and refuses with InvalidInput keyed by the body's own names ("cues.grief",
"step_notes.x", "values.x", "notes.x"), passed through unchanged as a 422. The pages read their
forms into the same typed input, so the same bad input gets the same message on both.

Who may do what, as on the pages: the clinicians who see the client read and change; the team's
supervisor reads, and a change by them is answered 404; clients and administrators never read a
course here (403). A record that is not the caller's is a 404, like one that does not exist.

An edit carries the `version` it began from. A save by someone else in between is refused with
409 and nothing is written; PUT replaces the whole record, so send back what was read, changed.
"""

from collections.abc import Callable
from datetime import date
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from rapport.api.schemas import IsoDate, Problem, QuestionOut, SetAsideOut, StrictIn, SuggestionOut
from rapport.clinic import courses, formulation, inventory, timeline
from rapport.clinic.models import (
    Course,
    CourseFormat,
    CourseStatus,
    EndingReason,
    Formulation,
    Session,
    SessionStatus,
    TimelineEvent,
)
from rapport.common.errors import EditConflict
from rapport.common.records import EnteredInError
from rapport.core import protocol

router = Router(tags=["course"])

# Bounded so that a number no database column can hold is refused as input, not met as a fault.
Version = Annotated[int, Field(ge=0, le=2**31 - 1, description="The version the edit began from, as read")]
RecordId = Annotated[int, Field(ge=1, le=2**63 - 1)]
CONFLICT_DETAIL = (
    "Someone else saved this record after you read it; nothing was saved. "
    "Read it again, then make your change."
)


# Answers shared by the routes


class Conflict(Problem):
    current_version: int = Field(description="The version now stored; read the record again first")


class LabelOut(Schema):
    id: str
    name: str


class EnteredInErrorIn(StrictIn):
    reason: str = Field(max_length=2000, description="Why the record should not have existed, in a few words")


def _read(schema) -> dict:
    return {200: schema, 403: Problem, 404: Problem}


def _create(schema) -> dict:
    return {201: schema, 403: Problem, 404: Problem, 422: Problem}


def _change(schema, ok: int = 200) -> dict:
    return {ok: schema, 403: Problem, 404: Problem, 409: Conflict, 422: Problem}


def _clinical_staff(request: HttpRequest) -> None:
    """Courses are for clinicians and supervisors; anyone else's role is refused outright."""
    if not request.user.has_perm("clinic.view_course"):
        raise PermissionDenied


def _no_course(course: Course | None) -> Course:
    if course is None:
        raise Http404("This client has no course of IPT yet.")
    return course


def _save(save: Callable, status: int = 200):
    """Run a service's save: a stale version becomes a 409. A refusal (InvalidInput) passes
    through unchanged: the services key it by the names the JSON body has."""
    try:
        return Status(status, save())
    except EditConflict as exc:
        current = exc.current.version if exc.current.pk else 0
        return Status(
            409, {"detail": CONFLICT_DETAIL, "errors": {}, "current_version": current, "kept": list(exc.kept)}
        )


# The course and its contract


class PositionOut(Schema):
    session_number: int
    planned_sessions: int
    phase: str
    sessions_remaining: int
    beyond_contract: bool
    termination_due: bool


class ContractIn(StrictIn):
    variant: str = Field(
        max_length=32,
        description="A variant of the protocol: " + ", ".join(v.id for v in protocol.get().variants),
    )
    format: Literal[tuple(CourseFormat.values)]  # type: ignore[valid-type]
    status: Literal[tuple(CourseStatus.values)]  # type: ignore[valid-type]
    ending_reason: Literal[("", *EndingReason.values)] = Field(  # type: ignore[valid-type]
        description="Empty unless the course has ended"
    )
    started_on: IsoDate
    planned_end_on: IsoDate | None
    ended_on: IsoDate | None
    planned_sessions: int = Field(description="Within the variant's range")
    frequency: str = Field(max_length=40)
    session_minutes: int | None
    missed_session_policy: str
    contract_goals: str
    agreed_on: IsoDate | None = Field(description="When the client agreed the contract")
    late_cancel_hours: int = Field(
        24, description="A cancellation under this many hours before the start is late (0 to 168)"
    )
    late_cancel_counts: bool = Field(True, description="A late cancellation uses one of the sessions")
    no_show_counts: bool = Field(True, description="A session not attended uses one of the sessions")


class ContractUpdate(ContractIn):
    version: Version


class CourseOut(Schema):
    id: int
    variant: str
    format: str
    status: str
    ending_reason: str
    started_on: date
    planned_end_on: date | None
    ended_on: date | None
    planned_sessions: int
    frequency: str
    session_minutes: int | None
    missed_session_policy: str
    contract_goals: str
    agreed_on: date | None
    late_cancel_hours: int
    late_cancel_counts: bool
    no_show_counts: bool
    version: int
    attended: int = Field(description="Sessions attended so far")
    position: PositionOut | None = Field(description="Session N of M: where the last attended one sits")
    termination_due: bool = Field(description="The next session should raise the ending")


def _course_out(course: Course) -> dict:
    overview = courses.course_overview(course)
    fields = {name: getattr(course, name) for name in courses.CONTRACT_FIELDS}
    return {
        "id": course.pk,
        **fields,
        "version": course.version,
        "attended": overview["attended"],
        "position": overview["position"],
        "termination_due": overview["termination_due"],
    }


@router.get(
    "/clients/{client_id}/course",
    response=_read(CourseOut),
    summary="The client's current course of IPT and its contract",
)
def get_course(request: HttpRequest, client_id: int):
    _clinical_staff(request)
    _client, course = courses.course_for(request, client_id)
    return _course_out(_no_course(course))


@router.put(
    "/clients/{client_id}/course",
    response=_change(CourseOut),
    summary="Agree or change the contract of the current course",
)
def update_course(request: HttpRequest, client_id: int, payload: ContractUpdate):
    _clinical_staff(request)
    given = courses.Contract(**payload.dict(exclude={"version"}))
    return _save(lambda: _course_out(courses.update_contract(request, client_id, given, payload.version)))


# Sessions


class SessionSummary(Schema):
    id: int
    number: int
    date: date
    status: str
    phase: str = Field(description="Derived from the number and the contract, unless overridden")
    version: int


class SessionOut(SessionSummary):
    phase_override: str
    phase_override_reason: str
    tasks_done: list[str]
    techniques: list[str]
    step_notes: dict[str, str]
    problem_area_progress: int | None
    between_session_task: str
    task_review: str
    goal_ratings: dict[str, int] = Field(description="Goal id to progress 0 to 10")
    note: str
    checklist: list[LabelOut] = Field(description="The phase's tasks, which tasks_done may name")
    agenda: list[LabelOut] = Field(description="The phase's agenda steps, which step_notes may name")
    techniques_offered: list[LabelOut]


class NewSessionIn(StrictIn):
    date: IsoDate


class SessionUpdate(StrictIn):
    date: IsoDate
    status: Literal[tuple(SessionStatus.values)]  # type: ignore[valid-type]
    phase_override: str = Field(max_length=20, description="A phase id, or empty to keep the derived one")
    phase_override_reason: str
    tasks_done: list[str] = Field(description="Task ids of the phase's checklist")
    techniques: list[str] = Field(description="Technique ids of the protocol")
    step_notes: dict[str, str] = Field(description="Agenda step id to its note")
    problem_area_progress: int | None = Field(description="0 to 10, at a middle-phase session")
    between_session_task: str
    task_review: str | None = Field(None, description="How the previous task went; left out: kept as it is")
    goal_ratings: dict[str, int] | None = Field(
        None,
        description="Goal id to progress 0 to 10 (a goal left out is unrated); left out: kept as they are",
    )
    note: str
    version: Version


def _session_summary(session: Session, phase: str) -> dict:
    return {
        "id": session.pk,
        "number": session.number,
        "date": session.date,
        "status": session.status,
        "phase": phase,
        "version": session.version,
    }


def _session_out(session: Session) -> dict:
    context = courses.session_context(session)
    return {
        **_session_summary(session, context["phase"].id),
        **{
            name: getattr(session, name)
            for name in (
                "phase_override",
                "phase_override_reason",
                "tasks_done",
                "techniques",
                "step_notes",
                "problem_area_progress",
                "between_session_task",
                "task_review",
                "goal_ratings",
                "note",
            )
        },
        "checklist": [{"id": t.id, "name": t.name} for t in context["tasks"]],
        "agenda": [{"id": s.id, "name": s.name} for s in context["agenda"].steps]
        if context["agenda"]
        else [],
        "techniques_offered": [{"id": t.id, "name": t.name} for t in context["techniques"]],
    }


@router.get(
    "/clients/{client_id}/sessions",
    response=_read(list[SessionSummary]),
    summary="The sessions of the current course, in order",
)
def list_sessions(request: HttpRequest, client_id: int):
    _clinical_staff(request)
    _client, course = courses.course_for(request, client_id)
    overview = courses.course_overview(_no_course(course))
    return [_session_summary(session, phase) for session, phase, _joint in overview["sessions"]]


@router.post(
    "/clients/{client_id}/sessions",
    response=_create(SessionOut),
    summary="Add the next session to the current course",
)
def create_session(request: HttpRequest, client_id: int, payload: NewSessionIn):
    _clinical_staff(request)
    session = courses.add_session(request, client_id, payload.date)
    return Status(201, _session_out(session))


@router.get(
    "/clients/{client_id}/sessions/{session_id}",
    response=_read(SessionOut),
    summary="One session with its note, checklist and agenda",
)
def get_session(request: HttpRequest, client_id: int, session_id: int):
    _clinical_staff(request)
    _client, session = courses.get_session(request, client_id, session_id, audit=True)
    return _session_out(session)


@router.put(
    "/clients/{client_id}/sessions/{session_id}",
    response=_change(SessionOut),
    summary="Save a session's status, note, tasks, techniques and step notes",
)
def update_session(request: HttpRequest, client_id: int, session_id: int, payload: SessionUpdate):
    _clinical_staff(request)
    _client, session = courses.get_session(request, client_id, session_id, "clinic.change_client")
    # Fields an older caller does not send are kept, never wiped.
    task_review = session.task_review if payload.task_review is None else payload.task_review
    ratings = session.goal_ratings if payload.goal_ratings is None else payload.goal_ratings
    given = courses.SessionNote(
        **payload.dict(exclude={"version", "task_review", "goal_ratings"}),
        task_review=task_review,
        goal_ratings=ratings,
    )
    return _save(
        lambda: _session_out(courses.update_session(request, client_id, session_id, given, payload.version))
    )


# The interpersonal inventory


class EntryIn(StrictIn):
    person_label: str = Field(max_length=120, description="A name or a role")
    closeness_ring: int | None = Field(None, description="1 is the closest ring; null: not on the circle")
    values: dict[str, str | bool | None] = Field(
        {},
        description=(
            "The protocol's other relationship fields by id ("
            + ", ".join(inventory.value_fields())
            + "); yes/no fields take true or false; leave a field out when it is not known"
        ),
    )


class EntryUpdate(EntryIn):
    closeness_ring: int | None
    values: dict[str, str | bool | None] = Field(description="Every recorded field: one left out is cleared")
    version: Version


class EntryOut(Schema):
    id: int
    person_label: str
    closeness_ring: int | None
    values: dict[str, str | bool]
    version: int


class NotesIn(StrictIn):
    notes: dict[str, str] = Field(
        description="The whole-inventory notes by id ("
        + ", ".join(f.id for f in protocol.get().inventory.whole_inventory_fields)
        + "); one left out is cleared"
    )
    version: Version


class NotesOut(Schema):
    notes: dict[str, str]
    course_version: int = Field(description="The notes share the course's version with the contract")


class InventoryOut(NotesOut):
    course_id: int
    rings: int = Field(description="The rings of the closeness circle")
    entries: list[EntryOut]


def _entry(payload: EntryIn) -> inventory.Entry:
    return inventory.Entry(payload.person_label, payload.closeness_ring, payload.values)


@router.get(
    "/clients/{client_id}/inventory",
    response=_read(InventoryOut),
    summary="The interpersonal inventory of the current course, with its notes",
)
def get_inventory(request: HttpRequest, client_id: int):
    _clinical_staff(request)
    found = inventory.read_inventory(request, client_id)
    course = _no_course(found.course)
    return {
        "course_id": course.pk,
        "rings": protocol.get().inventory.rings,
        "entries": found.entries,
        "notes": course.inventory_notes,
        "course_version": course.version,
    }


@router.post(
    "/clients/{client_id}/inventory",
    response=_create(EntryOut),
    summary="Add a person to the inventory",
)
def create_entry(request: HttpRequest, client_id: int, payload: EntryIn):
    _clinical_staff(request)
    given = _entry(payload)
    return _save(lambda: inventory.add_entry(request, client_id, given), 201)


# Before the entry's route: its {entry_id} would take "notes" too.
@router.put(
    "/clients/{client_id}/inventory/notes",
    response=_change(NotesOut),
    summary="Save the notes on the inventory as a whole",
)
def update_inventory_notes(request: HttpRequest, client_id: int, payload: NotesIn):
    _clinical_staff(request)

    def save():
        course = inventory.update_notes(request, client_id, payload.notes, payload.version)
        return {"notes": course.inventory_notes, "course_version": course.version}

    return _save(save)


@router.put(
    "/clients/{client_id}/inventory/{entry_id}",
    response=_change(EntryOut),
    summary="Change a person's entry in the inventory",
)
def update_entry(request: HttpRequest, client_id: int, entry_id: int, payload: EntryUpdate):
    _clinical_staff(request)
    given = _entry(payload)
    return _save(lambda: inventory.update_entry(request, client_id, entry_id, given, payload.version))


@router.post(
    "/clients/{client_id}/inventory/{entry_id}/entered-in-error",
    response=_change(None, 204),
    summary="Hide an entry that should never have been written (it is kept with the reason)",
)
def entry_entered_in_error(request: HttpRequest, client_id: int, entry_id: int, payload: EnteredInErrorIn):
    _clinical_staff(request)
    reason = EnteredInError(payload.reason)

    def save() -> None:
        inventory.mark_entry_entered_in_error(request, client_id, entry_id, reason)

    return _save(save, 204)


# The interpersonal timeline


class EventIn(StrictIn):
    start: IsoDate = Field(description="The date, or the start of a period; never in the future")
    end: IsoDate | None = Field(None, description="The end of a period; null for one date")
    event: str = Field(max_length=300, description="What happened, as the client puts it")
    kind: str = Field(
        max_length=40, description="A kind of event: " + ", ".join(protocol.get().timeline.kind_ids())
    )
    whose: str = Field(
        "client",
        max_length=20,
        description="Whose event it is: " + ", ".join(protocol.get().timeline.whose_ids()),
    )
    whose_person: RecordId | None = Field(
        None, description="For someone else's event: the person in this course's inventory it happened to"
    )
    people: list[RecordId] = Field([], description="Ids of people in this course's inventory")
    mood_rating: int | None = Field(None, description="The mood at the time, on the protocol's scale")
    problem_area_hint: str = Field("", max_length=40, description="A problem area id, or empty")


class EventUpdate(EventIn):
    end: IsoDate | None
    # Required on a change, so that a caller that does not know them never resets them.
    whose: str = Field(max_length=20)
    whose_person: RecordId | None
    people: list[RecordId]
    mood_rating: int | None
    problem_area_hint: str = Field(max_length=40)
    version: Version


class EventOut(Schema):
    id: int
    start: date
    end: date | None
    event: str
    kind: str
    whose: str
    whose_person: int | None
    people: list[int]
    mood_rating: int | None
    problem_area_hint: str
    version: int

    @staticmethod
    def resolve_whose_person(obj: TimelineEvent) -> int | None:
        return obj.whose_person_id

    @staticmethod
    def resolve_people(obj: TimelineEvent) -> list[int]:
        return [p.pk for p in obj.people.all() if p.entered_in_error_at is None]


class TimelineOut(Schema):
    course_id: int
    onset: date | None = Field(description="The onset of the episode, from the formulation")
    events: list[EventOut] = Field(description="Oldest first")


def _event(payload: EventIn) -> timeline.Event:
    return timeline.Event(**payload.dict(exclude={"version"}))


@router.get(
    "/clients/{client_id}/timeline",
    response=_read(TimelineOut),
    summary="The interpersonal timeline of the current course",
)
def get_timeline(request: HttpRequest, client_id: int):
    _clinical_staff(request)
    found = timeline.timeline_for(request, client_id)
    return {"course_id": _no_course(found.course).pk, "onset": found.onset, "events": found.events}


@router.post(
    "/clients/{client_id}/timeline",
    response=_create(EventOut),
    summary="Add a life event or period to the timeline",
)
def create_event(request: HttpRequest, client_id: int, payload: EventIn):
    _clinical_staff(request)
    return Status(201, timeline.add_event(request, client_id, _event(payload)))


@router.put(
    "/clients/{client_id}/timeline/{event_id}",
    response=_change(EventOut),
    summary="Change an event of the timeline",
)
def update_event(request: HttpRequest, client_id: int, event_id: int, payload: EventUpdate):
    _clinical_staff(request)
    given = _event(payload)
    return _save(lambda: timeline.update_event(request, client_id, event_id, given, payload.version))


@router.post(
    "/clients/{client_id}/timeline/{event_id}/entered-in-error",
    response=_change(None, 204),
    summary="Hide an event that should never have been written (it is kept with the reason)",
)
def event_entered_in_error(request: HttpRequest, client_id: int, event_id: int, payload: EnteredInErrorIn):
    _clinical_staff(request)
    reason = EnteredInError(payload.reason)
    return _save(lambda: timeline.mark_event_entered_in_error(request, client_id, event_id, reason), 204)


# The problem-area formulation and the goals


class FormulationIn(StrictIn):
    onset: IsoDate | None = Field(description="When this episode of depression began")
    cues: dict[str, list[str]] = Field(description="Problem area id to the ids of its cues that apply")
    primary_area: str = Field(max_length=40, description="A problem area id, or empty until chosen")
    secondary_area: str = Field(max_length=40, description="Another problem area id, or empty")
    dispute_stage: str = Field(max_length=20, description="For a role dispute: its stage id")
    text: str
    shared_on: IsoDate | None
    agreed_on: IsoDate | None


class FormulationUpdate(FormulationIn):
    version: int = Field(ge=0, le=2**31 - 1, description="As last read; 0 for the first save")


class FormulationOut(FormulationIn):
    model_config = ConfigDict(extra="ignore", strict=False)  # an answer, not a request body
    course_id: int
    version: int = Field(description="0 until the formulation is first saved")
    suggestions: list[SuggestionOut] = Field(
        description=(
            "Candidate areas pointed at by what is recorded, each with the entries that led to it, "
            "in the protocol's order. Decision support only: the therapist chooses."
        )
    )
    set_aside: list[SetAsideOut] = Field(
        description="Areas a rule would have pointed at and why they are not suggested"
    )
    questions: list[QuestionOut] = Field(
        description="Answers worth recording so that decision support reads the whole record"
    )


class GoalIn(StrictIn):
    text: str
    strategies: str
    version: Version


class GoalOut(Schema):
    id: int
    problem_area: str
    text: str
    strategies: str
    order: int
    version: int


def _formulation_out(course: Course, found: Formulation) -> dict:
    spec = protocol.get()
    found_review = formulation.review(course, found)
    return {
        "course_id": course.pk,
        **{name: getattr(found, name) for name in formulation.FIELDS},
        "cues": found.cues,
        "version": found.version if found.pk else 0,
        "suggestions": [
            {
                "problem_area": s.problem_area,
                "name": spec.problem_area_name(s.problem_area, course.variant),
                "rules": list(s.rules),
                "summary": s.summary,
                "evidence": [vars(e) for e in s.evidence],
            }
            for s in found_review.suggestions
        ],
        "set_aside": [
            {
                "problem_area": a.problem_area,
                "name": spec.problem_area_name(a.problem_area, course.variant),
                "rules": list(a.rules),
                "reason": a.reason,
                "evidence": [vars(e) for e in a.evidence],
            }
            for a in found_review.set_aside
        ],
        "questions": [vars(q) for q in found_review.questions],
    }


@router.get(
    "/clients/{client_id}/formulation",
    response=_read(FormulationOut),
    summary="The problem-area formulation of the current course, with decision support",
)
def get_formulation(request: HttpRequest, client_id: int):
    _clinical_staff(request)
    _client, course, found = formulation.load(request, client_id)
    return _formulation_out(course, found)


@router.put(
    "/clients/{client_id}/formulation",
    response=_change(FormulationOut),
    summary="Save the therapist's formulation: cues, areas, stage, text, shared and agreed",
)
def update_formulation(request: HttpRequest, client_id: int, payload: FormulationUpdate):
    _clinical_staff(request)
    values = formulation.FormulationValues(**payload.dict(exclude={"version"}))

    def save():
        saved = formulation.update(request, client_id, values, payload.version)
        return _formulation_out(saved.course, saved)

    return _save(save)


@router.get(
    "/clients/{client_id}/goals",
    response=_read(list[GoalOut]),
    summary="The goals and strategies of the current course",
)
def list_goals(request: HttpRequest, client_id: int):
    _clinical_staff(request)
    return formulation.list_goals(request, client_id)


# Before the goal's route: its {goal_id} would take "from-protocol" too.
@router.post(
    "/clients/{client_id}/goals/from-protocol",
    response=_create(list[GoalOut]),
    summary="Start the goals from the protocol's list for the chosen problem areas",
    description="Adds the chosen areas' goals the course does not have yet; the therapist then edits them.",
)
def start_goals(request: HttpRequest, client_id: int):
    _clinical_staff(request)
    return Status(201, formulation.start_goals(request, client_id))


@router.put(
    "/clients/{client_id}/goals/{goal_id}",
    response=_change(GoalOut),
    summary="Change a goal and its strategies",
)
def update_goal(request: HttpRequest, client_id: int, goal_id: int, payload: GoalIn):
    _clinical_staff(request)
    values = formulation.GoalValues(text=payload.text, strategies=payload.strategies)
    return _save(lambda: formulation.update_goal(request, client_id, goal_id, values, payload.version))
