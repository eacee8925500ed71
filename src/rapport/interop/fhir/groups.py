"""A group of group IPT as a FHIR R4 Group (issue 13): an actual group of persons, its name, the
facilitator as its managing entity, and each member as a Patient reference with the period they
belonged. Read by id only, by the people who see the group (groups/scope.py), and audited as a
read of each member's record."""

from django.core.exceptions import PermissionDenied

from rapport.clinic import rules
from rapport.groups.models import Group, GroupStatus, Membership
from rapport.groups.scope import audit_read, get_group
from rapport.interop.fhir.ids import PLAIN, Ids
from rapport.interop.fhir.resources import _meta


def group_resource(group: Group, members: list[Membership], *, ids: Ids = PLAIN) -> dict:
    current = [m for m in members if m.left_on is None]
    resource: dict = {
        "resourceType": "Group",
        "id": ids("Group", group.pk),
        "meta": _meta(group),
        "active": group.status != GroupStatus.ENDED,
        "type": "person",
        "actual": True,
        "code": {"text": f"Group interpersonal therapy ({group.variant})"},
        "name": group.name,
        "quantity": len(current),
        "managingEntity": {**ids.ref("Practitioner", group.facilitator_id)},
    }
    if members:
        resource["member"] = []
        for m in members:
            period = {"start": m.joined_on.isoformat()}
            if m.left_on is not None:
                period["end"] = m.left_on.isoformat()
            resource["member"].append(
                {
                    "entity": ids.ref("Patient", m.client_id),
                    "period": period,
                    "inactive": m.left_on is not None,
                }
            )
    return resource


def read_group(request, resource_id: str) -> dict:
    if not rules.is_clinical_staff(request.user):
        raise PermissionDenied  # clients and administrators read no group, as in the JSON API
    group = get_group(request, int(resource_id) if resource_id.isdigit() and len(resource_id) <= 12 else 0)
    members = list(
        Membership.objects.filter(group=group, entered_in_error_at__isnull=True)
        .select_related("client")
        .order_by("joined_on", "id")
    )
    audit_read(request, group, [m.client for m in members])
    return group_resource(group, members)
