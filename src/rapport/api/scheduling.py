"""Appointments and consents through the API: the same services as the pages.

Reading a client's appointments and consents is for the clinicians who see the client, the team's
supervisor and the client themself (with their own client id); booking and changing is for the
client's clinicians. Administrators are refused by role (403); a record that is not the caller's
is a 404. A change carries the `version` it began from: a save in between is a 409."""

import datetime as dt
from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from rapport.api.course import Conflict, RecordId, Version, _save
from rapport.api.schemas import IsoDate, IsoTime, Problem, StrictIn
from rapport.clinic import rules
from rapport.scheduling import booking, consents
from rapport.scheduling.models import Appointment, AppointmentStatus, Format

router = Router(tags=["scheduling"])
LOCAL_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"


def _not_administrator(request: HttpRequest) -> None:
    if rules.is_administrator(request.user):
        raise PermissionDenied


class AppointmentOut(Schema):
    id: int
    starts_at: dt.datetime = Field(description="The instant, in UTC")
    time_zone: str = Field(description="The IANA zone the appointment was booked in")
    local_date: dt.date = Field(description="The wall-clock date in time_zone")
    # A wall-clock time has no offset, which JSON Schema's "time" format requires: a live fuzz run
    # (bench/fuzz_live.py) found every served appointment out of its own schema. HH:MM:SS instead.
    local_time: str = Field(
        pattern=LOCAL_TIME,
        description="The wall-clock time in time_zone (HH:MM:SS, no offset); kept across clock changes",
    )
    minutes: int
    format: str
    place: str
    status: str
    course_id: int | None
    session_id: int | None = Field(description="The course's session record, once there is one")
    series: UUID | None
    reschedule_to: dt.datetime | None = Field(description="A free time the client asked for")
    version: int

    @staticmethod
    def resolve_local_time(obj) -> str:
        value = obj["local_time"] if isinstance(obj, dict) else obj.local_time
        return value if isinstance(value, str) else value.isoformat(timespec="seconds")


class AppointmentIn(StrictIn):
    day: IsoDate = Field(description="Local date in time_zone")
    at: IsoTime = Field(description="Local wall time in time_zone, as HH:MM")
    time_zone: str = Field(max_length=64, description="IANA time zone, for example Europe/London")
    minutes: int | None = Field(None, description="Empty: the contract's session length")
    format: Literal[tuple(Format.values)]  # type: ignore[valid-type]
    place: str = Field("", max_length=200, description="Place, or the number to call; empty for video")
    count: int | None = Field(None, description="Book a weekly series of this many at the same local time")


class AppointmentUpdate(StrictIn):
    day: IsoDate
    at: IsoTime
    time_zone: str = Field(max_length=64)
    minutes: int | None = None
    format: Literal[tuple(Format.values)]  # type: ignore[valid-type]
    place: str = Field("", max_length=200)
    status: Literal[tuple(AppointmentStatus.values)]  # type: ignore[valid-type]
    version: Version


class BookedOut(Schema):
    appointments: list[AppointmentOut]
    warnings: list[str] = Field(description="For example: outside the clinician's working hours")


class ConsentOut(Schema):
    id: int
    kind: str
    wording_version: str
    given_on: dt.date
    given_by: str
    caregiver_name: str
    withdrawn_on: dt.date | None
    details: dict[str, str | bool] = Field(description="Online sessions: the telehealth plan")


def _out(appt: Appointment) -> dict:
    return {name: getattr(appt, name) for name in AppointmentOut.model_fields}


def _booked(done: booking.Booked) -> dict:
    return {"appointments": [_out(a) for a in done.appointments], "warnings": done.warnings}


def _slot(payload: "AppointmentIn | AppointmentUpdate") -> booking.Slot:
    return booking.Slot(
        day=payload.day,
        at=payload.at,
        time_zone=payload.time_zone,
        minutes=payload.minutes,
        format=payload.format,
        place=payload.place,
    )


@router.get(
    "/clients/{client_id}/appointments",
    response={200: list[AppointmentOut], 403: Problem, 404: Problem},
    summary="The client's appointments, oldest first",
)
def list_appointments(request: HttpRequest, client_id: int):
    _not_administrator(request)
    _client, found = booking.appointments_of(request, client_id)
    return [_out(a) for a in found]


@router.post(
    "/clients/{client_id}/appointments",
    response={201: BookedOut, 403: Problem, 404: Problem, 422: Problem},
    summary="Book an appointment, or a weekly series (count) at one local time",
)
def create_appointments(request: HttpRequest, client_id: int, payload: AppointmentIn):
    _not_administrator(request)
    if payload.count is not None:
        done = booking.book_series(request, client_id, _slot(payload), payload.count)
    else:
        done = booking.book(request, client_id, _slot(payload))
    return Status(201, _booked(done))


@router.put(
    "/clients/{client_id}/appointments/{appointment_id}",
    response={200: BookedOut, 403: Problem, 404: Problem, 409: Conflict, 422: Problem},
    summary="Move or change an appointment, or record its outcome",
)
def update_appointment(
    request: HttpRequest, client_id: int, appointment_id: RecordId, payload: AppointmentUpdate
):
    _not_administrator(request)
    slot = _slot(payload)
    return _save(
        lambda: _booked(
            booking.update(request, client_id, appointment_id, slot, payload.status, payload.version)
        )
    )


@router.get(
    "/clients/{client_id}/consents",
    response={200: list[ConsentOut], 403: Problem, 404: Problem},
    summary="The client's consent records, withdrawn ones included",
)
def list_consents(request: HttpRequest, client_id: int):
    _not_administrator(request)
    _client, found = consents.consents_of(request, client_id)
    return [{name: getattr(c, name) for name in ConsentOut.model_fields} for c in found]
