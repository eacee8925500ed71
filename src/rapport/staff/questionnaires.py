"""Questionnaires a clinician records with or for a client, and a recorded response."""

from datetime import datetime, time

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rapport.clinic import alert_chain, client_records, measurement, rules
from rapport.common.access import signed_in
from rapport.common.errors import InvalidInput
from rapport.core import instruments


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def questionnaire(request, pk: int, instrument: str):
    """One page per questionnaire; every item may be left unanswered."""
    try:
        definition = instruments.get(instrument)
    except instruments.UnknownInstrument:
        raise Http404("No such questionnaire") from None
    client = client_records.get_client_for(
        request, pk, "clinic.record_response", audit=request.method == "GET"
    )
    # A session page's link names its session, so the score is filed under that session.
    session = request.POST.get("session_number", request.GET.get("session", "")).strip()
    errors, given = [], {}
    if request.method == "POST":
        given = {item.id: request.POST[item.id] for item in definition.items if request.POST.get(item.id)}
        try:
            number = int(session) if session else None
        except ValueError:
            number = -1
        answered_at, taken = None, request.POST.get("answered_on", "").strip()
        if taken:
            try:
                day = parse_date(taken)
            except ValueError:
                day = None
            if day is None:
                errors = [_("Enter the date it was filled in as a real date, or leave it empty for today.")]
            elif day == timezone.localdate():
                answered_at = timezone.now()
            else:
                # A paper form entered later: noon local time on the day it was filled in.
                answered_at = timezone.make_aware(datetime.combine(day, time(12)))
        if not errors:
            try:
                response = measurement.record_response(
                    request, client.pk, definition.id, given, number, answered_at
                )
            except InvalidInput as exc:
                errors = [message for messages in exc.errors.values() for message in messages]
            else:
                return redirect("response_detail", pk=client.pk, rid=response.pk)
    context = {
        "client": client,
        "definition": definition,
        "given": given,
        "errors": errors,
        "session": session,
    }
    return render(request, "staff/questionnaire.html", context)


@signed_in(rules.is_clinical_staff)
@require_GET
def response_detail(request, pk: int, rid: int):
    client, response = measurement.get_response(request, pk, rid)
    definition = instruments.get(response.instrument)
    bands = {b.id: b for b in definition.bands}
    answered = []
    for item in definition.items:
        code = response.answers.get(item.id)
        option = item.options_by_code.get(code) if code else None
        answered.append((item, option, item.id in response.risk_flags))
    alert = alert_chain.alert_of_response(response)
    context = {
        "client": client,
        "response": response,
        "definition": definition,
        "band": bands.get(response.band),
        "answered": answered,
        "alert": alert,
        "joined": alert is not None and alert.response_id != response.pk,
        "follow_ups": [instruments.get(i) for i in measurement.follow_ups_left(response)]
        if alert is not None and request.user.has_perm("clinic.record_response", client)
        else [],
    }
    return render(request, "staff/response_detail.html", context)
