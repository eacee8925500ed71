"""Writing records safely: the versioned save, entered in error instead of deletion, and the
denial that answers exactly as a missing record does."""

from typing import NoReturn

from django.db import transaction
from django.dispatch import Signal
from django.http import Http404
from django.utils import timezone

from rapport.audit import trail
from rapport.audit.models import Action, Outcome
from rapport.common.errors import EditConflict, invalid
from rapport.common.forms import EnteredInErrorForm

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


def enter_in_error(request, record, data, *, client) -> bool:
    """Mark `record` (any clinical record) entered in error, with the reason posted in `data`, and
    audit it in the same transaction. The record and the reason are kept; every read hides it from
    then on. False when it was already marked (in another tab a moment ago): nothing is written."""
    form = EnteredInErrorForm(data)
    if not form.is_valid():
        raise invalid(form)
    with transaction.atomic():
        now = timezone.now()
        marked = (
            type(record)
            .objects.filter(pk=record.pk, entered_in_error_at__isnull=True)
            .update(
                entered_in_error_at=now,
                entered_in_error_reason=form.cleaned_data["reason"],
                entered_in_error_by=request.user,
                updated_at=now,
            )
        )
        if marked:
            trail.record(request, Action.DELETE, client=client, obj=record)
            record_changed.send(sender=type(record), pk=record.pk)
    return bool(marked)
