"""Access-matrix rows for appointments, consents, schedules, feeds and one-time links.

Clinical staff who see the client read the appointments page; the client's clinicians book and
change (a supervisor or another clinician meets a 404 from the service); the clinician's own
schedule page is for clinicians. Portal rows are the client's own: the other client meets a 404 for
an appointment that is not theirs. The feed and the one-time link are public: the token is the
credential, and both answer the same to everyone."""

from datetime import date, time, timedelta

from django.utils import timezone

from rapport.scheduling import calendar, links, times
from rapport.scheduling.models import Appointment, Consent
from tests.access_matrix import (
    CLINICAL_READ,
    CLINICIAN_PAGE,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    REDIRECT,
    UNAUTHORISED,
    Route,
    client_url,
    expect,
)
from tests.matrix.portal import client_page

CLIENT_ROLES = {"client_user": FORBIDDEN, "other_client_user": FORBIDDEN}
BOOKERS = expect(
    NOT_FOUND,
    anonymous=LOGIN,
    clinician=REDIRECT,
    co_clinician=REDIRECT,
    administrator=FORBIDDEN,
    **CLIENT_ROLES,
)
CLINICIAN_POST_404 = expect(
    FORBIDDEN,
    anonymous=LOGIN,
    clinician=REDIRECT,
    co_clinician=REDIRECT,
    other_clinician=NOT_FOUND,
)
PUBLIC = expect(OK)


def an_appointment(clinic) -> Appointment:
    """A booking next week, made once per test and kept on the clinic."""
    if getattr(clinic, "appointment", None) is None:
        day = timezone.localdate() + timedelta(days=7)
        clinic.appointment = Appointment.objects.create(
            client=clinic.client,
            clinician=clinic.clinician,
            starts_at=times.instant(day, time(10), "Europe/London"),
            time_zone="Europe/London",
            local_date=day,
            local_time=time(10),
            minutes=50,
            place="Room 1",
        )
    return clinic.appointment


def a_consent(clinic) -> Consent:
    if getattr(clinic, "consent", None) is None:
        clinic.consent = Consent.objects.create(
            client=clinic.client,
            kind="treatment",
            wording_version="1",
            given_on=date(2026, 1, 5),
            recorded_by=clinic.clinician,
        )
    return clinic.consent


def a_link(clinic) -> str:
    if getattr(clinic, "link_token", None) is None:
        clinic.link_token = links.issue(clinic.client, "phq9")
    return clinic.link_token


def a_feed(clinic) -> str:
    if getattr(clinic, "feed_token", None) is None:
        clinic.feed_token = calendar.issue_feed(clinician=clinic.clinician)[1]
    return clinic.feed_token


def booking_data(clinic) -> dict:
    day = timezone.localdate() + timedelta(days=9)
    return {
        "form": "one",
        "day": day.isoformat(),
        "at": "11:00",
        "time_zone": "Europe/London",
        "format": "in_person",
        "place": "Room 2",
    }


def api(path):
    return lambda c: f"/api/v1/clients/{c.client.pk}/{path}"


API_READERS = expect(
    NOT_FOUND,
    anonymous=UNAUTHORISED,
    clinician=OK,
    co_clinician=OK,
    supervisor=OK,
    client_user=OK,
    administrator=FORBIDDEN,
)


def api_changers(status):
    return expect(
        NOT_FOUND, anonymous=UNAUTHORISED, clinician=status, co_clinician=status, administrator=FORBIDDEN
    )


def api_update(clinic) -> dict:
    appt = an_appointment(clinic)
    return {
        "day": appt.local_date.isoformat(),
        "at": "10:00",
        "time_zone": "Europe/London",
        "minutes": 50,
        "format": "in_person",
        "place": "Room 3",
        "status": "confirmed",
        "version": appt.version,
    }


ROUTES = [
    Route("appointments", "GET", client_url("/clients/{pk}/appointments/"), CLINICAL_READ, read_audited=True),
    Route("appointments", "POST", client_url("/clients/{pk}/appointments/"), BOOKERS, data=booking_data),
    Route(
        "appointment_edit",
        "GET",
        lambda c: f"/clients/{c.client.pk}/appointments/{an_appointment(c).pk}/",
        CLINICIAN_PAGE,
    ),
    Route(
        "appointment_accept",
        "POST",
        lambda c: f"/clients/{c.client.pk}/appointments/{an_appointment(c).pk}/accept/",
        CLINICIAN_POST_404,
        data=lambda c: {"version": an_appointment(c).version},
    ),
    Route(
        "online_settings",
        "GET",
        lambda c: "/administration/online/",
        expect(FORBIDDEN, anonymous=LOGIN, administrator=OK),
    ),
    Route(
        "consent_withdraw",
        "POST",
        lambda c: f"/clients/{c.client.pk}/consents/{a_consent(c).pk}/withdraw/",
        CLINICIAN_POST_404,
    ),
    Route(
        "my_schedule",
        "GET",
        lambda c: "/my-schedule/",
        expect(FORBIDDEN, anonymous=LOGIN, clinician=OK, co_clinician=OK, other_clinician=OK),
    ),
    Route("portal_appointments", "GET", lambda c: "/my/appointments/", client_page(OK)),
    Route(
        "portal_appointment_confirm",
        "POST",
        lambda c: f"/my/appointments/{an_appointment(c).pk}/confirm/",
        client_page(REDIRECT, NOT_FOUND),
        data=lambda c: {"version": an_appointment(c).version},
    ),
    Route(
        "portal_appointment_cancel",
        "POST",
        lambda c: f"/my/appointments/{an_appointment(c).pk}/cancel/",
        client_page(REDIRECT, NOT_FOUND),
        data=lambda c: {"version": an_appointment(c).version},
    ),
    Route(
        "portal_appointment_reschedule",
        "GET",
        lambda c: f"/my/appointments/{an_appointment(c).pk}/reschedule/",
        client_page(OK, NOT_FOUND),
    ),
    Route(
        "portal_reminders",
        "POST",
        lambda c: "/my/reminders/",
        client_page(REDIRECT),
        data=lambda c: {"by_email": "on"},
    ),
    Route("portal_calendar_feed", "POST", lambda c: "/my/calendar/", client_page(REDIRECT)),
    Route("check_in_link", "GET", lambda c: f"/check-in-link/{a_link(c)}/", PUBLIC),
    Route(
        "calendar_feed",
        "GET",
        lambda c: f"/calendar/{a_feed(c)}.ics",
        PUBLIC,
    ),
    Route(
        "API GET /api/v1/clients/{client_id}/appointments",
        "GET",
        api("appointments"),
        API_READERS,
        read_audited=True,
    ),
    Route(
        "API POST /api/v1/clients/{client_id}/appointments",
        "POST",
        api("appointments"),
        api_changers(201),
        json=True,
        data=lambda c: {k: v for k, v in booking_data(c).items() if k != "form"},
    ),
    Route(
        "API PUT /api/v1/clients/{client_id}/appointments/{appointment_id}",
        "PUT",
        lambda c: f"/api/v1/clients/{c.client.pk}/appointments/{an_appointment(c).pk}",
        api_changers(200),
        json=True,
        data=api_update,
    ),
    Route(
        "API GET /api/v1/clients/{client_id}/consents",
        "GET",
        api("consents"),
        API_READERS,
        read_audited=True,
    ),
]
