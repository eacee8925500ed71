"""A group session recorded offline and sent sealed: who may send it, opening it, and the bounds
on the time the device says it was recorded.

The caller's right to record the group's sessions is checked before anything is decrypted, so a
stranger learns nothing from the server's answer about an envelope. The device's time becomes the
session's `recorded_at` (the PHQ-9's answered time and the time kept on any alert it raises): it
must be given, and is kept between the start of the day the session was held and now.
"""

from dataclasses import replace
from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.common.checks import Problems
from rapport.groups.capture import SessionValues
from rapport.groups.scope import get_group
from rapport.offline import envelopes


def open_for_group(request, group_id: int, idempotency_key: str, sealed: envelopes.Sealed) -> dict:
    """The plain body of an envelope sent to this group, or a refusal (404 for a group the caller
    does not facilitate, InvalidInput for an envelope that does not open)."""
    get_group(request, group_id, change=True)
    problems = Problems()
    if not idempotency_key:
        problems.add("Idempotency-Key", _("A sealed session is sent with its Idempotency-Key."))
    problems.raise_any()
    return envelopes.open_sealed(sealed, bound=envelopes.bound_to(group_id, idempotency_key))


def bounded(values: SessionValues) -> SessionValues:
    """The session with its device time kept within bounds: not after now, not before the start of
    the day it was held. A phone's clock is often wrong by minutes or years; refusing the session
    for it would lose a whole group's records (and a risk answer with them), so the time is moved
    to the nearest bound instead. A session without a time is refused."""
    recorded_at = values.recorded_at
    if recorded_at is None:
        problems = Problems()
        problems.add("recorded_at", _("A session recorded offline carries the time it was recorded."))
        problems.raise_any()
        raise AssertionError  # raise_any raised
    now = timezone.now()
    held = timezone.make_aware(datetime.combine(values.date, time.min))
    return replace(values, recorded_at=min(max(recorded_at, held), now))
