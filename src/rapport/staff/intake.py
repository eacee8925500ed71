"""The intake team's pages: the referral inbox (urgent first) and one referral with its triage."""

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_countries import countries

from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.forms import posted_version
from rapport.core import instruments
from rapport.intake import referrals, team, triage, waiting

STEPS = ("complete", "acknowledge", "accept", "wait", "signpost", "decline")


def _day(request, name: str) -> date | None:
    try:
        return date.fromisoformat(request.POST.get(name, ""))
    except ValueError:
        return None


def _number(request, name: str) -> int | None:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else None


@signed_in(team.does_intake)
@require_GET
def intake_inbox(request):
    show = "all" if request.GET.get("show") == "all" else "open"
    referrals = triage.inbox(request, show=show)
    flagged = triage.duplicate_flags(referrals)
    places = waiting.positions(referrals)
    for referral in referrals:
        referral.possible_duplicate = referral.pk in flagged
        referral.place = places.get(referral.pk)
    context = {
        "referrals": referrals,
        "show": show,
        "urgent": sum(1 for r in referrals if r.urgent and r.status == "new"),
    }
    return render(request, "staff/intake_inbox.html", context)


@signed_in(team.does_intake)
@require_http_methods(["GET", "POST"])
def intake_referral(request, pk: int):
    errors = {}
    status = 200
    link = ""
    if request.method == "POST":
        step = request.POST.get("step", "")
        version = posted_version(request)
        note = request.POST.get("note", "")
        try:
            if step == "complete":
                triage.complete(
                    request,
                    pk,
                    triage.Completion(
                        date_of_birth=_day(request, "date_of_birth"),
                        country=request.POST.get("country", ""),
                        concern=request.POST.get("concern", ""),
                        email=request.POST.get("email", ""),
                        phone=request.POST.get("phone", ""),
                        consent_confirmed=request.POST.get("consent_confirmed") == "on",
                        version=version,
                    ),
                )
                messages.success(request, _("Completed: the referral can now be decided like any other."))
            elif step == "acknowledge":
                triage.acknowledge(request, pk, request.POST.get("note", ""))
                messages.success(request, _("Acknowledged: escalation has stopped."))
            elif step == "accept":
                client = triage.accept(
                    request,
                    pk,
                    triage.Accept(
                        clinician=_number(request, "clinician"),
                        version=version,
                        invite=request.POST.get("invite") == "on",
                    ),
                )
                messages.success(
                    request,
                    _(
                        "Accepted: %(name)s is now on %(clinician)s's caseload, "
                        "with the referral's answers as the baseline."
                    )
                    % {"name": client.full_name, "clinician": client.responsible_clinician},
                )
            elif step == "wait":
                _referral, secret = triage.place_on_list(
                    request,
                    pk,
                    triage.PlaceOnList(
                        clinician=_number(request, "waiting_clinician"),
                        team=_number(request, "waiting_team"),
                        version=version,
                    ),
                )
                link = secret
            elif step == "signpost":
                triage.signpost(request, pk, triage.Decision(note=note, version=version))
                messages.success(request, _("Signposted: the letter is kept with the referral."))
            elif step == "decline":
                triage.decline(request, pk, triage.Decision(note=note, version=version))
                messages.success(request, _("Declined: the reason is kept with the referral."))
            else:
                errors = {"__all__": [_("Choose what to do with this referral.")]}
        except InvalidInput as exc:
            errors = {"step": step, **exc.errors}  # the page is shown again with the refusal
        except EditConflict:
            errors = {
                "__all__": [_("Someone else changed this referral while you were reading it: read it again.")]
            }
            status = 409
        if not errors and not link:
            return redirect("intake_referral", pk=pk)
    referral = triage.get_referral(request, pk, audit=request.method == "GET")
    context = {
        "referral": referral,
        "duplicates": triage.possible_duplicates(referral),
        "clinicians": triage.clinicians(request),
        "teams": triage.teams(request),
        "screening": _screening(referral),
        "missing": referrals.missing_labels(referral.missing),
        "countries": countries if referral.incomplete else (),
        "place": waiting.position(referral),
        "errors": errors,
        "link": request.build_absolute_uri(reverse("waiting_link", args=[link])) if link else "",
    }
    return render(request, "staff/intake_referral.html", context, status=status)


def _screening(referral):
    """Each questionnaire's items with the answer given (or skipped), for reading."""
    shown = []
    for instrument_id, answers, total in (
        ("phq9", referral.phq9_answers, referral.phq9_total),
        ("gad7", referral.gad7_answers, referral.gad7_total),
    ):
        definition = instruments.get(instrument_id)
        rows = [
            (item, item.options_by_code[answers[item.id]].label if item.id in answers else None)
            for item in definition.items
        ]
        found = definition.band_for(total) if total is not None else None
        shown.append(
            {"definition": definition, "rows": rows, "total": total, "band": found.label if found else ""}
        )
    return shown
