"""My group: the member's own view of their group IPT (their attendance, scores and tasks only)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from rapport.clinic import rules
from rapport.common.access import signed_in
from rapport.groups import portal as group_portal


@signed_in(rules.is_client_user)
@require_GET
def my_group(request):
    client, groups = group_portal.my_groups(request)
    return render(request, "portal/group.html", {"client": client, "groups": groups})
