"""In-app notifications (risk alerts, emergency access, escalations) for staff."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from rapport.clinic import client_records, rules
from rapport.common.access import signed_in


@signed_in(rules.is_staff)
@require_POST
def notification_read(request, pk: int):
    client_records.mark_notification_read(request, pk)
    if request.htmx:
        return HttpResponse("")
    return redirect("home")
