"""What a member's own client account sees of their group (issue 13, item 5): the group's name,
when and where it meets, who facilitates it, and their OWN attendance, scores and tasks. Never
another member: nothing here reads another member's membership, name or record."""

from rapport.clinic import portal
from rapport.groups.models import MemberRecord, Membership


def in_a_group(client) -> bool:
    return Membership.objects.filter(client=client, entered_in_error_at__isnull=True).exists()


def my_groups(request) -> tuple:
    """The signed-in client's record and, for each group they belong to, their own membership and
    their own records (the read is audited as every portal read is)."""
    client = portal.my_record(request)
    found = []
    for membership in (
        Membership.objects.filter(client=client, entered_in_error_at__isnull=True)
        .select_related("group", "group__facilitator", "group__co_facilitator")
        .order_by("-joined_on", "-id")
    ):
        records = list(
            MemberRecord.objects.filter(
                membership=membership,
                entered_in_error_at__isnull=True,
                session__entered_in_error_at__isnull=True,
            )
            .select_related("session", "response")
            .order_by("session__number")
        )
        found.append((membership, records))
    portal.opened(request, client, "GroupMembership", count=len(found))
    return client, found
