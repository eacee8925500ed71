"""Whether the client's thread is open: a consent to secure messages that stands today (given,
not withdrawn) in the consent records. Without one the thread is closed: nobody can write in it,
and what was written stays readable."""

from rapport.scheduling.consents import has_consent
from rapport.scheduling.models import ConsentKind


def consents_to_messages(client) -> bool:
    return has_consent(client, ConsentKind.MESSAGES)
