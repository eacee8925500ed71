"""A client's record: the client page, adding and editing details, entered in error, print,
emergency access and the audit trail."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rapport.clinic import client_records, picture, progress, rules, standing
from rapport.clinic.forms import BreakGlassForm, ClientForm
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.forms import EnteredInErrorForm, posted_version, show_refusal
from rapport.common.records import EnteredInError
from rapport.core import instruments
from rapport.messaging import threads
from rapport.scheduling.booking import next_appointments


@signed_in(rules.is_clinical_staff)
@require_GET
def client_print(request, pk: int):
    client = client_records.client_for_print(request, pk)
    status = standing.status_label(standing.statuses([client.pk])[client.pk])
    context = {"client": client, "status": status, "printed_at": timezone.now()}
    return render(request, "staff/client_print.html", context)


@signed_in(rules.is_clinical_staff)
@require_GET
def client_detail(request, pk: int):
    client = client_records.get_client_for(request, pk)
    context = {
        "client": client,
        **picture.client_picture(client, request.user),
        "next_appointment": next_appointments([client.pk]).get(client.pk),
        "age": client.age_on(timezone.localdate()),
        "instruments": [i for key in progress.ORDER for i in instruments.all_instruments() if i.id == key],
        "open_alerts": list(client.alerts.filter(status="open").select_related("response")),
        "can_change": request.user.has_perm("clinic.change_client", client),
        "can_view_trail": request.user.has_perm("audit.view_client_trail", client),
        "unread_here": threads.unread_for_client(request.user, client),
        "glass": client.break_glass_grants.filter(clinician=request.user, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first(),
    }
    return render(request, "staff/client_detail.html", context)


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def client_add(request):
    if request.method == "POST":
        try:
            client = client_records.create_client(request, request.POST)
        except InvalidInput:
            form = ClientForm(request.POST, actor=request.user)
        else:
            messages.success(request, _("The client was added to your caseload."))
            return redirect("client_detail", pk=client.pk)
    else:
        form = ClientForm(actor=request.user, initial={"time_zone": request.user.organisation.time_zone})
    return render(request, "staff/client_form.html", {"form": form, "title": _("Add a client")})


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def client_edit(request, pk: int):
    client = client_records.get_client_for(request, pk, "clinic.change_client")
    conflict = None
    if request.method == "POST":
        version = posted_version(request)
        try:
            client_records.update_client(request, client, request.POST, version)
        except InvalidInput:
            form = ClientForm(request.POST, instance=client, actor=client.responsible_clinician)
        except EditConflict as exc:
            # Keep what this person typed and show what the other person saved.
            conflict = exc.current
            form = ClientForm(request.POST, instance=client, actor=client.responsible_clinician)
            form.is_valid()
            version = conflict.version
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("client_detail", pk=client.pk)
    else:
        form = ClientForm(instance=client, actor=client.responsible_clinician)
        version = client.version
    context = {
        "form": form,
        "client": client,
        "version": version,
        "conflict": conflict,
        "title": _("Edit client details"),
    }
    return render(request, "staff/client_form.html", context)


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def client_entered_in_error(request, pk: int):
    client = client_records.get_client_for(request, pk, "clinic.change_client")
    form = EnteredInErrorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client_records.mark_entered_in_error(request, client, EnteredInError(form.cleaned_data["reason"]))
        except InvalidInput as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The record was marked as entered in error and is now hidden."))
            return redirect("caseload")
    return render(request, "staff/client_entered_in_error.html", {"form": form, "client": client})


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def break_glass(request):
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST":
        try:
            grant = client_records.open_break_glass(request, request.POST)
        except InvalidInput:
            pass
        else:
            if grant is not None:
                messages.warning(
                    request, _("Emergency access is open and recorded; your supervisor has been told.")
                )
                return redirect("client_detail", pk=grant.client_id)
            form.add_error(None, _("No client in your organisation matches that name and date of birth."))
    return render(request, "staff/break_glass.html", {"form": form})


@signed_in(rules.is_supervisor_or_administrator)
@require_GET
def client_audit(request, pk: int):
    client, events = client_records.audit_trail_for(request, pk)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "staff/client_audit.html", {"client": client, "page": page})
