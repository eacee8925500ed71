"""My plan: the shared formulation and goals, the tasks with "how it went", and progress."""

from typing import cast

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic import measurement, portal, rules
from rapport.clinic.models import (
    Formulation,
    Goal,
    Response,
    Session,
    SessionStatus,
    TaskOutcome,
)
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.forms import posted_version
from rapport.core import instruments, protocol
from rapport.drawings import trajectory
from rapport.portal.shared import crisis_context, open_free_text_alert, report_of


def _progress_charts(course, viewer) -> list[dict]:
    """The client's own questionnaires over the course as line charts: scores only, with no
    severity band shaded or named (bands are for the clinician and for shared review)."""
    if course is None:
        return []
    responses = list(
        Response.objects.filter(
            course=course, entered_in_error_at__isnull=True, total__isnull=False
        ).order_by("answered_at", "id")
    )
    show_bands = rules.sees_severity_bands(viewer)  # never, for the client this page is for
    shown = []
    for definition in instruments.all_instruments():
        if definition.respondent == "clinician" or definition.scoring.method != "sum":
            continue
        mine = [r for r in responses if r.instrument == definition.id]
        if not mine or not definition.scoring.max:
            continue
        rows = []
        for r in mine:
            when = formats.date_format(timezone.localtime(r.answered_at), "j M")
            label = f"S{r.session_number}" if r.session_number is not None else when
            rows.append((r, label, when))
        chart = trajectory.trajectory(
            [
                trajectory.Point(label, cast(int, r.total), f"{when}: {r.total}", at=r.session_number)
                for r, label, when in rows
            ],
            [trajectory.Band(b.label, b.min, b.max) for b in definition.bands if show_bands],
            maximum=definition.scoring.max,
            label=_("Your %(name)s scores over the course") % {"name": definition.short_title},
        )
        shown.append({"instrument": definition, "chart": chart, "rows": rows})
    return shown


def _plan_context(request, client) -> dict:
    course = measurement.current_course(client)
    formulation = None
    goals, areas = [], []
    attended = planned = 0
    next_session = None
    if course is not None:
        formulation = Formulation.objects.filter(
            course=course, entered_in_error_at__isnull=True, shared_on__isnull=False
        ).first()
        if formulation is not None:
            spec = protocol.get()
            areas = [
                spec.problem_area_name(area, course.variant)
                for area in (formulation.primary_area, formulation.secondary_area)
                if area
            ]
            goals = list(Goal.objects.filter(course=course, entered_in_error_at__isnull=True))
        sessions = Session.objects.filter(course=course, entered_in_error_at__isnull=True)
        attended = sessions.filter(status=SessionStatus.ATTENDED).count()
        planned = course.planned_sessions
        next_session = (
            sessions.filter(status=SessionStatus.SCHEDULED, date__gte=timezone.localdate())
            .order_by("date", "number")
            .first()
        )
    tasks = portal.open_tasks(client, course)
    trail.record(request, Action.READ, client=client, obj=course or client, detail={"object_type": "Plan"})
    return {
        "client": client,
        "course": course,
        "formulation": formulation,
        "areas": areas,
        "goals": goals,
        "attended": attended,
        "planned": planned,
        "left": max(planned - attended, 0),
        "next_session": next_session,
        "tasks": [(s, report_of(s)) for s in tasks],
        "outcomes": TaskOutcome.choices,
        "charts": _progress_charts(course, request.user),
        "task_errors": {},
        "task_values": {},
        "task_conflicts": set(),
        "support": any(open_free_text_alert(client, report_of(s)) for s in tasks),
    }


@signed_in(rules.is_client_user)
@require_GET
def my_plan(request):
    client = portal.my_record(request)
    context = _plan_context(request, client)
    if context["support"]:
        context.update(crisis_context(client, tier="T1", with_plan=False))
    return render(request, "portal/plan.html", context)


@signed_in(rules.is_client_user)
@require_POST
def my_task(request, sid: int):
    """How an agreed between-session task went, written by the client."""
    client = portal.my_record(request)
    outcome = request.POST.get("outcome", "")
    how = request.POST.get("how_it_went", "")
    try:
        portal.save_task_report(request, sid, outcome, how, posted_version(request))
    except (InvalidInput, EditConflict) as exc:
        context = _plan_context(request, client)
        context["task_values"] = {sid: {"outcome": outcome, "how_it_went": how}}
        if isinstance(exc, InvalidInput):
            context["task_errors"] = {sid: exc.errors}
        else:
            context["task_conflicts"] = {sid}
        if context["support"]:
            context.update(crisis_context(client, tier="T1", with_plan=False))
        return render(request, "portal/plan.html", context)
    messages.success(
        request, _("Thank you. Your clinician will see this, but may not read it straight away.")
    )
    return redirect(reverse("my_plan") + f"#task-{sid}")
