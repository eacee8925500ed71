"""Organisation settings an administrator keeps: for now, the opening hours."""

from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import Organisation
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.common.errors import InvalidInput
from rapport.core import hours


def set_opening_hours(request, hours_data: dict) -> Organisation:
    if not request.user.has_perm("accounts.manage_accounts"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    try:
        cleaned = hours.validate(hours_data)
    except hours.InvalidHours as exc:
        raise InvalidInput({"opening_hours": [str(exc)]}) from None
    organisation = request.user.organisation
    with transaction.atomic():
        Organisation.objects.filter(pk=organisation.pk).update(opening_hours=cleaned)
        trail.record(request, Action.UPDATE, obj=organisation, detail={"field": "opening_hours"})
    organisation.refresh_from_db()
    return organisation


def is_open(organisation: Organisation, when=None) -> bool:
    return hours.is_open(organisation.opening_hours, when or timezone.now(), organisation.time_zone)
