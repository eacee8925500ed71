"""Who sees which group: its facilitator and co-facilitator, and the supervisors of its team.
Every group page, API route and figure starts from `visible_groups`, so they always agree; a
group someone may not see is answered exactly as one that does not exist."""

from django.db.models import Q

from rapport.accounts.models import Role
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.common.records import deny
from rapport.groups.models import Group


def visible_groups(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return Group.objects.none()
    mine = Group.objects.filter(organisation_id=user.organisation_id, entered_in_error_at__isnull=True)
    if user.role == Role.CLINICIAN:
        return mine.filter(Q(facilitator_id=user.pk) | Q(co_facilitator_id=user.pk))
    if user.role in (Role.SUPERVISOR, Role.PROGRAMME_LEAD):
        return mine.filter(team__supervisors=user)
    return Group.objects.none()  # clients and administrators never see a group


def facilitates(user, group: Group) -> bool:
    return user.is_authenticated and user.pk in (group.facilitator_id, group.co_facilitator_id)


def supervises(user, group: Group) -> bool:
    return (
        user.is_authenticated
        and user.role in (Role.SUPERVISOR, Role.PROGRAMME_LEAD)
        and group.team.supervisors.filter(pk=user.pk).exists()
    )


def get_group(request, group_id: int, *, change: bool = False, setup: bool = False) -> Group:
    """The group if the caller sees it (and, with `change`, facilitates it; with `setup`,
    facilitates or supervises it), else the audited 404 a missing group gets."""
    group = visible_groups(request.user).select_related("team", "facilitator", "co_facilitator")
    found = group.filter(pk=group_id).first()
    if found is None:
        deny(request, detail={"object_type": "Group", "id": group_id})
    allowed = facilitates(request.user, found) if change else True
    if setup:
        allowed = facilitates(request.user, found) or supervises(request.user, found)
    if not allowed:
        deny(request, detail={"object_type": "Group", "id": group_id})
    return found


def audit_read(request, group: Group, clients) -> None:
    """A read of the group's page or session shows its members' records: one row per member."""
    trail.record_each(request, Action.READ, list(clients), detail={"object_type": "Group", "id": group.pk})
