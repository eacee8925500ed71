"""The caseload (a clinician's clients, a supervisor's teams' clients) and its CSV export."""

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from rapport.clinic import client_records, rules, standing
from rapport.clinic.caseload import rows as caseload_rows
from rapport.clinic.models import Notification
from rapport.common.access import signed_in
from rapport.scheduling.booking import next_appointments
from rapport.supervision import reviews


@signed_in(rules.is_clinical_staff)
@require_GET
def caseload(request):
    sort = request.GET.get("sort", "name")
    rows = caseload_rows(request, sort)
    upcoming = next_appointments([row.client.pk for row in rows])
    for row in rows:
        row.next_appointment = upcoming.get(row.client.pk)
    notifications = list(Notification.objects.filter(recipient=request.user, read_at__isnull=True)[:20])
    # A notice names its client in the app only, and only to someone who may see that client: the
    # caseload's rows are exactly the clients visible to this person (e-mails name no one).
    visible = {row.client.pk: row.client for row in rows}
    for note in notifications:
        note.named_client = visible.get(note.client_id)
    return render(
        request,
        "staff/caseload.html",
        {
            "rows": rows,
            "clients": [r.client for r in rows],
            "notifications": notifications,
            "sort": sort,
            "actions_due": reviews.actions_due(request.user),
            "today": timezone.localdate(),
        },
    )


def _csv_cell(value) -> str:
    # A leading =, +, - or @ would make a spreadsheet run the cell as a formula.
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@signed_in(rules.is_clinical_staff)
@require_GET
def caseload_export(request):
    clients = client_records.export_clients(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rapport-clients.csv"'
    writer = csv.writer(response)
    writer.writerow(["reference", "full_name", "preferred_name", "responsible_clinician", "team", "status"])
    status = standing.statuses([c.pk for c in clients])
    for c in clients:
        label = standing.status_label(status[c.pk])
        row = [c.pk, c.full_name, c.preferred_name, c.responsible_clinician, c.team, label]
        writer.writerow([_csv_cell(v) for v in row])
    return response
