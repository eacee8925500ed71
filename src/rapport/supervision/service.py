"""Running the service (administrators): teams and sites, who supervises and who belongs to
which team, moving a client to another responsible clinician, and handing over a caseload
before a clinician's account is deactivated.

A client always has exactly one responsible clinician who can sign in: a transfer goes only to
an active clinician of the organisation and a member of the receiving team, locks both the
client and that clinician's row while it writes, and a clinician holding clients is deactivated
only in the same transaction that moves every one of them (HAZ-140)."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from rapport.accounts.models import Role, Team, User
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic.models import Client, Notification
from rapport.common.errors import InvalidInput, invalid
from rapport.common.records import save_versioned
from rapport.supervision.models import ClientTransfer, Site


def _admin(request):
    if not request.user.has_perm("accounts.manage_accounts"):
        raise PermissionDenied
    return request.user


def _staff(org, role):
    return User.objects.filter(organisation=org, role=role, is_active=True).order_by("full_name")


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    supervisors = forms.ModelMultipleChoiceField(
        label=_("Supervised by"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisors"].queryset = _staff(organisation, Role.SUPERVISOR)
        self.fields["members"].queryset = _staff(organisation, Role.CLINICIAN)


class SiteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams working here"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = Team.objects.filter(organisation=organisation)


def _name_taken(field: str) -> InvalidInput:
    return InvalidInput({field: [str(_("Another one in your organisation already has this name."))]})


def save_team(request, data, team_id: int | None = None) -> Team:
    """Create a team, or rename one and set its supervisors and members."""
    admin = _admin(request)
    team = None
    if team_id is not None:
        team = Team.objects.filter(pk=team_id, organisation=admin.organisation).first()
        if team is None:
            raise Http404("No such team")
    form = TeamForm(data, organisation=admin.organisation)
    if not form.is_valid():
        raise invalid(form)
    held = (
        Client.objects.filter(team=team, entered_in_error_at__isnull=True) if team else Client.objects.none()
    )
    dropped = (
        set(team.members.values_list("pk", flat=True)) - {m.pk for m in form.cleaned_data["members"]}
        if team
        else set()
    )
    stranded = held.filter(responsible_clinician_id__in=dropped)
    if stranded.exists():
        # A member who leaves keeps their clients here otherwise: move the clients first.
        message = _("A clinician who still holds clients of this team stays a member until they are moved.")
        raise InvalidInput({"members": [str(message)]})
    try:
        with transaction.atomic():
            if team is None:
                team = Team.objects.create(organisation=admin.organisation, name=form.cleaned_data["name"])
                action = Action.CREATE
            else:
                Team.objects.filter(pk=team.pk).update(name=form.cleaned_data["name"])
                action = Action.UPDATE
            team.supervisors.set(form.cleaned_data["supervisors"])
            team.members.set(form.cleaned_data["members"])
            trail.record(request, action, obj=team, detail={"fields": ["name", "supervisors", "members"]})
    except IntegrityError:
        raise _name_taken("name") from None
    team.refresh_from_db()
    return team


def save_site(request, data, site_id: int | None = None) -> Site:
    admin = _admin(request)
    site = None
    if site_id is not None:
        site = Site.objects.filter(pk=site_id, organisation=admin.organisation).first()
        if site is None:
            raise Http404("No such site")
    form = SiteForm(data, organisation=admin.organisation)
    if not form.is_valid():
        raise invalid(form)
    try:
        with transaction.atomic():
            if site is None:
                site = Site.objects.create(organisation=admin.organisation, name=form.cleaned_data["name"])
                action = Action.CREATE
            else:
                Site.objects.filter(pk=site.pk).update(name=form.cleaned_data["name"])
                action = Action.UPDATE
            site.teams.set(form.cleaned_data["teams"])
            trail.record(request, action, obj=site, detail={"fields": ["name", "teams"]})
    except IntegrityError:
        raise _name_taken("name") from None
    site.refresh_from_db()
    return site


class TransferForm(forms.Form):
    to_clinician = forms.ModelChoiceField(label=_("New responsible clinician"), queryset=User.objects.none())
    to_team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, organisation, exclude=None, **kwargs):
        super().__init__(*args, **kwargs)
        clinicians = _staff(organisation, Role.CLINICIAN)
        if exclude is not None:
            clinicians = clinicians.exclude(pk=exclude)
        self.fields["to_clinician"].queryset = clinicians
        self.fields["to_team"].queryset = Team.objects.filter(organisation=organisation)


def _move(request, client: Client, to: User, team: Team, reason: str, version: int | None) -> ClientTransfer:
    """Inside a transaction: re-check the receiving clinician under a row lock (a deactivation
    racing this transfer waits, then sees the client), write, record, audit, tell."""
    to_locked = (
        User.objects.select_for_update()
        .filter(pk=to.pk, organisation_id=client.organisation_id, role=Role.CLINICIAN, is_active=True)
        .first()
    )
    if to_locked is None:
        raise InvalidInput({"to_clinician": [str(_("Choose an active clinician of your organisation."))]})
    if not team.members.filter(pk=to.pk).exists():
        raise InvalidInput({"to_team": [str(_("The new clinician is not a member of this team."))]})
    if to.pk == client.responsible_clinician_id and team.pk == client.team_id:
        raise InvalidInput(
            {"to_clinician": [str(_("This clinician is already responsible for the client."))]}
        )
    old_clinician, old_team = client.responsible_clinician, client.team
    if version is None:
        version = Client.objects.select_for_update().get(pk=client.pk).version
    save_versioned(Client, client.pk, version, responsible_clinician=to, team=team)
    # The new responsible clinician is no longer also a co-clinician.
    client.co_clinicians.remove(to)
    moved = ClientTransfer.objects.create(
        client=client,
        from_clinician=old_clinician,
        to_clinician=to,
        from_team=old_team,
        to_team=team,
        reason=reason,
        by=request.user,
    )
    trail.record(
        request,
        Action.UPDATE,
        client=client,
        obj=client,
        detail={"fields": ["responsible_clinician", "team"], "transfer": moved.pk},
    )
    subject = str(_("A client moved to another responsible clinician"))
    body = str(
        _("Responsibility moved from %(old)s (%(old_team)s) to %(new)s (%(new_team)s). Reason: %(reason)s")
        % {"old": old_clinician, "old_team": old_team, "new": to, "new_team": team, "reason": reason}
    )
    told = {old_clinician.pk, to.pk}
    told |= set(old_team.supervisors.values_list("pk", flat=True))
    told |= set(team.supervisors.values_list("pk", flat=True))
    Notification.objects.bulk_create(
        Notification(recipient_id=pk, client=client, subject=subject, body=body) for pk in sorted(told)
    )
    return moved


def client_for_transfer(request, client_id: int) -> Client:
    admin = _admin(request)
    client = (
        Client.objects.filter(pk=client_id, organisation=admin.organisation, entered_in_error_at__isnull=True)
        .select_related("responsible_clinician", "team")
        .first()
    )
    if client is None:
        raise Http404("No such client")
    return client


def transfer(request, client_id: int, data, version: int) -> ClientTransfer:
    admin = _admin(request)
    client = client_for_transfer(request, client_id)
    form = TransferForm(data, organisation=admin.organisation)
    if not form.is_valid():
        raise invalid(form)
    with transaction.atomic():
        return _move(
            request,
            client,
            form.cleaned_data["to_clinician"],
            form.cleaned_data["to_team"],
            form.cleaned_data["reason"],
            version,
        )


class HandoverForm(forms.Form):
    to_clinician = forms.ModelChoiceField(label=_("Move every client to"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, organisation, leaving, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_clinician"].queryset = _staff(organisation, Role.CLINICIAN).exclude(pk=leaving.pk)


def holds_clients(user: User) -> int:
    return Client.objects.filter(responsible_clinician=user, entered_in_error_at__isnull=True).count()


def hand_over_and_deactivate(request, user_id: int, data) -> tuple[User, int]:
    """Move every client the clinician holds to one clinician (each client into a team the
    receiver belongs to: the client's own team when they are a member of it), then deactivate,
    all in one transaction; nothing changes when any move is refused."""
    from rapport.accounts import services as accounts

    admin = _admin(request)
    leaving = User.objects.filter(pk=user_id, organisation=admin.organisation, role=Role.CLINICIAN).first()
    if leaving is None:
        raise Http404("No such account")
    form = HandoverForm(data, organisation=admin.organisation, leaving=leaving)
    if not form.is_valid():
        raise invalid(form)
    to = form.cleaned_data["to_clinician"]
    receiving = list(to.teams.all())
    if not receiving:
        raise InvalidInput({"to_clinician": [str(_("This clinician belongs to no team."))]})
    moved = 0
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=leaving.pk).first()
        held = (
            Client.objects.select_for_update()
            .filter(responsible_clinician=leaving, entered_in_error_at__isnull=True)
            .select_related("responsible_clinician", "team")
        )
        for client in held:
            team = client.team if client.team in receiving else receiving[0]
            _move(request, client, to, team, form.cleaned_data["reason"], client.version)
            moved += 1
        # Co-clinician links go with the account: the responsible clinician carries on.
        leaving.co_clinician_for.clear()
        accounts.deactivate(request, leaving.pk)
        if holds_clients(leaving):  # a client added meanwhile: refuse rather than strand them
            raise InvalidInput({"to_clinician": [str(_("New clients arrived meanwhile; please try again."))]})
    return leaving, moved
