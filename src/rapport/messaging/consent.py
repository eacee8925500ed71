"""Whether the client's thread is open: a consent to secure messages that stands today (given,
not withdrawn) in the consent records. Without one the thread is closed: nobody can write in it,
and what was written stays readable."""

from rapport.scheduling.consents import has_consent
from rapport.scheduling.models import ConsentKind


def consents_to_messages(client) -> bool:
    return has_consent(client, ConsentKind.MESSAGES)


def closed_because(client) -> str:
    """Why the thread is closed, for the care team: never given, or withdrawn on a date."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    from rapport.scheduling.consents import latest

    last = latest(client, ConsentKind.MESSAGES)
    if last is not None and last.withdrawn_on:
        return _("Messages are closed: the client withdrew consent to secure messages on %(day)s.") % {
            "day": date_format(last.withdrawn_on)
        }
    return _("Messages are closed: there is no consent from the client to secure messages.")
