"""Appointments: wall time across daylight saving, double booking, working hours, the client's
changes, consent, video rooms, calendar feeds (two parsers), reminders and one-time links."""

import re
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
import recurring_ical_events
import time_machine
from django.core import mail
from django.utils import timezone

from rapport.clinic.models import CheckInSchedule, Course, Notification
from rapport.common.errors import EditConflict, InvalidInput
from rapport.scheduling import booking, calendar, consents, links, reminders, video
from rapport.scheduling.models import (
    Absence,
    Appointment,
    AppointmentStatus,
    Reminder,
    SignInLink,
    WorkingHours,
)
from tests.personas import CANARY
from tests.support import request_as, run_worker

NOW = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def refusal(call, *args) -> str:
    with pytest.raises(InvalidInput) as refused:
        call(*args)
    return str(refused.value.errors)


def form(**values) -> booking.Slot:
    """A slot as the services take it; dates and times may be given as text, for short tests."""
    if isinstance(values.get("day"), str):
        values["day"] = date.fromisoformat(values["day"])
    if isinstance(values.get("at"), str):
        values["at"] = time.fromisoformat(values["at"])
    base = {
        "day": date(2026, 10, 14),
        "at": time(10),
        "time_zone": "Europe/London",
        "minutes": None,
        "format": "in_person",
        "place": "Room 2",
    }
    return booking.Slot(**{**base, **values})


def give(clinic, kind, **extra):
    data = {"kind": kind, "wording_version": "1", "given_on": date(2026, 9, 1), "given_by": "client", **extra}
    if kind == "online":
        data.update(
            risks_explained=True,
            dropped_call_plan="Call back on the mobile",
            emergency_plan="Local emergency department; sister",
            client_location="Home",
        )
    return consents.record(request_as(clinic.clinician), clinic.client.pk, consents.ConsentGiven(**data))


@pytest.fixture
def course(clinic):
    return Course.objects.create(
        client=clinic.client, status="active", session_minutes=50, planned_sessions=16
    )


@time_machine.travel(NOW, tick=False)
def test_weekly_series_keeps_local_time_across_the_clocks_going_back(clinic, course):
    done = booking.book_series(request_as(clinic.clinician), clinic.client.pk, form(), 4)
    made = done.appointments
    assert [a.local_time for a in made] == [time(10, 0)] * 4
    # 14 and 21 October are summer time (UTC+1); 28 October and 4 November are winter time (UTC).
    assert [a.starts_at.astimezone(UTC).hour for a in made] == [9, 9, 10, 10]
    assert all(a.minutes == 50 and a.course == course for a in made)
    assert len({a.series for a in made}) == 1


@time_machine.travel(NOW, tick=False)
def test_a_wall_time_in_the_spring_gap_takes_the_offset_from_before_it():
    from rapport.scheduling.times import instant

    # 29 March 2026, 01:30 London does not exist; RFC 5545 reads it with the pre-gap offset (UTC+0).
    assert instant(date(2026, 3, 29), time(1, 30), "Europe/London") == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )


@time_machine.travel(NOW, tick=False)
def test_double_booking_the_clinician_or_the_client_is_refused_and_a_series_books_nothing(clinic, course):
    booking.book(request_as(clinic.clinician), clinic.client.pk, form(day="2026-10-28", at="10:30"))
    with pytest.raises(InvalidInput) as refused:
        booking.book_series(request_as(clinic.clinician), clinic.client.pk, form(), 3)
    assert "already has an appointment" in str(refused.value.errors)
    assert Appointment.objects.count() == 1
    # The same clinician with another client at that time: refused too.
    from rapport.clinic.models import Client

    second = Client.objects.create(
        organisation=clinic.org,
        team=clinic.team_a,
        responsible_clinician=clinic.clinician,
        full_name="Second",
        date_of_birth=date(1980, 1, 1),
        country="GB",
    )
    assert "clinician already" in refusal(
        booking.book, request_as(clinic.clinician), second.pk, form(day="2026-10-28", at="10:15")
    )
    assert Appointment.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_outside_working_hours_warns_and_an_absence_refuses(clinic, course):
    WorkingHours.objects.create(clinician=clinic.clinician, weekday=2, starts=time(9), ends=time(17))
    late = booking.book(request_as(clinic.clinician), clinic.client.pk, form(at="18:00"))
    assert late.warnings and "outside" in late.warnings[0]
    fine = booking.book(request_as(clinic.clinician), clinic.client.pk, form(day="2026-10-21"))
    assert fine.warnings == []
    Absence.objects.create(
        clinician=clinic.clinician, first_day=date(2026, 11, 4), last_day=date(2026, 11, 6)
    )
    assert "away" in refusal(
        booking.book, request_as(clinic.clinician), clinic.client.pk, form(day="2026-11-04")
    )


@time_machine.travel(NOW, tick=False)
def test_others_cannot_book(clinic, course):
    from django.http import Http404

    for who in (clinic.other_clinician, clinic.supervisor):
        with pytest.raises(Http404):
            booking.book(request_as(who), clinic.client.pk, form())
    assert not Appointment.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_video_session_needs_online_consent_and_gets_a_room_naming_no_one(clinic, course):
    assert "consent to online sessions" in refusal(
        booking.book, request_as(clinic.clinician), clinic.client.pk, form(format="video", place="")
    )
    give(clinic, "online")
    appt = booking.book(
        request_as(clinic.clinician), clinic.client.pk, form(format="video", place="")
    ).appointments[0]
    assert len(appt.room) > 30 and "cai" not in appt.room.lower() and CANARY.lower() not in appt.room.lower()
    assert video.join_url(appt).startswith("https://meet.example.org/rapport-")
    start = appt.starts_at
    assert not video.can_join(appt, start - timedelta(minutes=11))
    assert video.can_join(appt, start - timedelta(minutes=10))
    assert video.can_join(appt, start + timedelta(minutes=49))
    assert not video.can_join(appt, start + timedelta(minutes=51))


@time_machine.travel(NOW, tick=False)
def test_online_consent_needs_the_plan_and_a_child_needs_a_caregiver(clinic):
    with pytest.raises(InvalidInput) as refused:
        consents.record(
            request_as(clinic.clinician),
            clinic.client.pk,
            consents.ConsentGiven(
                kind="online", wording_version="1", given_on=date(2026, 9, 1), given_by="client"
            ),
        )
    assert {"risks_explained", "dropped_call_plan", "emergency_plan", "client_location"} <= set(
        refused.value.errors
    )
    clinic.client.date_of_birth = date(2012, 1, 1)
    clinic.client.save()
    with pytest.raises(InvalidInput) as refused:
        give(clinic, "treatment")
    assert "given_by" in refused.value.errors
    consent = give(clinic, "treatment", given_by="caregiver", caregiver_name="Pat Parent")
    assert consents.has_consent(clinic.client, "treatment")
    consents.withdraw(request_as(clinic.clinician), clinic.client.pk, consent.pk)
    assert not consents.has_consent(clinic.client, "treatment")


@time_machine.travel(NOW, tick=False)
def test_the_client_confirms_cancels_late_and_asks_for_a_free_time(clinic, course):
    WorkingHours.objects.create(clinician=clinic.clinician, weekday=3, starts=time(9), ends=time(12))
    made = booking.book_series(request_as(clinic.clinician), clinic.client.pk, form(), 2).appointments
    first, second = made
    as_client = request_as(clinic.client_user)
    booking.confirm(as_client, first.pk, first.version)
    first.refresh_from_db()
    assert first.status == AppointmentStatus.CONFIRMED
    with pytest.raises(EditConflict):
        booking.cancel(as_client, first.pk, first.version - 1)
    free = booking.free_times(second)
    assert free and all(t.astimezone(UTC).weekday() == 3 for t in free)
    booking.ask_reschedule(as_client, second.pk, second.version, free[0].isoformat())
    second.refresh_from_db()
    assert second.status == AppointmentStatus.RESCHEDULE_ASKED and second.reschedule_to == free[0]
    with pytest.raises(InvalidInput):
        booking.ask_reschedule(as_client, second.pk, second.version, "2026-10-15T03:00:00+00:00")
    # Less than a day before: a late cancellation, and the clinician is told.
    booking.cancel(as_client, first.pk, first.version, now=first.starts_at - timedelta(hours=3))
    first.refresh_from_db()
    assert first.status == AppointmentStatus.LATE_CANCELLED
    assert Notification.objects.filter(recipient=clinic.clinician, subject__icontains="client").count() == 3
    # The other client cannot touch it.
    from django.http import Http404

    with pytest.raises(Http404):
        booking.confirm(request_as(clinic.other_client_user), second.pk, second.version)


@time_machine.travel(NOW, tick=False)
def test_an_attended_appointment_becomes_the_course_session(clinic, course):
    appt = booking.book(request_as(clinic.clinician), clinic.client.pk, form()).appointments[0]
    data = form(minutes=50)
    booking.update(request_as(clinic.clinician), clinic.client.pk, appt.pk, data, "attended", appt.version)
    appt.refresh_from_db()
    assert appt.session.course == course and appt.session.date == date(2026, 10, 14)
    assert appt.sequence == 1
    with pytest.raises(EditConflict):
        booking.update(
            request_as(clinic.clinician), clinic.client.pk, appt.pk, data, "attended", appt.version - 1
        )


@time_machine.travel(NOW, tick=False)
def test_feeds_parse_with_two_parsers_keep_local_time_and_hide_names(clinic, course):
    booking.book_series(request_as(clinic.clinician), clinic.client.pk, form(), 4)
    _feed, token = calendar.issue_feed(clinician=clinic.clinician)
    body = calendar.feed_body(token)
    assert CANARY not in body.decode()
    parsed = icalendar.Calendar.from_ical(body)
    starts = [e.decoded("dtstart") for e in parsed.walk("VEVENT")]
    assert [(s.hour, s.minute, str(s.tzinfo)) for s in starts] == [(10, 0, "Europe/London")] * 4
    assert parsed.walk("VTIMEZONE")
    second = recurring_ical_events.of(icalendar.Calendar.from_ical(body)).between(
        (2026, 10, 1), (2026, 11, 30)
    )
    assert sorted((e.decoded("dtstart").astimezone(UTC).hour) for e in second) == [9, 9, 10, 10]
    # Names only when the clinician turns them on; the old address stops working.
    _feed, named = calendar.issue_feed(clinician=clinic.clinician, show_names=True)
    assert calendar.feed_body(token) is None
    assert CANARY in calendar.feed_body(named).decode()
    calendar.revoke_feeds(clinician=clinic.clinician)
    assert calendar.feed_body(named) is None
    from rapport.scheduling.models import CalendarFeed

    assert not CalendarFeed.objects.filter(digest=named).exists()  # only the digest is stored


@time_machine.travel(NOW, tick=False)
def test_the_booking_email_carries_an_ics_without_clinical_content(
    clinic, course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking.book(request_as(clinic.clinician), clinic.client.pk, form())
    message = mail.outbox[-1]
    assert (
        message.to == ["client@test.rapport"] and "Cleo" in message.body and "Responsible" not in message.body
    )
    _name, ics, kind = message.attachments[0]
    assert kind == "text/calendar"
    event = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    assert event.decoded("dtstart").hour == 10 and "Responsible" not in str(event.get("summary"))


def test_quiet_hours_move_a_reminder_earlier():
    moved = reminders.out_of_quiet_hours(
        datetime(2026, 10, 14, 6, 0, tzinfo=UTC), "Europe/London", time(21), time(8)
    )
    assert moved == datetime(2026, 10, 13, 19, 59, tzinfo=UTC)  # 20:59 London, summer time


@time_machine.travel(NOW, tick=False)
def test_reminders_follow_the_client_choice(clinic, course):
    appt = booking.book(request_as(clinic.clinician), clinic.client.pk, form()).appointments[0]
    assert not Reminder.objects.exists()  # no consent to reminders yet
    give(clinic, "reminders")
    reminders.choose(
        request_as(clinic.client_user),
        clinic.client,
        by_email=True,
        by_sms=True,
        phone="+44 7700 900123",
        stopped=False,
    )
    assert sorted(Reminder.objects.values_list("channel", "lead_hours")) == [
        ("email", 2),
        ("email", 24),
        ("sms", 2),
        ("sms", 24),
    ]
    reminders.choose(
        request_as(clinic.client_user), clinic.client, by_email=True, by_sms=False, phone="", stopped=True
    )
    assert not Reminder.objects.filter(appointment=appt).exists()


def test_the_worker_sends_the_reminder_with_a_one_time_check_in_link(clinic, course):
    with time_machine.travel(NOW, tick=False):
        give(clinic, "reminders")
        CheckInSchedule.objects.create(
            client=clinic.client, instrument="phq9", cadence="weekly", created_by=clinic.clinician
        )
        appt = booking.book(request_as(clinic.clinician), clinic.client.pk, form()).appointments[0]
        mail.outbox.clear()
    with time_machine.travel(appt.starts_at - timedelta(hours=23), tick=False):
        run_worker()
        reminders.deliver_due()  # whatever the worker left (each reminder is claimed once)
    sent = [m for m in mail.outbox if m.subject == "Appointment reminder"]
    assert len(sent) == 1
    body = sent[0].body
    assert "Cleo" in body and "Responsible" not in body and CANARY not in body and "PHQ" not in body
    assert "/check-in-link/" in body
    token = body.split("/check-in-link/")[1].split("/")[0]
    assert not SignInLink.objects.filter(digest=token).exists()
    with time_machine.travel(appt.starts_at - timedelta(hours=22), tick=False):
        with pytest.raises(links.LinkRefused) as other:
            links.use(token, clinic.other_client_user)
        assert other.value.reason == "other_account"
        links.use(token)
        with pytest.raises(links.LinkRefused) as twice:
            links.use(token)
        assert twice.value.reason == "used"


def test_a_closed_account_is_sent_no_reminder(clinic, course):
    with time_machine.travel(NOW, tick=False):
        give(clinic, "reminders")
        appt = booking.book(request_as(clinic.clinician), clinic.client.pk, form()).appointments[0]
        mail.outbox.clear()
    clinic.client_user.is_active = False  # as closing the account leaves it
    clinic.client_user.save()
    with time_machine.travel(appt.starts_at - timedelta(hours=23), tick=False):
        run_worker()
        reminders.deliver_due()
    assert not [m for m in mail.outbox if m.subject == "Appointment reminder"]
    assert set(
        Reminder.objects.filter(appointment=appt, sent_at__isnull=False).values_list("outcome", flat=True)
    ) == {"account closed"}


def test_a_link_expires(clinic):
    with time_machine.travel(NOW, tick=False):
        token = links.issue(clinic.client, "phq9")
    later = NOW + links.LIFETIME + timedelta(seconds=1)
    with time_machine.travel(later, tick=False), pytest.raises(links.LinkRefused) as expired:
        links.use(token)
    assert expired.value.reason == "expired"
    assert SignInLink.objects.get().used_at is None


def test_the_link_page_signs_in_once_into_that_check_in_only(clinic, client, as_user):
    token = links.issue(clinic.client, "phq9")
    page = client.get(f"/check-in-link/{token}/")
    assert page.status_code == 200 and b"works once" in page.content
    assert SignInLink.objects.get().used_at is None  # opening the link spends nothing
    answer = client.post(f"/check-in-link/{token}/")
    assert answer.status_code == 302 and answer["Location"] == "/my/check-ins/phq9/"
    assert client.get("/my/check-ins/phq9/", follow=True).status_code == 200
    # Anywhere else ends the narrow session: the usual sign-in.
    away = client.get("/my/plan/")
    assert away.status_code == 302 and "/sign-in/" in away["Location"]
    assert "/sign-in/" in client.get("/my/check-ins/phq9/")["Location"]
    again = client.post(f"/check-in-link/{token}/")
    assert (
        again.status_code == 410
        and b"already been used" in again.content
        and b"Nothing was changed" in again.content
    )


def test_a_link_for_another_client_changes_nothing_and_says_so(clinic, as_user):
    token = links.issue(clinic.client, "phq9")
    browser = as_user(clinic.other_client_user)
    answer = browser.post(f"/check-in-link/{token}/")
    assert answer.status_code == 410 and b"someone else" in answer.content
    assert SignInLink.objects.get().used_at is None
    with time_machine.travel(timezone.now() + links.LIFETIME + timedelta(minutes=1)):
        expired = browser.get(f"/check-in-link/{token}/")
    assert expired.status_code == 410 and b"expired" in expired.content


@time_machine.travel(NOW, tick=False)
def test_the_client_makes_and_stops_their_own_feed(clinic, course, as_user):
    booking.book(request_as(clinic.clinician), clinic.client.pk, form())
    browser = as_user(clinic.client_user)
    page = browser.post("/my/calendar/", follow=True)
    text = page.content.decode()
    token = text.split("/calendar/")[1].split(".ics")[0]
    feed = browser.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    event = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")[0]
    assert str(event["summary"]) == "Appointment with Cleo"
    browser.post("/my/calendar/", {"action": "stop"})
    assert browser.get(f"/calendar/{token}.ics").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_a_served_appointment_matches_its_own_schema(clinic, course, as_user):
    # Found by the live fuzz run (bench/fuzz_live.py): local_time was declared with JSON Schema's
    # "time" format, which requires an offset a wall-clock time does not have.
    booking.book(request_as(clinic.clinician), clinic.client.pk, form())
    browser = as_user(clinic.clinician)
    declared = browser.get("/api/v1/openapi.json").json()["components"]["schemas"]["AppointmentOut"]
    local_time = declared["properties"]["local_time"]
    assert local_time["type"] == "string" and "format" not in local_time
    served = browser.get(f"/api/v1/clients/{clinic.client.pk}/appointments").json()
    assert served[0]["local_time"] == "10:00:00"
    assert re.fullmatch(local_time["pattern"], served[0]["local_time"])


def test_an_expired_link_page_changes_nothing_and_says_so(clinic, client):
    with time_machine.travel(NOW, tick=False):
        token = links.issue(clinic.client, "phq9")
    with time_machine.travel(NOW + links.LIFETIME + timedelta(seconds=1), tick=False):
        refused = client.post(f"/check-in-link/{token}/")
    assert refused.status_code == 410
    assert b"This link has expired." in refused.content and b"Nothing was changed" in refused.content
    assert SignInLink.objects.get().used_at is None
    assert "_auth_user_id" not in client.session
