"""Creating and editing a group: its facilitators, supervising team, meeting and status.

A clinician creates a group they facilitate (or co-facilitate); a supervisor creates one for a
team they supervise and names its facilitator. The typed `GroupValues` is checked by
`check_group`, so that a page and the API refuse the same input with the same message."""

from dataclasses import dataclass, replace
from datetime import date, time

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from rapport.accounts.models import Role, Team, User
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.common.checks import Problems
from rapport.common.records import save_versioned
from rapport.core import groups as group_rules
from rapport.groups import access
from rapport.groups.models import Group, GroupStatus, Weekday
from rapport.groups.scope import get_group

NAME_LIMIT = 200


@dataclass(frozen=True)
class GroupValues:
    name: str
    variant: str
    facilitator_id: int
    co_facilitator_id: int | None
    team_id: int
    lay_facilitated: bool
    meeting_place: str
    meeting_day: str
    meeting_time: time | None
    planned_start: date
    status: str


def _clinician(organisation_id: int, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    return User.objects.filter(
        pk=user_id, organisation_id=organisation_id, role=Role.CLINICIAN, is_active=True
    ).first()


def check_group(request, given: GroupValues, group: Group | None = None) -> GroupValues:
    """The values as they will be stored, or InvalidInput keyed by their names."""
    user = request.user
    problems = Problems()
    name = problems.text("name", given.name, limit=NAME_LIMIT, required=True)
    place = problems.text("meeting_place", given.meeting_place, limit=200)
    problems.choice("variant", given.variant, group_rules.group_variants())
    problems.choice("meeting_day", given.meeting_day, ["", *Weekday.values])
    problems.choice("status", given.status, GroupStatus.values)
    team = Team.objects.filter(pk=given.team_id, organisation_id=user.organisation_id).first()
    if team is None:
        problems.add("team_id", _("Choose a team of your organisation."))
    facilitator = _clinician(user.organisation_id, given.facilitator_id)
    if facilitator is None:
        problems.add("facilitator_id", _("Choose an active clinician of your organisation."))
    if given.co_facilitator_id is not None:
        if _clinician(user.organisation_id, given.co_facilitator_id) is None:
            problems.add("co_facilitator_id", _("Choose an active clinician of your organisation."))
        elif given.co_facilitator_id == given.facilitator_id:
            problems.add("co_facilitator_id", _("The co-facilitator is someone other than the facilitator."))
    if team is not None and "facilitator_id" not in problems and "co_facilitator_id" not in problems:
        # The caller stays able to see what they make: they facilitate it or supervise its team.
        mine = user.pk in (given.facilitator_id, given.co_facilitator_id)
        supervising = (
            user.role in (Role.SUPERVISOR, Role.PROGRAMME_LEAD)
            and team.supervisors.filter(pk=user.pk).exists()
        )
        if not (mine or supervising):
            problems.add("team_id", _("Facilitate the group yourself, or choose a team you supervise."))
    if group is not None and group.variant != given.variant and group.sessions.exists():
        problems.add("variant", _("The variant cannot change once a session is recorded."))
    problems.raise_any()
    return replace(given, name=name, meeting_place=place)


def _values(checked: GroupValues) -> dict:
    return {
        "name": checked.name,
        "variant": checked.variant,
        "planned_sessions": group_rules.sessions(checked.variant),
        "facilitator_id": checked.facilitator_id,
        "co_facilitator_id": checked.co_facilitator_id,
        "team_id": checked.team_id,
        "lay_facilitated": checked.lay_facilitated,
        "meeting_place": checked.meeting_place,
        "meeting_day": checked.meeting_day,
        "meeting_time": checked.meeting_time,
        "planned_start": checked.planned_start,
        "status": checked.status,
    }


def create_group(request, given: GroupValues) -> Group:
    user = request.user
    if user.role not in (Role.CLINICIAN, Role.SUPERVISOR, Role.PROGRAMME_LEAD):
        raise PermissionDenied
    checked = check_group(request, given)
    with transaction.atomic():
        group = Group.objects.create(organisation_id=user.organisation_id, **_values(checked))
        trail.record(request, Action.CREATE, obj=group)
    return group


def update_group(request, group_id: int, given: GroupValues, version: int) -> Group:
    group = get_group(request, group_id, setup=True)
    checked = check_group(request, given, group)
    values = _values(checked)
    changed = [k for k, v in values.items() if getattr(group, k) != v]
    with transaction.atomic():
        save_versioned(Group, group.pk, version, **values)
        trail.record(request, Action.UPDATE, obj=group, detail={"fields": changed})
        if (
            checked.facilitator_id != group.facilitator_id
            or checked.co_facilitator_id != group.co_facilitator_id
        ):
            # The versioned save above holds the group's row, so no member joins or leaves
            # between taking back the old facilitators' access and giving the new ones theirs.
            access.follow_facilitators(request, Group.objects.get(pk=group.pk))
    return Group.objects.get(pk=group.pk)
