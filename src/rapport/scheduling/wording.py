"""How client-facing messages name the therapist and the time: first name only, never the
surname; the time in the reader's zone with the zone named."""

from django.utils.translation import gettext as _

from rapport.scheduling import times


def first_name(user) -> str:
    return (user.full_name or "").split(" ")[0] if user.full_name else _("your therapist")


def when(appt, zone: str) -> str:
    moment = times.local(appt.starts_at, zone)
    return f"{moment:%A %d %B %Y, %H:%M} ({zone})"
