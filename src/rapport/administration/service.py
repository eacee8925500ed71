"""Running the service: teams, sites, client transfers and a leaving clinician's hand-over."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rapport.accounts.models import Role, Team, User
from rapport.clinic import rules
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.forms import posted_version, show_refusal
from rapport.supervision import service
from rapport.supervision.models import ClientTransfer, Site


def _team_initial(team):
    return {
        "name": team.name,
        "supervisors": list(team.supervisors.values_list("pk", flat=True)),
        "members": list(team.members.values_list("pk", flat=True)),
    }


@signed_in(rules.is_administrator)
@require_http_methods(["GET", "POST"])
def teams(request):
    org = request.user.organisation
    form = service.TeamForm(organisation=org)
    # Two forms on one page: the site form's ids differ so that every label finds its field.
    site_form = service.SiteForm(organisation=org, auto_id="site_%s")
    if request.method == "POST":
        which = request.POST.get("form")
        if which == "site":
            site_form = bound = service.SiteForm(request.POST, organisation=org, auto_id="site_%s")
        else:
            form = bound = service.TeamForm(request.POST, organisation=org)
        try:
            if which == "site":
                made = service.save_site(request, service.site_from(bound))
            else:
                made = service.save_team(request, service.team_from(bound))
        except InvalidInput as exc:
            show_refusal(bound, exc)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": made})
            return redirect("teams")
    context = {
        "teams": Team.objects.filter(organisation=org).prefetch_related("supervisors", "members", "sites"),
        "sites": Site.objects.filter(organisation=org).prefetch_related("teams"),
        "form": form,
        "site_form": site_form,
    }
    return render(request, "administration/teams.html", context)


def _edit(request, obj, form_class, typed, save, initial, template_kind):
    org = request.user.organisation
    form = form_class(initial=initial, organisation=org)
    if request.method == "POST":
        form = form_class(request.POST, organisation=org)
        try:
            save(request, typed(form), obj.pk)
        except InvalidInput as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("teams")
    return render(request, "administration/team_form.html", {"form": form, "obj": obj, "kind": template_kind})


@signed_in(rules.is_administrator)
@require_http_methods(["GET", "POST"])
def team_edit(request, team_id: int):
    team = get_object_or_404(Team, pk=team_id, organisation=request.user.organisation)
    return _edit(
        request, team, service.TeamForm, service.team_from, service.save_team, _team_initial(team), "team"
    )


@signed_in(rules.is_administrator)
@require_http_methods(["GET", "POST"])
def site_edit(request, site_id: int):
    site = get_object_or_404(Site, pk=site_id, organisation=request.user.organisation)
    initial = {"name": site.name, "teams": list(site.teams.values_list("pk", flat=True))}
    return _edit(request, site, service.SiteForm, service.site_from, service.save_site, initial, "site")


@signed_in(rules.is_administrator)
@require_http_methods(["GET", "POST"])
def client_transfer(request, client_id: int):
    client = service.client_for_transfer(request, client_id)
    org = request.user.organisation
    form = service.TransferForm(
        initial={"to_team": client.team_id}, organisation=org, exclude=client.responsible_clinician_id
    )
    conflict, version = False, client.version
    if request.method == "POST":
        version = posted_version(request)
        form = service.TransferForm(request.POST, organisation=org, exclude=client.responsible_clinician_id)
        try:
            service.transfer(request, client_id, service.transfer_from(form), version)
        except InvalidInput as exc:
            show_refusal(form, exc)
        except EditConflict as exc:
            conflict, version = True, exc.current.version
            client = service.client_for_transfer(request, client_id)
        else:
            messages.success(
                request, _("The client was moved; both clinicians and the supervisors were told.")
            )
            return redirect("administration")
    context = {
        "client": client,
        "form": form,
        "version": version,
        "conflict": conflict,
        "history": ClientTransfer.objects.filter(client=client).select_related(
            "from_clinician", "to_clinician", "from_team", "to_team", "by"
        ),
    }
    return render(request, "administration/client_transfer.html", context)


@signed_in(rules.is_administrator)
@require_http_methods(["GET", "POST"])
def account_handover(request, user_id: int):
    leaving = get_object_or_404(User, pk=user_id, organisation=request.user.organisation, role=Role.CLINICIAN)
    org = request.user.organisation
    held = service.held_clients(leaving)
    form = service.HandoverForm(organisation=org, leaving=leaving, clients=held)
    if request.method == "POST":
        form = service.HandoverForm(request.POST, organisation=org, leaving=leaving, clients=held)
        try:
            leaving, moved = service.hand_over_and_deactivate(request, user_id, service.handover_from(form))
        except InvalidInput as exc:
            show_refusal(form, exc, service.handover_fields(form))
        except EditConflict:
            form.add_error("to_clinician", _("A client changed meanwhile; please try again."))
        else:
            messages.success(
                request,
                _("%(n)s clients were moved and %(name)s can no longer sign in.")
                % {"n": moved, "name": leaving},
            )
            return redirect("administration")
    context = {"leaving": leaving, "form": form, "holds": len(held)}
    return render(request, "administration/account_handover.html", context)
