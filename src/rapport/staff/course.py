"""The course of IPT pages: the course with its contract and sessions, and the session note."""

from datetime import date
from typing import cast

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.clinic import courses, inventory, progress, rules, standing
from rapport.clinic import termination as ending
from rapport.clinic.measurement import current_course, summarise
from rapport.clinic.models import Course, CourseStatus, Formulation, RelapsePreventionPlan
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput, form_errors, invalid, messages_of
from rapport.common.forms import posted_version, show_refusal
from rapport.core import protocol
from rapport.programme.checklist import course_checklist
from rapport.scheduling import missed_sessions
from rapport.staff.inventory import circle_for, first_name


@signed_in(rules.is_clinical_staff)
@require_GET
def course_detail(request, pk: int):
    client, course = courses.course_for(request, pk)
    return _course_page(
        request, client, course, can_change=request.user.has_perm("clinic.change_client", client)
    )


@signed_in(rules.is_clinical_staff)
@require_GET
def course_by_id(request, pk: int, cid: int):
    """One course by its id, for the lists behind the programme's figures: an earlier course is
    shown read-only (the pages of the inventory, formulation and so on show the current one);
    the current course is its usual page."""
    client, course, current = courses.course_by_id(request, pk, cid)
    if current is not None and current.pk == course.pk:
        return redirect("course_detail", pk=pk)
    return _course_page(request, client, course, can_change=False, current=current)


def _course_page(request, client, course, *, can_change: bool, current=None):
    context = {
        "client": client,
        "course": course,
        # `current` is given only for an earlier course: the page links to the current one.
        "earlier": current is not None,
        "current": current,
        "can_change": can_change,
        "new_session_form": courses.NewSessionForm(),
        "variant": protocol.get().variant(course.variant) if course else None,
    }
    if course is not None:
        context.update(courses.course_overview(course))
        context["outcomes"] = summarise(course)
        context["fidelity"] = course_checklist(course)
        context["planned_text"] = courses.sessions_text(course.planned_sessions, course.planned_sessions)
        context["usage"] = missed_sessions.usage(course)
    return render(request, "staff/course_detail.html", context)


@signed_in(rules.is_clinician)
@require_POST
def course_start(request, pk: int):
    try:
        courses.start_course(request, pk)
    except InvalidInput as exc:
        messages.error(request, " ".join(messages_of(exc)))
    return redirect("course_detail", pk=pk)


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def contract_edit(request, pk: int):
    client, course = courses.course_for(request, pk, "clinic.change_client")
    if course is None:
        return redirect("course_detail", pk=pk)
    conflict, version = None, course.version
    form = courses.ContractForm(request.POST or None, instance=course)
    if request.method == "POST":
        version = posted_version(request)
        try:
            courses.update_contract(request, pk, courses.contract_from(form), version)
        except InvalidInput as exc:
            show_refusal(form, exc)
        except EditConflict as exc:
            conflict, version = exc.current, exc.current.version
        else:
            messages.success(request, _("The contract was saved."))
            return redirect("course_detail", pk=pk)
    on = form["agreed_on"].value() or form["started_on"].value() or timezone.localdate()
    context = {
        "client": client,
        "course": course,
        "form": form,
        "version": version,
        "conflict": conflict,
        "suggestion": courses.suggested_variant(client, _as_date(on)),
    }
    return render(request, "staff/contract_form.html", context)


def _as_date(value) -> date:
    """The contract date from the form, which holds a date or the text typed into it."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return timezone.localdate()


@signed_in(rules.is_clinician)
@require_POST
def session_add(request, pk: int):
    form = courses.NewSessionForm(request.POST)
    try:
        if not form.is_valid():
            raise invalid(form)
        session = courses.add_session(request, pk, form.cleaned_data["date"])
    except InvalidInput as exc:
        messages.error(request, " ".join(messages_of(exc)))
        return redirect("course_detail", pk=pk)
    return redirect("session_detail", pk=pk, sid=session.pk)


def _session_note(request, form) -> courses.SessionNote:
    """The typed session record from the page: its form, the ticked lists, the step notes and the
    goal ratings (fields step_<id> and goal_<id>)."""
    problems: dict[str, list[str]] = {}
    ratings = {}
    for key, raw in request.POST.items():
        goal = key.removeprefix("goal_")
        if key.startswith("goal_") and raw.strip():
            try:
                ratings[goal] = int(raw)
            except ValueError:
                problems[f"goal_ratings.{goal}"] = [str(courses.GOAL_RATING)]
    if not form.is_valid():
        problems.update(form_errors(form))
    if problems:
        raise InvalidInput(problems)
    steps = {k.removeprefix("step_"): v for k, v in request.POST.items() if k.startswith("step_")}
    return courses.SessionNote(
        **{name: form.cleaned_data[name] for name in courses.SessionForm.Meta.fields},
        problem_area_progress=form.cleaned_data["problem_area_progress"],
        tasks_done=request.POST.getlist("tasks_done"),
        techniques=request.POST.getlist("techniques"),
        step_notes=steps,
        goal_ratings=ratings,
    )


@signed_in(rules.is_clinical_staff)
@require_http_methods(["GET", "POST"])
def session_detail(request, pk: int, sid: int):
    perm = "clinic.change_client" if request.method == "POST" else "clinic.view_client"
    client, session = courses.get_session(request, pk, sid, perm, audit=request.method == "GET")
    conflict, version, errors = None, session.version, {}
    form = courses.SessionForm(instance=session)
    chosen = {
        "tasks": set(session.tasks_done),
        "techniques": set(session.techniques),
        "steps": session.step_notes,
        "goals": {int(k): v for k, v in session.goal_ratings.items()},
    }
    if request.method == "POST":
        version = posted_version(request)
        form = courses.SessionForm(request.POST, instance=session)
        try:
            courses.update_session(request, pk, sid, _session_note(request, form), version)
        except (InvalidInput, EditConflict) as exc:
            if isinstance(exc, EditConflict):
                conflict, version = exc.current, exc.current.version
            else:
                # A field's message shows on its field; the rest (tasks, steps, goals) in the banner.
                errors = show_refusal(form, exc, rest_on_form=False)
            chosen = {
                "tasks": set(request.POST.getlist("tasks_done")),
                "techniques": set(request.POST.getlist("techniques")),
                "steps": {
                    k.removeprefix("step_"): v for k, v in request.POST.items() if k.startswith("step_")
                },
                "goals": {
                    int(k[5:]): int(v)
                    for k, v in request.POST.items()
                    if k.startswith("goal_") and k[5:].isdigit() and v.isdigit()
                },
            }
        else:
            messages.success(request, _("The session was saved."))
            return redirect("course_detail", pk=pk)
    context = {
        "client": client,
        "session": session,
        "form": form,
        "version": version,
        "conflict": conflict,
        "errors": errors,
        "chosen": chosen,
        "can_change": request.user.has_perm("clinic.change_client", client)
        and session.course_id == cast(Course, current_course(client)).pk,
        **courses.measures_at(session),
        "off_track": standing.course_off_track(session.course),
        "ratings_scale": range(11),
        **courses.session_context(session),
    }
    return render(request, "staff/session_detail.html", context)


@signed_in(rules.is_clinical_staff)
@require_http_methods(["GET", "POST"])
def termination(request, pk: int):
    perm = "clinic.change_client" if request.method == "POST" else "clinic.view_client"
    client, course, plan = ending.load(request, pk, perm)
    version = plan.version if plan.pk else 0
    form, conflict = ending.PlanForm(initial=ending.initial(plan)), None
    if request.method == "POST":
        version = posted_version(request)
        try:
            ending.save_plan(request, pk, request.POST, version)
        except (InvalidInput, EditConflict) as exc:
            if isinstance(exc, EditConflict):
                conflict = exc.current
                version = exc.current.version if exc.current.pk else 0
            form = ending.PlanForm(request.POST)
            form.is_valid()
        else:
            messages.success(request, _("The relapse-prevention plan was saved."))
            return redirect("termination", pk=pk)
    spec = protocol.get()
    context = {
        "client": client,
        "course": course,
        "plan": plan,
        "form": form,
        "version": version,
        "conflict": conflict,
        "outcomes": summarise(course),
        "endings": spec.relapse_prevention.endings,
        "tasks": spec.tasks("termination", course.variant) if course.variant != "ipt_m" else (),
        "can_change": request.user.has_perm("clinic.change_client", client),
    }
    return render(request, "staff/termination.html", context)


@signed_in(rules.is_clinician)
@require_POST
def maintenance_start(request, pk: int):
    try:
        ending.start_maintenance(request, pk)
    except InvalidInput as exc:
        messages.error(request, " ".join(messages_of(exc)))
        return redirect("termination", pk=pk)
    messages.success(request, _("A maintenance course was opened: agree its contract with the client."))
    return redirect("contract_edit", pk=pk)


@signed_in(rules.is_clinical_staff)
@require_GET
def course_summary(request, pk: int):
    """One printable page: formulation, circle, scores, goals, sessions and the relapse plan."""
    client, course = courses.course_for_print(request, pk)
    if course is None:
        return redirect("course_detail", pk=pk)
    spec = protocol.get()
    entries = inventory.current_entries(course)
    formulation = Formulation.objects.filter(course=course).first()
    plan = RelapsePreventionPlan.objects.filter(course=course).first()
    measures = progress.for_course(course, request.user)
    overview = courses.course_overview(course)
    context = {
        "client": client,
        "course": course,
        "formulation": formulation,
        "area_names": {a.id: spec.problem_area_name(a.id, course.variant) for a in spec.problem_areas},
        "circle": circle_for(entries, centre=first_name(client), for_client=False) if entries else None,
        "measures": measures,
        "outcomes": summarise(course, [r for m in measures for r in m.responses]),
        "off_track": standing.off_track(standing.series_of(measures), overview["reached"] or None),
        # The derived status in the course's own words ("Active", "Ended"), as the summary is of the course.
        "status": CourseStatus(standing.status_of(course, overview["reached"])).label,
        "goals": list(course.goals.filter(entered_in_error_at__isnull=True)),
        "plan_sections": [
            (s, (plan.sections if plan else {}).get(s.id, "")) for s in spec.relapse_prevention.sections
        ],
        "plan": plan,
        "stage_names": {st.id: st.name for st in spec.problem_area("role_dispute").stages},
        "ending_names": {e.id: e.name for e in spec.relapse_prevention.endings},
        "printed_at": timezone.now(),
        **overview,
    }
    return render(request, "staff/course_summary.html", context)
