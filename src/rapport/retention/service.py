"""Closing a client's account, the organisation's retention period, and the purge after it.

Closing stops every way in at once (the portal session, because Django refuses an inactive user's
session, and every API token) and keeps the record. A job on the db worker purges a closed
client's record once the organisation's retention period has run from the later of the closure
and the record's last change: every row that points at the client, directly or through another
of their rows, in one transaction per client, with one audit row per class of record that gives
only the class and the count. The client's audit rows stay (append-only); the closure row stays
as the stub, its reason cleared.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Max
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from rapport.accounts.models import ApiToken, Organisation, User
from rapport.audit import trail
from rapport.audit.models import Action, AuditEvent
from rapport.clinic.models import CheckInSchedule, Client
from rapport.common.errors import InvalidInput
from rapport.core import retention
from rapport.programme import totals
from rapport.programme.models import CourseSummary
from rapport.retention.models import AccountClosure

REASON_MAX = 1000
# Rows never purged: the audit trail is append-only, and the closure is the purge's own stub.
KEPT = (AuditEvent, AccountClosure)


def _admin(request) -> User:
    if not request.user.has_perm("accounts.manage_accounts"):
        raise PermissionDenied
    return request.user


def client_to_close(request, client_id: int) -> Client:
    """A client of the administrator's organisation, by identity only (no clinical content)."""
    admin = _admin(request)
    client = (
        Client.objects.filter(pk=client_id, organisation_id=admin.organisation_id)
        .only("pk", "full_name", "user_id", "organisation_id", "updated_at")
        .first()
    )
    if client is None:
        raise Http404("No such client")
    return client


def closure_of(client_id: int) -> AccountClosure | None:
    return AccountClosure.objects.filter(client_ref=client_id).first()


def close_account(request, client_id: int, *, reason: str, confirmed: bool) -> AccountClosure:
    """Close a client's account: sign-in and tokens stop now; the record stays until purged."""
    admin = _admin(request)
    client = client_to_close(request, client_id)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Say why the account is closed.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("Keep the reason under %(n)s characters.") % {"n": REASON_MAX}]
    if not confirmed:
        errors["confirm"] = [_("Confirm that the client can no longer sign in.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        # Locked so that two administrators closing at once make one closure, not an error page.
        if AccountClosure.objects.select_for_update().filter(client_ref=client.pk).exists():
            raise InvalidInput({"reason": [_("This account is already closed.")]})
        closure = AccountClosure.objects.create(
            organisation_id=admin.organisation_id, client_ref=client.pk, closed_by=admin, reason=reason
        )
        if client.user_id:
            User.objects.filter(pk=client.user_id).update(is_active=False)
            ApiToken.objects.filter(user_id=client.user_id).active().update(revoked_at=timezone.now())
        # Nobody can answer a check-in any more: without this the care team would be told of
        # "missed" check-ins of a closed account for as long as its schedules stayed on.
        for schedule in CheckInSchedule.objects.filter(client=client, active=True):
            CheckInSchedule.objects.filter(pk=schedule.pk).update(active=False, version=schedule.version + 1)
            trail.record(request, Action.UPDATE, client=client, obj=schedule, detail={"active": False})
        trail.record(
            request,
            Action.UPDATE,
            client=client,
            obj=client,
            detail={"account": "closed", "closure": closure.pk},
        )
        _schedule(due_of(closure))
    return closure


def set_retention(request, years) -> Organisation:
    admin = _admin(request)
    found = retention.rules()
    try:
        years = int(years)
    except (TypeError, ValueError):
        raise InvalidInput({"retention_years": [_("Enter a whole number of years.")]}) from None
    if not found.minimum_years <= years <= found.maximum_years:
        raise InvalidInput(
            {
                "retention_years": [
                    _("Enter between %(low)s and %(high)s years.")
                    % {"low": found.minimum_years, "high": found.maximum_years}
                ]
            }
        )
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=admin.organisation_id)
        before = org.retention_years
        org.retention_years = years
        org.save(update_fields=["retention_years"])
        trail.record(
            request,
            Action.UPDATE,
            obj=org,
            detail={"fields": ["retention_years"], "from": before, "to": years},
        )
        # A shorter period may bring purges forward: look again at the earliest now due.
        _schedule(timezone.now())
    return org


def _last_change(client_id: int) -> datetime | None:
    return Client.objects.filter(pk=client_id).aggregate(last=Max("updated_at"))["last"]


def due_of(closure: AccountClosure, years: int | None = None) -> datetime:
    if years is None:
        years = Organisation.objects.values_list("retention_years", flat=True).get(pk=closure.organisation_id)
    last = _last_change(closure.client_ref) or closure.closed_at
    return retention.purge_due(closure.closed_at, last, years)


def closures(request) -> list[tuple[AccountClosure, datetime]]:
    """The organisation's closed accounts, each with when its record may be purged."""
    admin = _admin(request)
    years = admin.organisation.retention_years
    found = AccountClosure.objects.filter(organisation_id=admin.organisation_id).order_by("-closed_at")
    return [(c, due_of(c, years)) for c in found]


def _owned_rows(client_id: int) -> dict[type[models.Model], set]:
    """Every row that points at the client, directly or through another of their rows.

    Reverse relations of every kind are followed (hidden ones too, such as many-to-many tables
    and related_name="+"), so a record kind added later is purged without a change here.
    """
    found: dict[type[models.Model], set] = defaultdict(set)
    found[Client].add(client_id)
    frontier: list[tuple[type[models.Model], set]] = [(Client, {client_id})]
    while frontier:
        model, pks = frontier.pop()
        for rel in model._meta.get_fields(include_hidden=True):
            if not (isinstance(rel, ForeignObjectRel) and (rel.one_to_many or rel.one_to_one)):
                continue
            related = rel.related_model
            if not isinstance(related, type) or issubclass(related, KEPT):
                continue
            rows = set(
                related._base_manager.filter(**{f"{rel.field.name}__in": pks}).values_list("pk", flat=True)
            )
            new = rows - found[related]
            if new:
                found[related] |= new
                frontier.append((related, new))
    return found


def purge(closure: AccountClosure, now: datetime | None = None) -> dict[str, int]:
    """Remove one closed client's record; returns the count per class of record removed."""
    now = now or timezone.now()
    client_id = closure.client_ref
    with transaction.atomic():
        locked = AccountClosure.objects.select_for_update().get(pk=closure.pk)
        if locked.purged_at is not None:
            return {}
        user_id = Client.objects.filter(pk=client_id).values_list("user_id", flat=True).first()
        counts: dict[str, int] = {}
        # Foreign keys are checked at commit (Django declares them deferred on both databases), so
        # the order of the deletes does not matter and anything left pointing at a purged row
        # fails the whole transaction rather than leaving half a record.
        owned = _owned_rows(client_id)
        # The programme's running totals are sums over the summaries: take the client's courses
        # out of them before their summaries go (the raw deletes below send no signal).
        totals.forget(owned.get(CourseSummary, set()))
        for model, pks in owned.items():
            if not pks:
                continue
            label = model._meta.label
            counts[label] = len(pks)
            model._base_manager.filter(pk__in=pks)._raw_delete(model._base_manager.db)
        if user_id:
            # The sign-in account held the client's address and name: keep the row (audit rows
            # name it as actor) but nothing that identifies the person.
            ApiToken.objects.filter(user_id=user_id).delete()
            User.objects.filter(pk=user_id).update(
                email=f"purged-{user_id}@invalid", full_name="", is_active=False, password=make_password(None)
            )
            counts[User._meta.label] = 1
        for label, count in sorted(counts.items()):
            trail.record(
                None,
                Action.PURGE,
                client=client_id,
                object_type=label.split(".")[-1],
                detail={"class": label, "count": count, "closure": locked.pk},
            )
        AccountClosure.objects.filter(pk=locked.pk).update(purged_at=now, reason="")
    return counts


def purge_due(now: datetime | None = None) -> int:
    """Purge every closed client whose period has run; returns how many clients were purged.

    The job then books itself for the earliest closure still waiting, so one job is queued at a
    time however many accounts are closed.
    """
    now = now or timezone.now()
    done, waiting = 0, []
    years_of = dict(Organisation.objects.values_list("pk", "retention_years"))
    for closure in AccountClosure.objects.filter(purged_at__isnull=True).order_by("closed_at"):
        due = due_of(closure, years_of[closure.organisation_id])
        if due > now:
            waiting.append(due)
        elif purge(closure, now):
            done += 1
    if waiting:
        _schedule(min(waiting))
    return done


def _schedule(when: datetime) -> None:
    purge_closed_clients.using(run_after=when).enqueue()


@task()
def purge_closed_clients() -> int:
    return purge_due()
