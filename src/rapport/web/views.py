"""Staff and client pages: caseload, client record, edits, emergency access, audit trail."""

import csv
from datetime import datetime, time

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.accounts import services as account_services
from rapport.accounts.models import Role, User
from rapport.accounts.services import StaffForm
from rapport.audit import trail
from rapport.audit.models import Action, AuditEvent
from rapport.clinic import measurement, services
from rapport.clinic.caseload import rows as caseload_rows
from rapport.clinic.forms import BreakGlassForm, ClientForm, EnteredInErrorForm
from rapport.clinic.models import Client, Notification, Response, RiskAlert
from rapport.core import crisis, hours, instruments
from rapport.web import progress
from rapport.web.access import clinical_staff, public, signed_in, staff


@public
@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@signed_in(two_factor=False)
@require_POST
def keep_alive(request):
    # The idle middleware has already noted this request; nothing else to do.
    return HttpResponse(status=204)


@signed_in()
@require_GET
def home(request):
    role = request.user.role
    if role == Role.CLIENT:
        return redirect("my_home")
    if role == Role.ADMINISTRATOR:
        return redirect("administration")
    return redirect("caseload")


@signed_in(*clinical_staff)
@require_GET
def caseload(request):
    sort = request.GET.get("sort", "name")
    rows = caseload_rows(request, sort)
    notifications = Notification.objects.filter(recipient=request.user, read_at__isnull=True)[:20]
    return render(
        request,
        "web/caseload.html",
        {"rows": rows, "clients": [r.client for r in rows], "notifications": notifications, "sort": sort},
    )


def _csv_cell(value) -> str:
    # A leading =, +, - or @ would make a spreadsheet run the cell as a formula.
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@signed_in(*clinical_staff)
@require_GET
def caseload_export(request):
    clients = services.export_clients(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rapport-clients.csv"'
    writer = csv.writer(response)
    writer.writerow(["reference", "full_name", "preferred_name", "responsible_clinician", "team", "status"])
    for c in clients:
        row = [c.pk, c.full_name, c.preferred_name, c.responsible_clinician, c.team, c.get_status_display()]
        writer.writerow([_csv_cell(v) for v in row])
    return response


@signed_in(*clinical_staff)
@require_GET
def client_print(request, pk: int):
    client = services.get_client_for(request, pk, audit=False)
    trail.record(request, Action.PRINT, client=client, obj=client)
    return render(request, "web/client_print.html", {"client": client, "printed_at": timezone.now()})


@signed_in(*clinical_staff)
@require_GET
def client_detail(request, pk: int):
    client = services.get_client_for(request, pk)
    context = {
        "client": client,
        "measures": progress.for_client(client),
        "instruments": instruments.all_instruments(),
        "open_alerts": list(client.alerts.filter(status="open")),
        "can_change": request.user.has_perm("clinic.change_client", client),
        "can_view_trail": request.user.has_perm("audit.view_client_trail", client),
        "glass": client.break_glass_grants.filter(clinician=request.user, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first(),
    }
    return render(request, "web/client_detail.html", context)


@signed_in(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def questionnaire(request, pk: int, instrument: str):
    """One page per questionnaire; every item may be left unanswered."""
    try:
        definition = instruments.get(instrument)
    except instruments.UnknownInstrument:
        raise Http404("No such questionnaire") from None
    client = services.get_client_for(request, pk, "clinic.record_response", audit=request.method == "GET")
    errors, given, session = [], {}, request.POST.get("session_number", "").strip()
    if request.method == "POST":
        given = {item.id: request.POST[item.id] for item in definition.items if request.POST.get(item.id)}
        try:
            number = int(session) if session else None
        except ValueError:
            number = -1
        answered_at, taken = None, request.POST.get("answered_on", "").strip()
        if taken:
            try:
                day = parse_date(taken)
            except ValueError:
                day = None
            if day is None:
                errors = [_("Enter the date it was filled in as a real date, or leave it empty for today.")]
            elif day == timezone.localdate():
                answered_at = timezone.now()
            else:
                # A paper form entered later: noon local time on the day it was filled in.
                answered_at = timezone.make_aware(datetime.combine(day, time(12)))
        if not errors:
            try:
                response = measurement.record_response(
                    request, client.pk, definition.id, given, number, answered_at
                )
            except services.InvalidInput as exc:
                errors = [message for messages in exc.errors.values() for message in messages]
            else:
                return redirect("response_detail", pk=client.pk, rid=response.pk)
    context = {
        "client": client,
        "definition": definition,
        "given": given,
        "errors": errors,
        "session": session,
    }
    return render(request, "web/questionnaire.html", context)


@signed_in(*clinical_staff)
@require_GET
def response_detail(request, pk: int, rid: int):
    client = services.get_client_for(request, pk, "clinic.view_responses", audit=False)
    response = Response.objects.filter(client=client, pk=rid, entered_in_error_at__isnull=True).first()
    if response is None:
        services.deny(request, client_id=client.pk, detail={"object_type": "Response"})
    trail.record(request, Action.READ, client=client, obj=response)
    definition = instruments.get(response.instrument)
    bands = {b.id: b for b in definition.bands}
    answered = []
    for item in definition.items:
        code = response.answers.get(item.id)
        option = item.options_by_code.get(code) if code else None
        answered.append((item, option, item.id in response.risk_flags))
    context = {
        "client": client,
        "response": response,
        "definition": definition,
        "band": bands.get(response.band),
        "answered": answered,
        "alert": RiskAlert.objects.filter(response=response).first(),
    }
    return render(request, "web/response_detail.html", context)


@signed_in(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def client_add(request):
    if request.method == "POST":
        try:
            client = services.create_client(request, request.POST)
        except services.InvalidInput:
            form = ClientForm(request.POST, actor=request.user)
        else:
            messages.success(request, _("The client was added to your caseload."))
            return redirect("client_detail", pk=client.pk)
    else:
        form = ClientForm(actor=request.user, initial={"time_zone": request.user.organisation.time_zone})
    return render(request, "web/client_form.html", {"form": form, "title": _("Add a client")})


@signed_in(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def client_edit(request, pk: int):
    client = services.get_client_for(request, pk, "clinic.change_client")
    conflict = None
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            services.update_client(request, client, request.POST, version)
        except services.InvalidInput:
            form = ClientForm(request.POST, instance=client, actor=client.responsible_clinician)
        except services.EditConflict as exc:
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
    return render(request, "web/client_form.html", context)


@signed_in(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def client_entered_in_error(request, pk: int):
    client = services.get_client_for(request, pk, "clinic.change_client")
    form = EnteredInErrorForm(request.POST or None)
    if request.method == "POST":
        try:
            services.mark_entered_in_error(request, client, request.POST)
        except services.InvalidInput:
            pass
        else:
            messages.success(request, _("The record was marked as entered in error and is now hidden."))
            return redirect("caseload")
    return render(request, "web/client_entered_in_error.html", {"form": form, "client": client})


@signed_in(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def break_glass(request):
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST":
        try:
            grant = services.open_break_glass(request, request.POST)
        except services.InvalidInput:
            pass
        else:
            if grant is not None:
                messages.warning(
                    request, _("Emergency access is open and recorded; your supervisor has been told.")
                )
                return redirect("client_detail", pk=grant.client_id)
            form.add_error(None, _("No client in your organisation matches that name and date of birth."))
    return render(request, "web/break_glass.html", {"form": form})


@signed_in(Role.SUPERVISOR, Role.ADMINISTRATOR)
@require_GET
def client_audit(request, pk: int):
    # Administrators reach a record's trail (not its content), so look up within the organisation.
    client = Client.objects.filter(organisation_id=request.user.organisation_id, pk=pk).first()
    if client is None or not request.user.has_perm("audit.view_client_trail", client):
        services.deny(request, client_id=pk if Client.objects.filter(pk=pk).exists() else None)
    trail.record(request, Action.READ, client=client, detail={"object_type": "AuditTrail"})
    events = AuditEvent.objects.filter(client_id=client.pk).select_related("actor")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "web/client_audit.html", {"client": client, "page": page})


@signed_in(*staff)
@require_POST
def notification_read(request, pk: int):
    services.mark_notification_read(request, pk)
    if request.htmx:
        return HttpResponse("")
    return redirect("home")


@signed_in(Role.ADMINISTRATOR)
@require_GET
def administration(request):
    org = request.user.organisation
    users = User.objects.filter(organisation=org).order_by("role", "full_name")
    # Identity only (no clinical content) so that an administrator can open a record's trail.
    clients = Client.objects.filter(organisation=org).only("pk", "full_name", "entered_in_error_at")
    trail.record(request, Action.LIST, detail={"object_type": "ClientRegister", "count": clients.count()})
    counts = dict(users.values_list("role").annotate(n=Count("pk")).values_list("role", "n"))
    context = {
        "org": org,
        "users": users,
        "clients": clients,
        "counts": counts,
        # Escalated risk alerts reach administrators last; their page is where they see them.
        "notifications": Notification.objects.filter(recipient=request.user, read_at__isnull=True)[:20],
        "today": timezone.localdate(),
        "crisis_due": crisis.due_for_review(timezone.localdate()),
        "opening_hours": hours.describe(org.opening_hours),
    }
    return render(request, "web/administration.html", context)


@signed_in(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def account_add(request):
    form = StaffForm(request.POST or None, organisation=request.user.organisation)
    if request.method == "POST":
        try:
            user = account_services.add_staff(request, request.POST)
        except services.InvalidInput:
            pass
        else:
            messages.success(
                request,
                _("%(name)s can now sign in: an e-mail to choose a password is on its way.") % {"name": user},
            )
            return redirect("administration")
    return render(request, "web/account_form.html", {"form": form})


@signed_in(Role.ADMINISTRATOR)
@require_POST
def account_deactivate(request, user_id: int):
    try:
        user = account_services.deactivate(request, user_id)
    except services.InvalidInput as exc:
        messages.error(request, exc.errors["account"][0])
    else:
        messages.success(request, _("%(name)s can no longer sign in.") % {"name": user})
    return redirect("administration")
