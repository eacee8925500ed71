"""A client's portal as their clinician sets it up: the account and invitation, check-ins, the message."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rapport.clinic import client_records, invitations, portal, rules
from rapport.clinic.models import (
    Cadence,
    CheckInSchedule,
    Invitation,
)
from rapport.common.access import signed_in
from rapport.common.errors import InvalidInput, page_errors
from rapport.core import instruments
from rapport.messaging import clinic_notices


def client_instruments():
    """Questionnaires a client can answer on their own (the portal's rule, in one place)."""
    return [
        i
        for i in instruments.all_instruments()
        if i.respondent != "clinician" and i.licence.wording != "descriptor"
    ]


def _portal_page(request, client, *, errors=None, typed=None, status: int = 200):
    invitation = Invitation.objects.filter(client=client).select_related("created_by").first()
    context = {
        "client": client,
        "account": client.user,
        "invitation": invitation,
        "invitation_usable": invitation is not None and invitation.usable(),
        "schedules": list(CheckInSchedule.objects.filter(client=client)),
        "instruments": client_instruments(),
        "titles": {i.id: i.short_title for i in instruments.all_instruments()},
        "cadences": Cadence.choices,
        "messages_sent": clinic_notices.sent_to(client),
        "errors": errors or {},
        "typed": typed or {},
    }
    return render(request, "staff/client_portal.html", context, status=status)


@signed_in(rules.is_clinician)
@require_GET
def client_portal(request, pk: int):
    client = client_records.get_client_for(request, pk, "clinic.change_client")
    return _portal_page(request, client)


@signed_in(rules.is_clinician)
@require_POST
def client_invite(request, pk: int):
    email = request.POST.get("email", "").strip()
    try:
        invitation, code = invitations.invite(request, pk, email)
    except InvalidInput as exc:
        client = client_records.get_client_for(request, pk, "clinic.change_client", audit=False)
        return _portal_page(request, client, errors={"invite": page_errors(exc)}, typed={"email": email})
    if email:
        messages.success(request, _("The invitation is on its way to %(email)s.") % {"email": email})
        return redirect("client_portal", pk=pk)
    # The code exists only in this response: it is stored as a digest and cannot be shown again.
    context = {
        "client": invitation.client,
        "invitation": invitation,
        "code": invitations.formatted(code),
        # The public address, as in the e-mails (the request's own host may be an internal one).
        "address": settings.RAPPORT_BASE_URL.rstrip("/") + reverse("invitation_code"),
    }
    return render(request, "staff/invitation_code.html", context)


@signed_in(rules.is_clinician)
@require_POST
def client_check_ins(request, pk: int):
    typed = {
        "instrument": request.POST.get("instrument", ""),
        "cadence": request.POST.get("cadence", ""),
        "active": request.POST.get("active") == "on",
    }
    try:
        schedule = portal.set_schedule(request, pk, typed["instrument"], typed["cadence"], typed["active"])
    except InvalidInput as exc:
        client = client_records.get_client_for(request, pk, "clinic.change_client", audit=False)
        return _portal_page(request, client, errors={"check_ins": page_errors(exc)}, typed=typed)
    title = instruments.get(schedule.instrument).short_title
    if schedule.active:
        text = _("%(what)s: %(when)s.") % {"what": title, "when": schedule.get_cadence_display().lower()}
    else:
        text = _("%(what)s is paused.") % {"what": title}
    messages.success(request, text)
    return redirect("client_portal", pk=pk)


@signed_in(rules.is_clinician)
@require_POST
def client_message(request, pk: int):
    body = request.POST.get("body", "")
    try:
        clinic_notices.send(request, pk, body)
    except InvalidInput as exc:
        client = client_records.get_client_for(request, pk, "clinic.change_client", audit=False)
        return _portal_page(request, client, errors={"message": page_errors(exc)}, typed={"body": body})
    messages.success(request, _("The message is on the client's home page."))
    return redirect("client_portal", pk=pk)
