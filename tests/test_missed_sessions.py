"""The contract's missed-session policy: its structured part is kept with the contract (checked
like the rest), a client's cancellation is late as the course's window says, the course counts
the sessions used as the policy says, and the client reads the policy in plain words before they
cancel late; the clinician sees the count."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from rapport.clinic import courses
from rapport.clinic.models import Course, Session
from rapport.common.errors import InvalidInput
from rapport.scheduling import booking, missed_sessions, times
from rapport.scheduling.models import Appointment, AppointmentStatus
from tests.support import request_as

NOW = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def course(clinic):
    return Course.objects.create(
        client=clinic.client,
        status="active",
        session_minutes=50,
        planned_sessions=12,
        started_on=date(2026, 9, 1),
    )


def appointment(clinic, course, hours_ahead: float, status=AppointmentStatus.BOOKED) -> Appointment:
    start = NOW + timedelta(hours=hours_ahead)
    wall = times.local(start, "Europe/London")
    return Appointment.objects.create(
        client=clinic.client,
        clinician=clinic.clinician,
        course=course,
        starts_at=start,
        time_zone="Europe/London",
        local_date=wall.date(),
        local_time=wall.time(),
        minutes=50,
        place="Room 1",
        status=status,
    )


def contract(course, **changes) -> courses.Contract:
    values = {name: getattr(course, name) for name in courses.CONTRACT_FIELDS}
    return replace(courses.Contract(**values), **changes)


def test_the_policy_is_kept_with_the_contract_and_a_window_over_a_week_is_refused(clinic, course):
    saved = courses.update_contract(
        request_as(clinic.clinician),
        clinic.client.pk,
        contract(course, late_cancel_hours=48, late_cancel_counts=False),
        course.version,
    )
    assert (saved.late_cancel_hours, saved.late_cancel_counts, saved.no_show_counts) == (48, False, True)
    with pytest.raises(InvalidInput) as refused:
        courses.update_contract(
            request_as(clinic.clinician),
            clinic.client.pk,
            contract(saved, late_cancel_hours=200),
            saved.version,
        )
    assert refused.value.errors == {"late_cancel_hours": ["Ensure this value is less than or equal to 168."]}


def test_a_cancellation_is_late_as_the_contract_says(clinic, course):
    as_client = request_as(clinic.client_user)
    early = appointment(clinic, course, 30)
    assert booking.cancel(as_client, early.pk, early.version).status == AppointmentStatus.CANCELLED
    Course.objects.filter(pk=course.pk).update(late_cancel_hours=48)
    later = appointment(clinic, course, 30 + 24 * 7)
    soon = appointment(clinic, course, 30 + 24 * 14)
    assert booking.cancel(as_client, later.pk, later.version).status == AppointmentStatus.CANCELLED
    cancelled = booking.cancel(as_client, soon.pk, soon.version, now=soon.starts_at - timedelta(hours=40))
    assert cancelled.status == AppointmentStatus.LATE_CANCELLED


def test_the_course_counts_sessions_used_as_the_policy_says(clinic, course):
    for number in (1, 2):
        Session.objects.create(course=course, number=number, date=date(2026, 9, number), status="attended")
    Session.objects.create(course=course, number=3, date=date(2026, 9, 3), status="missed")
    appointment(clinic, course, -48, AppointmentStatus.LATE_CANCELLED)
    appointment(clinic, course, -72, AppointmentStatus.NO_SHOW)
    appointment(clinic, course, -96, AppointmentStatus.CANCELLED)
    used = missed_sessions.usage(course)
    assert (used.attended, used.late_cancelled, used.not_attended) == (2, 1, 2)
    assert (used.used, used.left) == (5, 7)
    Course.objects.filter(pk=course.pk).update(late_cancel_counts=False, no_show_counts=False)
    course.refresh_from_db()
    assert missed_sessions.usage(course).used == 2


def test_the_client_is_told_in_plain_words_before_cancelling_late(clinic, course, as_user):
    far = appointment(clinic, course, 24 * 5)
    near = appointment(clinic, course, 5)
    page = as_user(clinic.client_user).get("/my/appointments/").content.decode()
    assert "A cancellation less than 24 hours before the session is a late cancellation." in page
    assert "You agreed to 12 sessions." in page
    warning = "if you cancel now, it counts as a late cancellation and uses up one of your sessions"
    assert page.count(warning) == 1
    assert f'id="late-{near.pk}"' in page and f'id="late-{far.pk}"' not in page
    Course.objects.filter(pk=course.pk).update(late_cancel_counts=False)
    page = as_user(clinic.client_user).get("/my/appointments/").content.decode()
    assert "it does not use up one of your sessions" in page and warning not in page


def test_the_clinician_sees_sessions_used_against_the_contract(clinic, course, as_user):
    Session.objects.create(course=course, number=1, date=date(2026, 9, 1), status="attended")
    appointment(clinic, course, -48, AppointmentStatus.NO_SHOW)
    web = as_user(clinic.clinician)
    for url in (f"/clients/{clinic.client.pk}/appointments/", f"/clients/{clinic.client.pk}/course/"):
        page = web.get(url).content.decode()
        assert "2 of 12" in page and "attended 1, cancelled late 0, not attended 1" in page
        assert "Late under 24 hours before" in page


def test_the_api_reads_and_writes_the_policy(clinic, course, client):
    from rapport.accounts.models import ApiToken

    token = ApiToken.new_secret()
    ApiToken.objects.create(user=clinic.clinician, name="t", digest=ApiToken.digest_of(token))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    got = client.get(f"/api/v1/clients/{clinic.client.pk}/course", **auth).json()
    assert (got["late_cancel_hours"], got["late_cancel_counts"], got["no_show_counts"]) == (24, True, True)
    body = {k: v for k, v in got.items() if k in courses.CONTRACT_FIELDS}
    body.update(started_on="2026-09-01", late_cancel_hours=12, no_show_counts=False, version=got["version"])
    put = client.put(
        f"/api/v1/clients/{clinic.client.pk}/course", body, content_type="application/json", **auth
    )
    assert put.status_code == 200, put.content
    course.refresh_from_db()
    assert (course.late_cancel_hours, course.no_show_counts) == (12, False)


def test_a_missing_course_uses_the_default_policy():
    assert missed_sessions.policy_of(None) == missed_sessions.Policy(24, True, True)
