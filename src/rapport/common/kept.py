"""Writes that must outlive the refusal of the request that made them: the alert a valid risk
answer raises when the rest of what was sent is refused ("no risk signal is dropped by an error
path"). Everywhere else a refusal keeps nothing.

`outlive_refusal` runs the write in its own transaction, committed at once when the request runs
in autocommit (every page, and the API without an Idempotency-Key). The API's idempotency
wrapper (api/idempotency.py) rolls a refused request back whole, so under it the write is queued
on the request instead and run by the wrapper once that rollback is done; the write must
therefore decide for itself whether it is still needed (it reads the database, not the request's
earlier writes)."""

from collections.abc import Callable

from django.db import transaction

PENDING = "_rapport_outlive_refusal"


def outlive_refusal(request, write: Callable[[], object]) -> None:
    pending = getattr(request, PENDING, None)
    if pending is not None:
        pending.append(write)
        return
    with transaction.atomic():
        write()


def defer_on(request) -> None:
    """Called by a wrapper that may roll the whole request back: queue such writes from now on."""
    setattr(request, PENDING, [])


def run_deferred(request) -> None:
    """Run the queued writes, each in its own transaction, after the wrapper's rollback or commit."""
    pending = getattr(request, PENDING, None) or []
    setattr(request, PENDING, None)
    for write in pending:
        with transaction.atomic():
            write()
