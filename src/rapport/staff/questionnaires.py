"""Questionnaires a clinician records with or for a client, and a recorded response."""

from datetime import datetime, time

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rapport.clinic import alert_chain, client_records, measurement, rules
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput, invalid
from rapport.common.forms import EnteredInErrorForm, posted_version, show_refusal
from rapport.common.records import EnteredInError
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
        "can_withdraw": rules.is_clinician(request.user)
        and request.user.has_perm("clinic.record_response", client),
        "follow_ups": [instruments.get(i) for i in measurement.follow_ups_left(response)]
        if alert is not None and request.user.has_perm("clinic.record_response", client)
        else [],
    }
    return render(request, "staff/response_detail.html", context)


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def response_entered_in_error(request, pk: int, rid: int):
    """Withdraw a response recorded by mistake, with a reason; the same service as a FHIR PUT of
    status entered-in-error. The form carries the version it was opened at, so a response changed
    or withdrawn in another tab meanwhile is never marked twice."""
    form = EnteredInErrorForm(request.POST or None)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise invalid(form)
            given = EnteredInError(form.cleaned_data["reason"])
            measurement.enter_response_in_error(request, pk, rid, given, posted_version(request))
        except InvalidInput as exc:
            show_refusal(form, exc)
        except EditConflict:
            messages.error(
                request,
                _("This response had already been marked as entered in error, or changed, meanwhile."),
            )
            return redirect("client_detail", pk=pk)
        else:
            messages.success(
                request,
                _(
                    "The response was marked as entered in error. It is kept with your reason, and no "
                    "longer counts in scores, charts or figures."
                ),
            )
            return redirect("client_detail", pk=pk)
    client, response = measurement.get_response(request, pk, rid)
    context = {
        "client": client,
        "response": response,
        "definition": instruments.get(response.instrument),
        "alert": alert_chain.alert_of_response(response),
        "form": form,
        # A refused reason keeps the version the form was opened at.
        "version": posted_version(request) if request.method == "POST" else response.version,
    }
    return render(request, "staff/response_entered_in_error.html", context)
