"""Client records: find one the caller may see; list, export, add, edit, mark entered in error;
emergency access; notifications.

Every change to a client record goes through here: check access, validate, write, audit. Views,
API routes, commands and tests all call these functions; nothing writes around them. The change
and its audit row share one transaction, so neither exists without the other.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.audit import trail
from rapport.audit.models import Action, AuditEvent, Outcome
from rapport.clinic import rules
from rapport.clinic.forms import BreakGlassForm, ClientForm
from rapport.clinic.models import BreakGlassGrant, Client, Course, Notification
from rapport.clinic.models.clients import may_see
from rapport.common.errors import invalid
from rapport.common.records import EnteredInError, deny, enter_in_error, save_versioned


def get_client_for(request, pk: int, perm: str = "clinic.view_client", *, audit: bool = True) -> Client:
    """The client `pk` if the caller may `perm` it (a read is audited), else 404 (audited)."""
    # The row by its key, then the visibility rule decided on it (clinic/models/clients.py).
    found = Client.objects.select_related("team", "responsible_clinician").filter(pk=pk).first()
    client = found if found is not None and may_see(request.user, found) else None
    if client is not None:
        rules.found_through_visible_to(client, request.user)
    if client is None or not request.user.has_perm(perm, client):
        # Only record a client id that exists, so the trail cannot be filled with invented ones.
        deny(request, client_id=pk if found is not None else None, detail={"permission": perm})
    if audit:
        trail.record(request, Action.READ, client=client, obj=client)
    return client


def client_for_print(request, pk: int) -> Client:
    client = get_client_for(request, pk, audit=False)
    trail.record(request, Action.PRINT, client=client, obj=client)
    return client


def audit_trail_for(request, pk: int):
    """The client and their audit trail, newest first; opening it is itself audited."""
    # Administrators reach a record's trail (not its content), so look up within the organisation.
    client = Client.objects.filter(organisation_id=request.user.organisation_id, pk=pk).first()
    if client is None or not request.user.has_perm("audit.view_client_trail", client):
        deny(request, client_id=pk if Client.objects.filter(pk=pk).exists() else None)
    trail.record(request, Action.READ, client=client, object_type="AuditTrail")
    return client, AuditEvent.objects.filter(client_id=client.pk).select_related("actor")


def client_register(request):
    """Every client of the administrator's organisation by identity only (no clinical content),
    so that a record's trail can be opened; the listing is audited with its size."""
    clients = Client.objects.filter(organisation_id=request.user.organisation_id).only(
        "pk", "full_name", "entered_in_error_at"
    )
    trail.record(request, Action.LIST, object_type="ClientRegister", detail={"count": clients.count()})
    return clients


def list_clients(request):
    """The caller's visible clients; the listing itself is audited with its size."""
    clients = list(Client.objects.visible_to(request.user).select_related("responsible_clinician", "team"))
    trail.record(request, Action.LIST, detail={"object_type": "Client", "count": len(clients)})
    return clients


def export_clients(request) -> list[Client]:
    """The caller's visible clients for an export; each exported client's trail records it."""
    clients = list(Client.objects.visible_to(request.user).select_related("responsible_clinician", "team"))
    trail.record_each(request, Action.EXPORT, clients, detail={"format": "csv"})
    if not clients:
        trail.record(request, Action.EXPORT, detail={"format": "csv", "count": 0})
    return clients


def create_client(request, data: dict) -> Client:
    actor = request.user
    if not actor.has_perm("clinic.add_client"):
        raise PermissionDenied
    form = ClientForm(data, actor=actor)
    if not form.is_valid():
        raise invalid(form)
    with transaction.atomic():
        client = form.save(commit=False)
        client.organisation_id = actor.organisation_id
        client.responsible_clinician = actor
        client.save()
        trail.record(request, Action.CREATE, client=client, obj=client)
        # A new client starts a fresh course of IPT, to which baseline measures belong.
        course = Course.objects.create(client=client)
        trail.record(request, Action.CREATE, client=client, obj=course)
    return client


def update_client(request, client: Client, data: dict, version: int) -> Client:
    """Save an edit begun at `version`; a concurrent save in between raises EditConflict."""
    if not request.user.has_perm("clinic.change_client", client):
        deny(request, client_id=client.pk)
    form = ClientForm(data, instance=Client.objects.get(pk=client.pk), actor=client.responsible_clinician)
    if not form.is_valid():
        raise invalid(form)
    changed = [name for name in form.changed_data]
    with transaction.atomic():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        save_versioned(Client, client.pk, version, **values)
        trail.record(request, Action.UPDATE, client=client, obj=client, detail={"fields": changed})
    return Client.objects.get(pk=client.pk)


def mark_entered_in_error(request, client: Client, given: EnteredInError) -> None:
    if not request.user.has_perm("clinic.change_client", client):
        deny(request, client_id=client.pk)
    enter_in_error(request, client, given, client=client)


def open_break_glass(request, data: dict) -> BreakGlassGrant | None:
    """Grant time-boxed access to a client outside the caseload; tell the team's supervisors.

    Returns None when no client of the organisation matches; the attempt is recorded either way.
    """
    actor = request.user
    if not actor.has_perm("clinic.break_glass"):
        raise PermissionDenied
    form = BreakGlassForm(data)
    if not form.is_valid():
        raise invalid(form)
    client = (
        Client.objects.filter(
            organisation_id=actor.organisation_id,
            entered_in_error_at__isnull=True,
            full_name__iexact=form.cleaned_data["full_name"].strip(),
            date_of_birth=form.cleaned_data["date_of_birth"],
        )
        .select_related("team")
        .first()
    )
    with transaction.atomic():
        if client is None:
            trail.record(request, Action.BREAK_GLASS, outcome=Outcome.FAILURE, detail={"matched": False})
            return None
        now = timezone.now()
        grant = BreakGlassGrant.objects.create(
            client=client,
            clinician=actor,
            reason=form.cleaned_data["reason"],
            created_at=now,
            expires_at=now + timedelta(minutes=settings.RAPPORT_BREAK_GLASS_MINUTES),
        )
        trail.record(request, Action.BREAK_GLASS, client=client, obj=grant)
        subject = _("Emergency access to a client record")
        body = _(
            "%(clinician)s opened the record of client #%(client)s under emergency access until "
            "%(until)s UTC. Reason given: %(reason)s"
        ) % {
            "clinician": actor.full_name,
            "client": client.pk,
            "until": grant.expires_at.strftime("%Y-%m-%d %H:%M"),
            "reason": grant.reason,
        }
        supervisors = list(client.team.supervisors.filter(is_active=True))
        Notification.objects.bulk_create(
            Notification(recipient=s, client=client, subject=subject, body=body) for s in supervisors
        )
        # The e-mail names no client and carries no reason: the details wait behind sign-in.
        addresses = [s.email for s in supervisors]
        mail_body = _(
            "A clinician used emergency access to a client record. Sign in to Rapport to review it."
        )
        transaction.on_commit(lambda: send_mail(subject, mail_body, None, addresses, fail_silently=True))
    return grant


def mark_notification_read(request, pk: int) -> None:
    """Only the recipient may mark their notification; anyone else meets a 404."""
    updated = Notification.objects.filter(pk=pk, recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if not updated and not Notification.objects.filter(pk=pk, recipient=request.user).exists():
        raise Http404("No such notification")
