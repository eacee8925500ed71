"""Video sessions: a link to the organisation's own video service (self-hosted Jitsi Meet by
default) with an unguessable room name that names no one. Nothing of the service is embedded: the
join button opens the link in a new tab, so the page's CSP stays strict."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from rapport.scheduling.models import HOLDING, Appointment, Format, OrganisationScheduling

JOIN_OPENS = timedelta(minutes=10)


def base_url(organisation) -> str:
    found = OrganisationScheduling.objects.filter(organisation=organisation).first()
    return found.video_base_url if found and found.video_base_url else settings.RAPPORT_VIDEO_BASE_URL


def join_url(appt: Appointment) -> str:
    return base_url(appt.client.organisation).rstrip("/") + "/" + appt.room


def can_join(appt: Appointment, now=None) -> bool:
    """The join button shows from ten minutes before the start until the end, for both sides."""
    now = now or timezone.now()
    return (
        appt.format == Format.VIDEO
        and bool(appt.room)
        and appt.status in HOLDING
        and appt.starts_at - JOIN_OPENS <= now <= appt.ends_at
    )
