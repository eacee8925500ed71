"""The programme's outcome figures (with filters, charts and tables), the courses behind each
figure, and the two exports. Clinicians see their own caseload's figures, supervisors their
teams', a programme lead the organisation's; the course lists follow the usual visibility."""

import csv
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rapport.accounts.models import Team, User
from rapport.clinic import rules
from rapport.clinic.models import CourseFormat
from rapport.common.access import signed_in
from rapport.common.errors import InvalidInput, page_errors
from rapport.core import fidelity as core_fidelity
from rapport.core.programme import OUTCOMES
from rapport.drawings import programme_charts as charts
from rapport.programme import exports, figures
from rapport.programme.scope import (
    Slice,
    figure_rows,
    lists_courses,
    month_totals_for,
    parse_slice,
    totals_for,
    visible_courses,
)
from rapport.staff.caseload import _csv_cell

CLINICIAN_LIMIT = 60  # clinicians in the chart and table by clinician; the rest are counted
LABELS = {
    "referrals": "Referrals",
    "started": "Started",
    "finished": "Finished (2+ sessions)",
    "dropped_out": "Dropped out",
    "paired": "Paired scores",
    "data_completeness": "Data completeness",
    "response": "Response",
    "remission": "Remission",
    "reliable_improvement": "Reliable improvement",
    "reliable_deterioration": "Reliable deterioration",
    "recovery": "Recovery",
    "reliable_recovery": "Reliable recovery",
}


def _slice(request) -> tuple[Slice, dict]:
    try:
        return parse_slice(request.GET), {}
    except InvalidInput as exc:
        return Slice(), page_errors(exc)


def _behind_url(chosen: Slice, figure: str, **extra) -> str:
    return reverse("programme_courses") + "?" + urlencode({**chosen.query(), **extra, "figure": figure})


def _choices(courses, totals):
    """The filters' options: only what occurs in the viewer's own courses (distinct in the
    database; teams and clinicians from the running totals when they cover the viewer's courses)."""
    groups = courses if totals is None else totals.filter(referrals__gt=0)

    def distinct(column):
        return groups.order_by().values_list(column, flat=True).distinct()

    teams = list(Team.objects.filter(pk__in=distinct("team_id")).order_by("name").values_list("pk", "name"))
    clinicians = list(
        User.objects.filter(pk__in=distinct("clinician_id"))
        .order_by("full_name")
        .values_list("pk", "full_name")
    )
    # One pass over an index of (organisation, live, variant, problem area).
    pairs = list(courses.order_by().values_list("variant", "problem_area").distinct())
    return {
        "teams": teams,
        "clinicians": clinicians,
        "variants": sorted({variant for variant, _ in pairs}),
        "formats": CourseFormat.choices,
        "areas": sorted({area for _, area in pairs if area}),
    }


@signed_in(rules.sees_programme)
@require_GET
def programme(request):
    chosen, errors = _slice(request)
    visible = visible_courses(request.user)
    courses = figure_rows(request.user, chosen)  # the running totals, over a whole organisation
    found = figures.outcomes(courses)
    linked = lists_courses(request.user)

    def href(figure, **extra):
        return _behind_url(chosen, figure, **extra) if linked else ""

    funnel_keys = ("referrals", "started", "finished", "paired", "reliable_improvement", "recovery")
    funnel_bars = [
        charts.Bar(
            _(LABELS[key]),
            getattr(found, key) if key in figures.COUNTS else getattr(found, key).n,
            href(key),
        )
        for key in funnel_keys
    ]
    # The first CLINICIAN_LIMIT clinicians by name [U]; over a whole organisation (2,500 at
    # 100,000 clients) a chart and a table of every one would be neither readable nor fast.
    everyone = figures.clinicians(courses)
    shown_ids = [pk for pk, _ in everyone[:CLINICIAN_LIMIT]]
    by_clinician = (
        figures.outcomes_by_clinician(courses.filter(clinician_id__in=shown_ids)) if everyone else []
    )
    shown_rate = request.GET.get("rate") if request.GET.get("rate") in OUTCOMES else "recovery"
    clinician_rows = []
    for clinician_id, name, values in by_clinician:
        value = getattr(values, shown_rate)
        clinician_rows.append(
            charts.Interval(
                name,
                value.rate,
                *(value.ci95 or (None, None)),
                caption=_("%(n)s of %(of)s") % {"n": value.n, "of": value.of},
                href=href(shown_rate, clinician=clinician_id),
            )
        )
    monthly_totals = month_totals_for(request.user, chosen)
    months = figures.monthly(chosen.apply(visible) if monthly_totals is None else monthly_totals)
    trend_points = [
        charts.Interval(
            month.strftime("%b %y"),
            getattr(values, shown_rate).rate,
            *(getattr(values, shown_rate).ci95 or (None, None)),
            caption=_("%(n)s of %(of)s")
            % {"n": getattr(values, shown_rate).n, "of": getattr(values, shown_rate).of},
        )
        for month, values in months[-12:]
    ]
    rate_label = _(LABELS[shown_rate])
    return render(
        request,
        "staff/programme.html",
        {
            "chosen": chosen,
            "errors": errors,
            "query": request.GET,
            "figures": found,
            "counts": [(key, _(LABELS[key]), getattr(found, key), href(key)) for key in figures.COUNTS],
            "rates": [
                (key, _(LABELS[key]), value, href(key) if key in OUTCOMES else href("paired"))
                for key, value in found.rates().items()
            ],
            "funnel": charts.funnel(funnel_bars, _("From referral to recovery")),
            "by_clinician": by_clinician,
            "more_clinicians": len(everyone) - len(shown_ids),
            "clinician_chart": charts.intervals(
                clinician_rows, _("%(rate)s by clinician") % {"rate": rate_label}
            ),
            "clinician_table": [(name, getattr(values, shown_rate)) for _, name, values in by_clinician],
            "months": [
                (month, getattr(values, shown_rate), values.finished) for month, values in months[-12:]
            ],
            "trend": charts.trend(trend_points, _("%(rate)s by month of ending") % {"rate": rate_label}),
            "shown_rate": shown_rate,
            "rate_label": rate_label,
            "rate_choices": [(key, _(LABELS[key])) for key in OUTCOMES],
            "fidelity": _fidelity_rows(figures.fidelity(courses)),
            "linked": linked,
            "export_query": urlencode(chosen.query()),
            **_choices(visible, totals_for(request.user, Slice())),
        },
    )


def _fidelity_rows(found: figures.Fidelity) -> list:
    rules_ = core_fidelity.fidelity_rules().indicators
    return [(rules_[key].label, value) for key, value in found.indicators.items()]


@signed_in(rules.sees_programme)
@require_GET
def programme_courses(request):
    chosen, errors = _slice(request)
    figure = request.GET.get("figure", "referrals")
    if figure not in figures.BEHIND:
        figure = "referrals"
    listed = exports.courses_behind(request, chosen, figure) if not errors else []
    return render(
        request,
        "staff/programme_courses.html",
        {
            "rows": listed,
            "errors": errors,
            "figure_label": _(LABELS[figure]),
            "back": reverse("programme") + ("?" + urlencode(chosen.query()) if chosen.query() else ""),
            "lead_only": not lists_courses(request.user),
        },
    )


def _csv(filename: str, rows: list[list]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return response


@signed_in(rules.sees_programme)
@require_GET
def programme_export(request):
    chosen, errors = _slice(request)
    if errors:
        return HttpResponse(status=400)
    return _csv("rapport-programme-outcomes.csv", exports.outcome_rows(request, chosen))


@signed_in(rules.sees_programme)
@require_http_methods(["GET", "POST"])
def programme_extract(request):
    """The de-identified course-level extract: the key is posted, never put in a URL."""
    chosen, errors = _slice(request)
    if request.method == "POST" and not errors:
        try:
            rows = exports.extract_rows(request, chosen, request.POST.get("key", ""))
        except InvalidInput as exc:
            errors = page_errors(exc)
        else:
            return _csv("rapport-programme-extract.csv", rows)
    return render(
        request,
        "staff/programme_extract.html",
        {"errors": errors, "export_query": urlencode(chosen.query()), "min_key": exports.MIN_KEY},
    )
