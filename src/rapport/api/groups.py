"""Group IPT through the API (issue 13): groups, members, and group sessions with every member's
record in one body. The contract is written down in docs/architecture.md ("The groups API"),
because the offline session capture codes against it.

Every route calls the service the pages call (rapport.groups), so access, validation, the refusal
of a stale edit and the audit trail are the services'. A group the caller may not see is a 404,
like one that does not exist; clients and administrators are refused outright (403). A POST of a
session honours `Idempotency-Key` (api/idempotency.py): a retry gets the first answer.
"""

import json
import re
from datetime import date, datetime, time
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from rapport.api.course import Conflict, RecordId, Version, _save
from rapport.api.schemas import IsoDate, IsoTime, Problem, StrictIn
from rapport.clinic import rules
from rapport.core import groups as group_rules
from rapport.core import instruments
from rapport.groups import capture, formation, membership, reads
from rapport.groups.models import GroupStatus, Weekday
from rapport.groups.scope import visible_groups

router = Router(tags=["groups"])
Day = date  # a field named `date` hides the type inside a schema


def _iso_datetime(value):
    """An instant as JSON gives it: an ISO 8601 string with its offset ("2026-12-07T10:30:00Z")."""
    if isinstance(value, datetime) or not isinstance(value, str):
        return value
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})", value):
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        pass
    raise PydanticCustomError("datetime_parsing", "Input should be an ISO date-time with its offset")


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime)]
Text = Annotated[str, Field(max_length=20000)]
PHQ9_ITEMS = tuple(item.id for item in instruments.get(capture.MEASURE).items)


SESSION_PATH = re.compile(r"^/api/v1/groups/(\d+)/sessions(?:/\d+)?$")
KEPT = "_rapport_kept_on_refusal"


def judge_refused_body(request: HttpRequest) -> tuple[str, ...]:
    """For a session body the schema refused (api/routes.py): the alerts its members' valid risk
    answers still raise, in words for the facilitator (groups.capture.alert_on_unread_body)."""
    if hasattr(request, KEPT):
        return getattr(request, KEPT)
    found = SESSION_PATH.match(request.path)
    if found is None or request.method not in ("POST", "PUT") or not rules.is_clinical_staff(request.user):
        return ()
    try:
        raw = json.loads(request.body)
    except (ValueError, RequestDataTooBig):
        return ()
    return capture.alert_on_unread_body(request, int(found.group(1)), raw)


def judge_unread_session(request: HttpRequest, group_id: int, raw) -> None:
    """The same for a sealed session whose opened body does not fit the schema (api/offline.py)."""
    setattr(request, KEPT, capture.alert_on_unread_body(request, group_id, raw))


def _clinical_staff(request: HttpRequest) -> None:
    if not rules.is_clinical_staff(request.user):
        raise PermissionDenied


# Answers


class GroupOut(Schema):
    id: int
    name: str
    variant: str
    planned_sessions: int
    facilitator_id: int
    facilitator_name: str
    co_facilitator_id: int | None
    team_id: int
    lay_facilitated: bool
    meeting_place: str
    meeting_day: str
    meeting_time: time | None
    planned_start: date
    status: str
    version: int


class MemberOut(Schema):
    id: int = Field(description="The membership's id")
    client_id: int
    name: str
    course_id: int
    joined_on: date
    join_reason: str
    left_on: date | None
    leave_reason: str
    current: bool
    version: int


class StepOut(Schema):
    id: str
    name: str
    description: str


class AgendaOut(Schema):
    number: int
    phase: str
    name: str
    steps: list[StepOut]


class SessionSummaryOut(Schema):
    id: int
    number: int
    date: date
    phase: str
    version: int


class GroupDetailOut(GroupOut):
    members: list[MemberOut]
    sessions: list[SessionSummaryOut]
    next_session: AgendaOut | None
    min_members: int
    max_members: int


class RecordOut(Schema):
    membership_id: int
    client_id: int
    name: str
    attended: bool
    phq9_total: int | None
    phq9_answers: dict[str, str] | None
    risk: bool
    alert_id: int | None
    mood_change: int | None
    mood_event_ids: list[int]
    mood_note: str
    task_set: str
    task_reviewed: str
    note: str
    needs_follow_up: bool
    needs_follow_up_for_risk: bool


class LineOut(Schema):
    label: str
    number: str
    tel_href: str
    hours: str


class AtRiskOut(Schema):
    membership_id: int
    client_id: int
    name: str
    alert_id: int
    crisis_lines: list[LineOut]


class GroupSessionOut(Schema):
    id: int
    number: int
    date: date
    phase: str
    notes: str
    paper_filled_on: Day | None
    recorded_at: datetime
    version: int
    records: list[RecordOut]
    at_risk: list[AtRiskOut]


# Bodies


class GroupIn(StrictIn):
    name: str = Field(min_length=1, max_length=200)
    variant: Literal[tuple(group_rules.group_variants())]  # type: ignore[valid-type]
    facilitator_id: RecordId
    co_facilitator_id: RecordId | None
    team_id: RecordId
    lay_facilitated: bool = Field(
        description="Facilitated by lay counsellors: supervisors are told of risk at once"
    )
    meeting_place: str = Field(max_length=200)
    meeting_day: Literal[("", *Weekday.values)]  # type: ignore[valid-type]
    meeting_time: IsoTime | None
    planned_start: IsoDate
    status: Literal[tuple(GroupStatus.values)]  # type: ignore[valid-type]


class GroupUpdate(GroupIn):
    version: Version


class MemberIn(StrictIn):
    client_id: RecordId
    joined_on: IsoDate
    reason: str = Field(max_length=2000)


class MemberRecordIn(StrictIn):
    membership_id: RecordId
    attended: bool
    phq9: dict[Literal[PHQ9_ITEMS], str] | None = Field(  # type: ignore[valid-type]
        description="The PHQ-9 answers by item id (option codes), or null when not taken"
    )
    mood_change: int | None = Field(ge=-2, le=2, description="-2 much worse .. 2 much better")
    mood_event_ids: list[RecordId] = Field(max_length=50, description="Events on the member's own timeline")
    mood_note: Text
    task_set: Text = Field(description="This week's interpersonal task")
    task_reviewed: Text = Field(description="How last week's task went")
    note: Text
    needs_follow_up: bool
    needs_follow_up_for_risk: bool


class GroupSessionIn(StrictIn):
    number: int = Field(ge=1, le=100)
    date: IsoDate
    notes: Text
    paper_filled_on: IsoDate | None = Field(description="The day a paper sheet was filled in, if it was")
    recorded_at: IsoDateTime | None = Field(
        description="When the device captured the session (kept on any alert); null for now"
    )
    members: list[MemberRecordIn] = Field(max_length=100)


class GroupSessionUpdate(GroupSessionIn):
    version: Version


def _group_values(payload: GroupIn) -> formation.GroupValues:
    return formation.GroupValues(**payload.dict(exclude={"version"}))


def _session_values(payload: GroupSessionIn) -> capture.SessionValues:
    data = payload.dict(exclude={"version", "members"})
    members = [capture.MemberEntry(**m.dict()) for m in payload.members]
    return capture.SessionValues(**data, members=members)


# Routes


@router.get("/groups", response={200: list[GroupOut], 403: Problem}, summary="The groups the caller sees")
def list_groups(request: HttpRequest):
    _clinical_staff(request)
    return [reads.group_out(g) for g in visible_groups(request.user).select_related("facilitator")]


@router.post(
    "/groups",
    response={201: GroupOut, 403: Problem, 422: Problem},
    summary="Create a group (facilitated by the caller, or for a team the caller supervises)",
)
def create_group(request: HttpRequest, payload: GroupIn):
    _clinical_staff(request)
    return Status(201, reads.group_out(formation.create_group(request, _group_values(payload))))


@router.get(
    "/groups/{group_id}",
    response={200: GroupDetailOut, 403: Problem, 404: Problem},
    summary="A group with its members, its sessions and the next session's agenda",
)
def get_group(request: HttpRequest, group_id: int):
    _clinical_staff(request)
    return reads.group_detail(request, group_id)


@router.put(
    "/groups/{group_id}",
    response={200: GroupOut, 403: Problem, 404: Problem, 409: Conflict, 422: Problem},
    summary="Change a group's facilitators, team, meeting or status",
)
def update_group(request: HttpRequest, group_id: int, payload: GroupUpdate):
    _clinical_staff(request)
    given = _group_values(payload)
    return _save(lambda: reads.group_out(formation.update_group(request, group_id, given, payload.version)))


@router.post(
    "/groups/{group_id}/members",
    response={201: MemberOut, 403: Problem, 404: Problem, 422: Problem},
    summary="Add a client to the group (dated, with the reason)",
)
def add_member(request: HttpRequest, group_id: int, payload: MemberIn):
    _clinical_staff(request)
    given = membership.NewMember(**payload.dict())
    return Status(201, reads.member_out(membership.add_member(request, group_id, given)))


@router.get(
    "/groups/{group_id}/sessions",
    response={200: list[GroupSessionOut], 403: Problem, 404: Problem},
    summary="The group's sessions with every member's record",
)
def list_sessions(request: HttpRequest, group_id: int):
    _clinical_staff(request)
    return reads.sessions_out(request, group_id)


@router.post(
    "/groups/{group_id}/sessions",
    response={201: GroupSessionOut, 403: Problem, 404: Problem, 422: Problem},
    summary="Record a held session with every member's record in one body",
)
def record_session(request: HttpRequest, group_id: int, payload: GroupSessionIn):
    _clinical_staff(request)
    session, at_risk = capture.record_session(request, group_id, _session_values(payload))
    return Status(201, reads.session_out(session, at_risk))


@router.put(
    "/groups/{group_id}/sessions/{session_id}",
    response={200: GroupSessionOut, 403: Problem, 404: Problem, 409: Conflict, 422: Problem},
    summary="Change a recorded session (send the version it was read at)",
)
def update_session(request: HttpRequest, group_id: int, session_id: int, payload: GroupSessionUpdate):
    _clinical_staff(request)
    given = _session_values(payload)

    def save():
        session, at_risk = capture.update_session(request, group_id, session_id, given, payload.version)
        return reads.session_out(session, at_risk)

    return _save(save)
