"""Rescheduling: the clinician accepts the time a client asked for in one step (checked again for
a clash under the clinician's lock, the client told) or proposes another; the care team hears of
every change a client makes, by a notice and an e-mail with no clinical content."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail

from rapport.clinic.models import Course, Notification
from rapport.common.errors import EditConflict, InvalidInput
from rapport.scheduling import booking, times
from rapport.scheduling.models import Appointment, AppointmentStatus, WorkingHours
from tests.support import request_as
from tests.test_scheduling import form

NOW = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def course(clinic):
    return Course.objects.create(
        client=clinic.client, status="active", session_minutes=50, planned_sessions=16
    )


@pytest.fixture
def asked(clinic, course):
    """An appointment whose client asked for the first free time offered."""
    WorkingHours.objects.create(clinician=clinic.clinician, weekday=3, starts=time(9), ends=time(12))
    appt = booking.book(request_as(clinic.clinician), clinic.client.pk, form()).appointments[0]
    free = booking.free_times(appt)
    booking.ask_reschedule(request_as(clinic.client_user), appt.pk, appt.version, free[0].isoformat())
    appt.refresh_from_db()
    return appt


def test_the_clinician_accepts_the_asked_time_in_one_step_and_the_client_is_told(
    clinic, asked, as_user, django_capture_on_commit_callbacks
):
    wanted = asked.reschedule_to
    mail.outbox.clear()
    web = as_user(clinic.clinician)
    page = web.get(f"/clients/{clinic.client.pk}/appointments/").content.decode()
    assert "Accept the new time" in page
    with django_capture_on_commit_callbacks(execute=True):
        done = web.post(
            f"/clients/{clinic.client.pk}/appointments/{asked.pk}/accept/", {"version": asked.version}
        )
    assert done.status_code == 302
    asked.refresh_from_db()
    wall = times.local(wanted, "Europe/London")
    assert (asked.starts_at, asked.local_date, asked.local_time) == (wanted, wall.date(), wall.time())
    assert asked.status == AppointmentStatus.CONFIRMED and asked.reschedule_to is None
    assert asked.sequence == 1
    told = Notification.objects.filter(recipient=clinic.client_user, subject="Appointment changed").get()
    assert "Confirmed" in told.body and "Cody" not in told.body
    assert [m.to for m in mail.outbox] == [[clinic.client_user.email]]


def test_an_asked_time_taken_meanwhile_is_refused_and_nothing_moves(clinic, asked, newcomer):
    wanted = asked.reschedule_to
    wall = times.local(wanted, "Europe/London")
    # Another client is booked into that hour after the client chose it.
    Appointment.objects.create(
        client=newcomer,
        clinician=clinic.clinician,
        starts_at=wanted,
        time_zone="Europe/London",
        local_date=wall.date(),
        local_time=wall.time(),
        minutes=50,
        place="Room 1",
    )
    with pytest.raises(InvalidInput) as refused:
        booking.accept_reschedule(request_as(clinic.clinician), clinic.client.pk, asked.pk, asked.version)
    assert "no longer free" in str(refused.value.errors)
    assert "already has an appointment" in str(refused.value.errors)
    before = asked.starts_at
    asked.refresh_from_db()
    assert (asked.starts_at, asked.status) == (before, AppointmentStatus.RESCHEDULE_ASKED)


def test_a_stale_accept_and_an_accept_with_nothing_asked_change_nothing(clinic, asked):
    with pytest.raises(EditConflict):
        booking.accept_reschedule(request_as(clinic.clinician), clinic.client.pk, asked.pk, asked.version - 1)
    other = booking.book(request_as(clinic.clinician), clinic.client.pk, form(day="2026-10-21")).appointments[
        0
    ]
    with pytest.raises(InvalidInput) as refused:
        booking.accept_reschedule(request_as(clinic.clinician), clinic.client.pk, other.pk, other.version)
    assert "has not asked" in str(refused.value.errors)


def test_another_clinician_cannot_accept(clinic, asked):
    from django.http import Http404

    with pytest.raises(Http404):
        booking.accept_reschedule(
            request_as(clinic.other_clinician), clinic.client.pk, asked.pk, asked.version
        )
    asked.refresh_from_db()
    assert asked.status == AppointmentStatus.RESCHEDULE_ASKED


def test_moving_it_elsewhere_proposes_that_time_for_the_client_to_confirm(clinic, asked):
    slot = form(day="2026-10-22", at="11:00")
    booking.update(
        request_as(clinic.clinician), clinic.client.pk, asked.pk, slot, asked.status, asked.version
    )
    asked.refresh_from_db()
    assert asked.status == AppointmentStatus.BOOKED and asked.reschedule_to is None
    assert asked.local_time == time(11)
    booking.confirm(request_as(clinic.client_user), asked.pk, asked.version)
    asked.refresh_from_db()
    assert asked.status == AppointmentStatus.CONFIRMED


def test_the_co_clinician_hears_of_every_change_the_client_makes_without_clinical_content(
    clinic,
    course,
    django_capture_on_commit_callbacks,
):
    appt = booking.book(request_as(clinic.clinician), clinic.client.pk, form()).appointments[0]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        booking.cancel(request_as(clinic.client_user), appt.pk, appt.version, now=NOW + timedelta(hours=1))
    for person in (clinic.clinician, clinic.co_clinician):
        notice = Notification.objects.get(recipient=person, subject="Appointment changed by the client")
        assert "Cancelled" in notice.body and clinic.client.full_name not in notice.body
    assert sorted(m.to[0] for m in mail.outbox) == sorted([clinic.clinician.email, clinic.co_clinician.email])
    for message in mail.outbox:
        assert clinic.client.full_name not in message.body and "Cancelled" in message.body
    assert not Notification.objects.filter(recipient=clinic.other_clinician).exists()
