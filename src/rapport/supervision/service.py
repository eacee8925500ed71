"""Running the service (administrators): teams and sites, who supervises and who belongs to
which team, moving a client to another responsible clinician, and handing over a caseload
before a clinician's account is deactivated.

A client always has exactly one responsible clinician who can sign in: a transfer goes only to
an active clinician of the organisation and a member of the receiving team, locks both the
client and that clinician's row while it writes, and a clinician holding clients is deactivated
only in the same transaction that moves every one of them (HAZ-140).

The services take typed values (TeamDetails, SiteDetails, Transfer, Handover; people and teams by
id) and check them here (check_team, check_site, check_transfer, check_handover); the forms only
read what a page posts and give the choices to pick from."""

from dataclasses import dataclass, field, replace
from typing import cast

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from rapport.accounts.models import Role, Team, User
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic.models import Client, Notification
from rapport.common.checks import Problems
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
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
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
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
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


NOT_CHOICES = forms.ModelMultipleChoiceField.default_error_messages["invalid_choice"]
NOT_A_CHOICE = forms.ModelChoiceField.default_error_messages["invalid_choice"]


def _ids_among(problems: Problems, key: str, given: list[int], allowed) -> list:
    """The records `given` names, refused (by the first id that is not there) unless every one
    is among `allowed`, as a multiple choice field refuses it."""
    found = {r.pk: r for r in allowed.filter(pk__in=given)}
    for pk in given:
        if pk not in found:
            problems.add(key, NOT_CHOICES % {"value": pk})
            return []
    return [found[pk] for pk in dict.fromkeys(given)]


@dataclass(frozen=True)
class TeamDetails:
    """A team as an administrator gives it: its name, and its supervisors and members by id."""

    name: str
    supervisors: list[int] = field(default_factory=list)
    members: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class CheckedTeam:
    details: TeamDetails
    supervisors: list[User]
    members: list[User]


def team_from(form: TeamForm) -> TeamDetails:
    """The typed team a page's form read, or InvalidInput with the form's own messages."""
    if not form.is_valid():
        raise invalid(form)
    data = form.cleaned_data
    return TeamDetails(
        name=data["name"],
        supervisors=[u.pk for u in data["supervisors"]],
        members=[u.pk for u in data["members"]],
    )


def check_team(given: TeamDetails, organisation, team: Team | None) -> CheckedTeam:
    """The team as it will be stored, or InvalidInput keyed by its fields: supervisors and members
    only from the organisation's active supervisors and clinicians, and no member dropped who
    still holds clients of the team (HAZ-140)."""
    problems = Problems()
    name = problems.text("name", given.name, limit=200, required=True)
    supervisors = _ids_among(
        problems, "supervisors", given.supervisors, _staff(organisation, Role.SUPERVISOR)
    )
    members = _ids_among(problems, "members", given.members, _staff(organisation, Role.CLINICIAN))
    if team is not None and "members" not in problems:
        dropped = set(team.members.values_list("pk", flat=True)) - {m.pk for m in members}
        stranded = Client.objects.filter(
            team=team, responsible_clinician_id__in=dropped, entered_in_error_at__isnull=True
        )
        if stranded.exists():
            # A member who leaves keeps their clients here otherwise: move the clients first.
            problems.add(
                "members",
                _("A clinician who still holds clients of this team stays a member until they are moved."),
            )
    problems.raise_any()
    checked = replace(
        given, name=name, supervisors=[u.pk for u in supervisors], members=[u.pk for u in members]
    )
    return CheckedTeam(checked, supervisors, members)


def save_team(request, given: TeamDetails, team_id: int | None = None) -> Team:
    """Create a team, or rename one and set its supervisors and members."""
    admin = _admin(request)
    team = None
    if team_id is not None:
        team = Team.objects.filter(pk=team_id, organisation=admin.organisation).first()
        if team is None:
            raise Http404("No such team")
    checked = check_team(given, admin.organisation, team)
    name = checked.details.name
    try:
        with transaction.atomic():
            if team is None:
                team = Team.objects.create(organisation=admin.organisation, name=name)
                action = Action.CREATE
            else:
                Team.objects.filter(pk=team.pk).update(name=name)
                action = Action.UPDATE
            team.supervisors.set(checked.supervisors)
            team.members.set(checked.members)
            trail.record(request, action, obj=team, detail={"fields": ["name", "supervisors", "members"]})
    except IntegrityError:
        raise _name_taken("name") from None
    team.refresh_from_db()
    return team


@dataclass(frozen=True)
class SiteDetails:
    """A site as an administrator gives it: its name and the teams working there, by id."""

    name: str
    teams: list[int] = field(default_factory=list)


def site_from(form: SiteForm) -> SiteDetails:
    if not form.is_valid():
        raise invalid(form)
    return SiteDetails(name=form.cleaned_data["name"], teams=[t.pk for t in form.cleaned_data["teams"]])


def check_site(given: SiteDetails, organisation) -> tuple[SiteDetails, list[Team]]:
    problems = Problems()
    name = problems.text("name", given.name, limit=200, required=True)
    teams = _ids_among(problems, "teams", given.teams, Team.objects.filter(organisation=organisation))
    problems.raise_any()
    return replace(given, name=name, teams=[t.pk for t in teams]), teams


def save_site(request, given: SiteDetails, site_id: int | None = None) -> Site:
    admin = _admin(request)
    site = None
    if site_id is not None:
        site = Site.objects.filter(pk=site_id, organisation=admin.organisation).first()
        if site is None:
            raise Http404("No such site")
    checked, teams = check_site(given, admin.organisation)
    try:
        with transaction.atomic():
            if site is None:
                site = Site.objects.create(organisation=admin.organisation, name=checked.name)
                action = Action.CREATE
            else:
                Site.objects.filter(pk=site.pk).update(name=checked.name)
                action = Action.UPDATE
            site.teams.set(teams)
            trail.record(request, action, obj=site, detail={"fields": ["name", "teams"]})
    except IntegrityError:
        raise _name_taken("name") from None
    site.refresh_from_db()
    return site


class TransferForm(forms.Form):
    to_clinician = forms.ModelChoiceField(
        label=_("New responsible clinician"), queryset=User.objects.none(), required=False
    )
    to_team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )

    def __init__(self, *args, organisation, exclude=None, **kwargs):
        super().__init__(*args, **kwargs)
        clinicians = _staff(organisation, Role.CLINICIAN)
        if exclude is not None:
            clinicians = clinicians.exclude(pk=exclude)
        self.fields["to_clinician"].queryset = clinicians
        self.fields["to_team"].queryset = Team.objects.filter(organisation=organisation)


@dataclass(frozen=True)
class Transfer:
    """A client's move as an administrator gives it: the new responsible clinician and their team
    (by id), and the reason, which everyone told reads."""

    to_clinician: int | None  # None: not chosen, which the check refuses with the rest
    to_team: int | None
    reason: str


@dataclass(frozen=True)
class Move:
    """A checked transfer: who takes the client, into which team, and why."""

    to: User
    team: Team
    reason: str


def transfer_from(form: TransferForm) -> Transfer:
    if not form.is_valid():
        raise invalid(form)
    data = form.cleaned_data
    chosen, team = data["to_clinician"], data["to_team"]
    return Transfer(
        to_clinician=chosen.pk if chosen else None, to_team=team.pk if team else None, reason=data["reason"]
    )


def _receiver(organisation_id: int, pk: int) -> User | None:
    return User.objects.filter(
        pk=pk, organisation_id=organisation_id, role=Role.CLINICIAN, is_active=True
    ).first()


CHOOSE_ACTIVE = _("Choose an active clinician of your organisation.")


def check_transfer(given: Transfer, client: Client) -> Move:
    """The move as it will be made, or InvalidInput keyed by the transfer's fields: only to an
    active clinician of the organisation who belongs to the receiving team, and never to the
    clinician and team the client already has."""
    problems = Problems()
    reason = problems.text("reason", given.reason, limit=2000, required=True)
    required = forms.Field.default_error_messages["required"]
    to = team = None
    if given.to_clinician is None:
        problems.add("to_clinician", required)
    elif (to := _receiver(client.organisation_id, given.to_clinician)) is None:
        problems.add("to_clinician", CHOOSE_ACTIVE)
    if given.to_team is None:
        problems.add("to_team", required)
    elif (
        team := Team.objects.filter(pk=given.to_team, organisation_id=client.organisation_id).first()
    ) is None:
        problems.add("to_team", NOT_A_CHOICE)
    if to is not None and team is not None:
        if not team.members.filter(pk=to.pk).exists():
            problems.add("to_team", _("The new clinician is not a member of this team."))
        elif to.pk == client.responsible_clinician_id and team.pk == client.team_id:
            problems.add("to_clinician", _("This clinician is already responsible for the client."))
    problems.raise_any()
    return Move(cast(User, to), cast(Team, team), reason)


def _move(request, client: Client, move: Move, version: int | None) -> ClientTransfer:
    """Inside a transaction: re-check the receiving clinician under a row lock (a deactivation
    racing this transfer waits, then sees the client), write, record, audit, tell."""
    to, team, reason = move.to, move.team, move.reason
    to_locked = (
        User.objects.select_for_update()
        .filter(pk=to.pk, organisation_id=client.organisation_id, role=Role.CLINICIAN, is_active=True)
        .first()
    )
    if to_locked is None:
        raise InvalidInput({"to_clinician": [str(CHOOSE_ACTIVE)]})
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


def transfer(request, client_id: int, given: Transfer, version: int) -> ClientTransfer:
    _admin(request)
    client = client_for_transfer(request, client_id)
    with transaction.atomic():
        return _move(request, client, check_transfer(given, client), version)


class HandoverForm(forms.Form):
    """Reads a hand-over from the page: one clinician for every client, and for any client a
    different one (fields client_<id>, whose empty choice means "the one for every client")."""

    to_clinician = forms.ModelChoiceField(
        label=_("Move every client to"), queryset=User.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("Recorded with each move; both clinicians and the supervisors read it."),
    )

    def __init__(self, *args, organisation, leaving, clients=(), **kwargs):
        super().__init__(*args, **kwargs)
        receivers = _staff(organisation, Role.CLINICIAN).exclude(pk=leaving.pk)
        self.fields["to_clinician"].queryset = receivers
        self.clients = list(clients)
        for client in self.clients:
            self.fields[f"client_{client.pk}"] = forms.ModelChoiceField(
                label=f"#{client.pk} · {client.full_name} ({client.team})",
                queryset=receivers,
                required=False,
                empty_label=_("— the clinician for every client —"),
            )
        # The reason comes last, after every choice of clinician.
        self.order_fields([name for name in self.fields if name != "reason"])

    def client_fields(self) -> list:
        return [self[f"client_{c.pk}"] for c in self.clients]


def held_clients(user: User) -> list[Client]:
    """The clients a clinician is responsible for, in a stable order for the hand-over page."""
    return list(
        Client.objects.filter(responsible_clinician=user, entered_in_error_at__isnull=True)
        .select_related("team")
        .order_by("full_name", "pk")
    )


@dataclass(frozen=True)
class Handover:
    """Where a leaving clinician's caseload goes: `to_clinician` for every client, and in
    `clients` a different clinician for any client (client id to clinician id); one reason for
    every move."""

    to_clinician: int | None
    reason: str
    clients: dict[int, int] = field(default_factory=dict)


def handover_from(form: HandoverForm) -> Handover:
    if not form.is_valid():
        raise invalid(form)
    data = form.cleaned_data
    chosen = data["to_clinician"]
    own = {c.pk: data[f"client_{c.pk}"].pk for c in form.clients if data.get(f"client_{c.pk}")}
    return Handover(to_clinician=chosen.pk if chosen else None, reason=data["reason"], clients=own)


def handover_fields(form: HandoverForm) -> dict[str, str]:
    """The page's field for each client's refusal key ("clients.12" is "client_12")."""
    return {f"clients.{c.pk}": f"client_{c.pk}" for c in form.clients}


def holds_clients(user: User) -> int:
    return Client.objects.filter(responsible_clinician=user, entered_in_error_at__isnull=True).count()


def _receiving_team(client: Client, to: User) -> Team | None:
    """The client's own team when the receiver belongs to it, else the receiver's first team."""
    teams = list(to.teams.all())
    if client.team in teams:
        return client.team
    return teams[0] if teams else None


def check_handover(given: Handover, leaving: User, held: list[Client]) -> list[tuple[Client, Move]]:
    """Each held client's move, or InvalidInput: every client gets an active clinician of the
    organisation other than the one leaving (keys "to_clinician" for the choice for every
    client, "clients.<id>" for one client's), and nobody is left with no one responsible."""
    problems = Problems()
    reason = problems.text("reason", given.reason, limit=2000, required=True)
    held_ids = {c.pk for c in held}
    for pk in given.clients:
        if pk not in held_ids:
            problems.add(f"clients.{pk}", _("Choose only clients this clinician holds."))
    receivers: dict[int, User | None] = {}
    moves = []
    for client in held:
        chosen = given.clients.get(client.pk, given.to_clinician)
        key = f"clients.{client.pk}" if client.pk in given.clients else "to_clinician"
        if chosen is None:
            if key not in problems:
                problems.add(
                    key, _("Choose who takes over: one clinician for every client, or one for each.")
                )
            continue
        if chosen not in receivers:
            receivers[chosen] = None if chosen == leaving.pk else _receiver(leaving.organisation_id, chosen)
        to = receivers[chosen]
        if to is None:
            if key not in problems:
                problems.add(
                    key, CHOOSE_ACTIVE if chosen != leaving.pk else _("Choose someone who is staying.")
                )
            continue
        team = _receiving_team(client, to)
        if team is None:
            if key not in problems:
                problems.add(key, _("This clinician belongs to no team."))
            continue
        moves.append((client, Move(to, team, reason)))
    problems.raise_any()
    return moves


def hand_over_and_deactivate(request, user_id: int, given: Handover) -> tuple[User, int]:
    """Move every client the clinician holds (each to the clinician chosen for them, into a team
    the receiver belongs to: the client's own team when they are a member of it), then
    deactivate, all in one transaction; nothing changes when any move is refused. Each move is a
    transfer like any other: recorded with the reason, audited, and both clinicians and the
    supervisors told."""
    from rapport.accounts import services as accounts

    admin = _admin(request)
    leaving = User.objects.filter(pk=user_id, organisation=admin.organisation, role=Role.CLINICIAN).first()
    if leaving is None:
        raise Http404("No such account")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=leaving.pk).first()
        held = list(
            Client.objects.select_for_update()
            .filter(responsible_clinician=leaving, entered_in_error_at__isnull=True)
            .select_related("responsible_clinician", "team")
            .order_by("pk")
        )
        moves = check_handover(given, leaving, held)
        for client, move in moves:
            _move(request, client, move, client.version)
        # Co-clinician links go with the account: the responsible clinician carries on.
        leaving.co_clinician_for.clear()
        accounts.deactivate(request, leaving.pk)
        if holds_clients(leaving):  # a client added meanwhile: refuse rather than strand them
            raise InvalidInput({"to_clinician": [str(_("New clients arrived meanwhile; please try again."))]})
    return leaving, len(moves)
