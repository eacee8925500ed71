"""Telling the other side of every change: an in-app notice and an e-mail with no clinical
content. The client's e-mail gives the time and the therapist's first name only; the clinician's
names no client and links to the client's appointments page. Mail is queued on commit."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from rapport.clinic.models import Client, Notification
from rapport.scheduling.wording import first_name, when


def _mail(to: str, subject: str, body: str, ics: bytes | None = None) -> None:
    def send():
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
        if ics is not None:
            message.attach("appointment.ics", ics, "text/calendar")
        message.send(fail_silently=True)

    transaction.on_commit(send)


def told_of_client_changes(client: Client, appt) -> list:
    """Who hears of a change the client makes: the appointment's clinician and the course's care
    team (responsible clinician and co-clinicians), active accounts, each once."""
    people = [appt.clinician, client.responsible_clinician, *client.co_clinicians.all()]
    seen: set[int] = set()
    found = []
    for person in people:
        if person.is_active and person.pk not in seen:
            seen.add(person.pk)
            found.append(person)
    return found


def booked(client: Client, made: list, *, by_client: bool) -> None:
    from rapport.scheduling.calendar import ics_for

    first = made[0]
    user = client.user
    more = _(" and %(n)s more weekly") % {"n": len(made) - 1} if len(made) > 1 else ""
    if user is not None and user.is_active:
        text = _("An appointment with %(name)s is booked for %(when)s%(more)s.") % {
            "name": first_name(first.clinician),
            "when": when(first, client.time_zone),
            "more": more,
        }
        Notification.objects.create(recipient=user, client=client, subject=_("Appointment booked"), body=text)
        link = settings.RAPPORT_BASE_URL.rstrip("/") + reverse("portal_appointments")
        _mail(user.email, _("Appointment booked"), f"{text}\n\n{link}\n", ics_for(made, show_names=False))


def changed(client: Client, appt, *, by_client: bool) -> None:
    user = client.user
    status = appt.get_status_display()
    if by_client:
        text = _("A client's appointment on %(when)s: %(status)s.") % {
            "when": when(appt, appt.clinician.organisation.time_zone),
            "status": status,
        }
        link = settings.RAPPORT_BASE_URL.rstrip("/") + reverse("appointments", args=[client.pk])
        for person in told_of_client_changes(client, appt):
            Notification.objects.create(
                recipient=person, client=client, subject=_("Appointment changed by the client"), body=text
            )
            _mail(person.email, _("An appointment changed"), f"{text}\n\n{link}\n")
    elif user is not None and user.is_active:
        from rapport.scheduling.calendar import ics_for

        text = _("Your appointment with %(name)s on %(when)s: %(status)s.") % {
            "name": first_name(appt.clinician),
            "when": when(appt, client.time_zone),
            "status": status,
        }
        Notification.objects.create(
            recipient=user, client=client, subject=_("Appointment changed"), body=text
        )
        link = settings.RAPPORT_BASE_URL.rstrip("/") + reverse("portal_appointments")
        _mail(
            user.email,
            _("Appointment changed"),
            f"{text}\n\n{link}\n",
            ics_for([appt], show_names=False),
        )
