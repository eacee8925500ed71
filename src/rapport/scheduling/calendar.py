"""iCalendar (RFC 5545): the per-clinician and per-client feeds at a secret, revocable address,
and the .ics attached to booking e-mails. Times are local with their TZID and a VTIMEZONE, so a
calendar shows 10:00 on both sides of a clock change. Events name no client unless the clinician
turned that on for their own feed; the UID is random and never changes, SEQUENCE counts changes."""

import hashlib
import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.scheduling.models import Appointment, AppointmentStatus, CalendarFeed, Format
from rapport.scheduling.wording import first_name

CANCELLED = (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED)
FEED_PAST = timedelta(days=60)  # how far back a feed reaches


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _event(appt: Appointment, *, show_names: bool, for_client: bool) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{appt.uid}@rapport")
    event.add("dtstamp", appt.updated_at)
    start = appt.starts_at.astimezone(ZoneInfo(appt.time_zone))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=appt.minutes))
    event.add("sequence", appt.sequence)
    if for_client:
        summary = _("Appointment with %(name)s") % {"name": first_name(appt.clinician)}
    elif show_names:
        summary = _("Session: %(name)s") % {"name": appt.client.full_name}
    else:
        summary = _("Client session")
    event.add("summary", summary)
    if appt.format == Format.VIDEO:
        event.add("location", _("Video (join from Rapport)"))
    elif appt.place:
        event.add("location", appt.place)
    event.add("status", "CANCELLED" if appt.status in CANCELLED else "CONFIRMED")
    return event


def calendar_of(appointments, *, show_names: bool, for_client: bool) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Rapport//Appointments//EN")
    cal.add("version", "2.0")
    for appt in appointments:
        cal.add_component(_event(appt, show_names=show_names, for_client=for_client))
    cal.add_missing_timezones()
    return cal.to_ical()


def ics_for(appointments, *, show_names: bool) -> bytes:
    """The attachment of a booking e-mail to the client."""
    return calendar_of(appointments, show_names=show_names, for_client=True)


# Feeds


def issue_feed(*, clinician=None, client=None, show_names: bool = False) -> tuple[CalendarFeed, str]:
    """A new feed address; any earlier one of the same owner is revoked. Only the token's digest
    is stored, so the address is shown once."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        owner = {"clinician": clinician} if clinician is not None else {"client": client}
        CalendarFeed.objects.filter(**owner, revoked_at__isnull=True).update(revoked_at=timezone.now())
        feed = CalendarFeed.objects.create(**owner, digest=digest(token), show_names=show_names)
    return feed, token


def revoke_feeds(*, clinician=None, client=None) -> int:
    owner = {"clinician": clinician} if clinician is not None else {"client": client}
    return CalendarFeed.objects.filter(**owner, revoked_at__isnull=True).update(revoked_at=timezone.now())


def current_feed(*, clinician=None, client=None) -> CalendarFeed | None:
    owner = {"clinician": clinician} if clinician is not None else {"client": client}
    return CalendarFeed.objects.filter(**owner, revoked_at__isnull=True).first()


def feed_body(token: str) -> bytes | None:
    """The feed behind a token, or None for an unknown or revoked one."""
    feed = (
        CalendarFeed.objects.filter(digest=digest(token), revoked_at__isnull=True)
        .select_related("clinician", "client")
        .first()
    )
    if feed is None:
        return None
    since = timezone.now() - FEED_PAST
    found = Appointment.objects.filter(entered_in_error_at__isnull=True, starts_at__gte=since).select_related(
        "clinician", "client"
    )
    if feed.clinician is not None:
        if not feed.clinician.is_active:
            return None
        found = found.filter(clinician=feed.clinician)
        return calendar_of(found, show_names=feed.show_names, for_client=False)
    return calendar_of(found.filter(client=feed.client), show_names=False, for_client=True)
