"""Video sessions: a link to the organisation's own video service (self-hosted Jitsi Meet by
default) with an unguessable room name that names no one. Nothing of the service is embedded: the
join button opens the link in a new tab, so the page's CSP stays strict.

For a Jitsi Meet that requires JWT authentication (`RAPPORT_JITSI_APP_ID` and
`RAPPORT_JITSI_APP_SECRET` set), each join link carries a signed room token made for the person
who opens it: valid for that room only, from when the join button opens until a while after the
session ends, moderator for the clinician; it names no one (no name, no e-mail, no id). When the
organisation keeps the lobby on, the link asks Jitsi's pre-join screen and lobby knock, and the
clinician's token lets them bypass the lobby (docs/operations.md says what the server needs)."""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

import jwt
from django.conf import settings
from django.utils import timezone

from rapport.scheduling.models import HOLDING, Appointment, Format, OrganisationScheduling, VideoKind

JOIN_OPENS = timedelta(minutes=10)
# [U] A session that runs over can still be joined (again, after a dropped call) for this long.
TOKEN_GRACE = timedelta(minutes=30)
# Jitsi Meet reads its client settings from the link's fragment, which never reaches a server.
LOBBY_FRAGMENT = "#config.prejoinConfig.enabled=true&config.lobby.autoKnock=true"


def _settings(organisation) -> OrganisationScheduling | None:
    return OrganisationScheduling.objects.filter(organisation=organisation).first()


def base_url(organisation) -> str:
    found = _settings(organisation)
    return found.video_base_url if found and found.video_base_url else settings.RAPPORT_VIDEO_BASE_URL


def tokens_on() -> bool:
    return bool(settings.RAPPORT_JITSI_APP_ID and settings.RAPPORT_JITSI_APP_SECRET)


def room_token(appt: Appointment, *, moderator: bool, lobby: bool, now: datetime | None = None) -> str:
    """A Jitsi room token (HS256) for this appointment's room. The claims follow Jitsi's token
    authentication (iss, aud, sub, room, exp); `context` says only the person's part, never who
    they are: moderator and owner for the clinician, member for the client."""
    now = now or timezone.now()
    base = base_url(appt.client.organisation)
    claims = {
        "iss": settings.RAPPORT_JITSI_APP_ID,
        "aud": settings.RAPPORT_JITSI_AUDIENCE,
        "sub": urlsplit(base).hostname or "*",
        "room": appt.room,
        "iat": int(now.timestamp()),
        "nbf": int((appt.starts_at - JOIN_OPENS).timestamp()),
        "exp": int((appt.ends_at + TOKEN_GRACE).timestamp()),
        "moderator": moderator,
        "context": {
            "user": {"moderator": moderator, "affiliation": "owner" if moderator else "member"},
            "features": {"lobby_bypass": moderator and lobby},
        },
    }
    return jwt.encode(claims, settings.RAPPORT_JITSI_APP_SECRET, algorithm="HS256")


def join_url(appt: Appointment, *, moderator: bool = False, now: datetime | None = None) -> str:
    """The room's address for one person: the clinician (moderator) or the client."""
    organisation = appt.client.organisation
    found = _settings(organisation)
    jitsi = found is None or found.video_kind == VideoKind.JITSI
    lobby = jitsi and (found is None or found.video_lobby)
    url = base_url(organisation).rstrip("/") + "/" + appt.room
    if jitsi and tokens_on():
        url += "?jwt=" + room_token(appt, moderator=moderator, lobby=lobby, now=now)
    if lobby:
        url += LOBBY_FRAGMENT
    return url


def can_join(appt: Appointment, now=None) -> bool:
    """The join button shows from ten minutes before the start until the end, for both sides."""
    now = now or timezone.now()
    return (
        appt.format == Format.VIDEO
        and bool(appt.room)
        and appt.status in HOLDING
        and appt.starts_at - JOIN_OPENS <= now <= appt.ends_at
    )
