"""The problem-area formulation page with its decision support, and the course goals."""

from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rapport.clinic import formulation as service
from rapport.clinic import rules
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput, invalid, messages_of
from rapport.common.forms import posted_version, show_refusal
from rapport.core import protocol


@signed_in(rules.is_clinical_staff)
@require_http_methods(["GET", "POST"])
def formulation(request, pk: int):
    perm = "clinic.change_client" if request.method == "POST" else "clinic.view_client"
    client, course, current = service.load(request, pk, perm, audit=request.method == "GET")
    form = service.FormulationForm(instance=current, variant=course.variant)
    version, conflict, errors = (current.version if current.pk else 0), None, {}
    ticked = current.cues
    if request.method == "POST":
        version = posted_version(request)
        form = service.FormulationForm(request.POST, instance=current, variant=course.variant)
        ticked = {a.id: request.POST.getlist(f"cue_{a.id}") for a in protocol.get().problem_areas}
        try:
            if not form.is_valid():
                raise invalid(form)
            values = {name: form.cleaned_data[name] for name in service.FIELDS}
            cues = {area: ids for area, ids in ticked.items() if ids}
            service.update(request, pk, service.FormulationValues(cues=cues, **values), version)
        except (InvalidInput, EditConflict) as exc:
            if isinstance(exc, EditConflict):
                conflict = exc.current
                version = exc.current.version if exc.current.pk else 0
            else:
                # A field's message shows on its field; a cue's in the banner.
                errors = show_refusal(form, exc, rest_on_form=False)
        else:
            messages.success(request, _("The formulation was saved."))
            return redirect("formulation", pk=pk)
    spec = protocol.get()
    areas: list[dict[str, Any]] = [
        {
            "area": area,
            "name": spec.problem_area_name(area.id, course.variant),
            "ticked": set(ticked.get(area.id, [])),
        }
        for area in spec.problem_areas
    ]
    found = service.review(course, current)
    context = {
        "client": client,
        "course": course,
        "form": form,
        "version": version,
        "conflict": conflict,
        "errors": errors,
        "areas": areas,
        "area_names": {a["area"].id: a["name"] for a in areas},
        "suggestions": found.suggestions,
        "set_aside": found.set_aside,
        "questions": [
            # The question's ref is "inventory:<id>": the page links to that person's entry.
            {"question": q, "entry_id": q.ref.partition(":")[2] if q.ref else None}
            for q in found.questions
        ],
        "goals": list(course.goals.filter(entered_in_error_at__isnull=True)),
        "can_change": request.user.has_perm("clinic.change_client", client),
    }
    return render(request, "staff/formulation.html", context)


@signed_in(rules.is_clinician)
@require_POST
def goals_start(request, pk: int):
    try:
        created = service.start_goals(request, pk)
    except InvalidInput as exc:
        messages.error(request, " ".join(messages_of(exc)))
    else:
        messages.success(
            request, _("%(n)s goals were added from the protocol; edit them to fit.") % {"n": len(created)}
        )
    return redirect("formulation", pk=pk)


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def goal_edit(request, pk: int, gid: int):
    client, goal = service.get_goal(request, pk, gid, "clinic.change_client", audit=request.method == "GET")
    form = service.GoalForm(instance=goal)
    version, conflict = goal.version, None
    if request.method == "POST":
        version = posted_version(request)
        form = service.GoalForm(request.POST, instance=goal)
        try:
            if not form.is_valid():
                raise invalid(form)
            values = service.GoalValues(
                text=form.cleaned_data["text"], strategies=form.cleaned_data["strategies"]
            )
            service.update_goal(request, pk, gid, values, version)
        except InvalidInput as exc:
            show_refusal(form, exc)
        except EditConflict as exc:
            conflict, version = exc.current, exc.current.version
        else:
            messages.success(request, _("The goal was saved."))
            return redirect("formulation", pk=pk)
    return render(
        request,
        "staff/goal_form.html",
        {"client": client, "goal": goal, "form": form, "version": version, "conflict": conflict},
    )
