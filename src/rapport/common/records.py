"""Writing records safely: the versioned save, entered in error instead of deletion, and the
denial that answers exactly as a missing record does."""

from dataclasses import dataclass
from typing import NoReturn

from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.audit import trail
from rapport.audit.models import Action, Outcome
from rapport.common.checks import Problems
from rapport.common.errors import EditConflict

REASON_LIMIT = 2000


@dataclass(frozen=True)
class EnteredInError:
    """Why a record should never have existed: the reason is kept with the hidden record."""

    reason: str


def check_entered_in_error(given: EnteredInError) -> EnteredInError:
    """The reason as it will be kept (trimmed), or InvalidInput keyed "reason"."""
    problems = Problems()
    reason = problems.text("reason", given.reason, limit=REASON_LIMIT, required=True)
    if "reason" not in problems and len(reason) < 5:
        problems.add("reason", _("Give a reason of at least a few words."))
    problems.raise_any()
    return EnteredInError(reason)


# Sent (sender=the model, pk=the record's id) after save_versioned or enter_in_error changed a
# record: both write with one UPDATE, which sends no post_save, and figures kept beside the record
# (rapport.programme) must follow in the same transaction.
record_changed = Signal()


def save_versioned(model, pk: int, version: int, **values) -> None:
    """Write `values` only if the record is still at `version` (and not entered in error), else
    raise EditConflict. The check and the write are one UPDATE, so two saves begun from the same
    version can never both succeed."""
    updated = model.objects.filter(pk=pk, version=version, entered_in_error_at__isnull=True).update(
        **values, version=version + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise EditConflict(model.objects.get(pk=pk))
    record_changed.send(sender=model, pk=pk)


def deny(request, *, client_id=None, detail=None) -> NoReturn:
    """Record a denied access and answer exactly as for a record that does not exist."""
    trail.record(
        request,
        Action.DENIED,
        outcome=Outcome.DENIED,
        client=client_id,
        detail=detail,
    )
    raise Http404("No such record")


def enter_in_error(request, record, given: EnteredInError, *, client, version: int | None = None) -> bool:
    """Mark `record` (any clinical record) entered in error, with the reason given, and audit it
    in the same transaction. The record and the reason are kept; every read hides it from then on.
    The mark is a change, so a versioned record moves to its next version (a FHIR read's ETag
    follows). With `version`, only a record still at that version is marked: the check and the
    write are one UPDATE, so of two marks begun from the same version one wins.
    False when it was already marked (in another tab a moment ago) or is no longer at `version`:
    nothing is written."""
    reason = check_entered_in_error(given).reason
    model = type(record)
    versioned = any(f.name == "version" for f in model._meta.concrete_fields)
    with transaction.atomic():
        now = timezone.now()
        found = model.objects.filter(pk=record.pk, entered_in_error_at__isnull=True)
        if version is not None:
            found = found.filter(version=version)
        marked = found.update(
            entered_in_error_at=now,
            entered_in_error_reason=reason,
            entered_in_error_by=request.user,
            updated_at=now,
            **({"version": F("version") + 1} if versioned else {}),
        )
        if marked:
            trail.record(request, Action.DELETE, client=client, obj=record)
            record_changed.send(sender=type(record), pk=record.pk)
    return bool(marked)
