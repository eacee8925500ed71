"""The co-clinician links a group makes, and taking them back when their reason ends.

Joining a group makes its facilitator and co-facilitator co-clinicians of the member, so that a
lay counsellor may record the member's scores and is told of their alerts (membership.py). Each
link made that way is a `GroupAccess` row. When the reason for it ends (the facilitator is
replaced or removed, or the member leaves) the row goes, and the link goes with it unless another
group still justifies it. A link the person had before the group has no row, so the group never
takes it away; nor is the responsible clinician ever touched (they are not a co-clinician).

[U] A group that ends keeps its links: members' follow-up scores after the last session are
still recorded by the facilitators, and the links end when each member leaves or a facilitator
is replaced. Every function here runs inside the caller's transaction, with the group row locked
by the caller, so that a member joining while a facilitator is replaced is shared with the
facilitators the group has once both are written."""

from rapport.accounts.models import User
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic.models import Client
from rapport.groups.models import Group, GroupAccess, Membership

FACILITATOR_REPLACED = "facilitator replaced"
MEMBER_LEFT = "member left"


def facilitators(group: Group) -> list[User]:
    return [p for p in (group.facilitator, group.co_facilitator) if p is not None]


def _current_members(group: Group):
    return Membership.objects.filter(
        group=group, entered_in_error_at__isnull=True, left_on__isnull=True
    ).select_related("client")


def _linked(client_id: int, user_id: int) -> bool:
    return Client.co_clinicians.through.objects.filter(client_id=client_id, user_id=user_id).exists()


def grant(request, group: Group, client: Client, person: User) -> None:
    """Make `person` a co-clinician of `client` because they facilitate `group`, and say so."""
    if person.pk == client.responsible_clinician_id:
        return
    if _linked(client.pk, person.pk):
        if not GroupAccess.objects.filter(client=client, user=person).exists():
            return  # their own link from before the group: not the group's to take back
    else:
        client.co_clinicians.add(person)
        trail.record(
            request,
            Action.UPDATE,
            client=client,
            obj=client,
            detail={"fields": ["co_clinicians"], "group": group.pk, "user": person.pk},
        )
    # A link another group made is now justified by this one too: it ends when both have ended.
    GroupAccess.objects.get_or_create(group=group, client=client, user=person)


def share_members_with_facilitators(request, group: Group) -> None:
    """Make the group's facilitators co-clinicians of every current member."""
    people = facilitators(group)
    for membership in _current_members(group):
        for person in people:
            grant(request, group, membership.client, person)


def _take_back(request, row: GroupAccess, reason: str) -> None:
    row.delete()
    client = row.client
    if row.user_id == client.responsible_clinician_id:
        return
    if GroupAccess.objects.filter(client_id=row.client_id, user_id=row.user_id).exists():
        return  # another group of the client's still has this person as its facilitator
    if not _linked(row.client_id, row.user_id):
        return  # already gone (an account switched off, a handover): nothing changes
    client.co_clinicians.remove(row.user_id)
    trail.record(
        request,
        Action.UPDATE,
        client=client,
        obj=client,
        detail={"fields": ["co_clinicians"], "group": row.group_id, "user": row.user_id, "reason": reason},
    )


def follow_facilitators(request, group: Group) -> None:
    """After the group's facilitators changed: take back what the group gave anyone who no longer
    facilitates it, then share the members with whoever does now."""
    now = [p.pk for p in facilitators(group)]
    for row in GroupAccess.objects.filter(group=group).exclude(user_id__in=now).select_related("client"):
        _take_back(request, row, FACILITATOR_REPLACED)
    share_members_with_facilitators(request, group)


def member_left(request, membership: Membership) -> None:
    """After a member left: take back what the group gave its facilitators over their record."""
    rows = GroupAccess.objects.filter(group_id=membership.group_id, client_id=membership.client_id)
    for row in rows.select_related("client"):
        _take_back(request, row, MEMBER_LEFT)
