"""The safety plan as the clinician builds it with the client, and its versions."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rapport.clinic import rules, safety_plans
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput, page_errors
from rapport.common.forms import posted_version
from rapport.core import safety_plan as plan_template


@signed_in(rules.is_clinical_staff)
@require_http_methods(["GET", "POST"])
def safety_plan(request, pk: int):
    client, plan = safety_plans.plan_for(request, pk, audit=request.method == "GET")
    version = plan.version if plan else 0
    errors, conflict, reviewed = {}, None, False
    rows = safety_plans.rows_from_plan(plan)
    if request.method == "POST":
        data, rows = safety_plans.rows_from_post(request.POST)
        reviewed = request.POST.get("reviewed_together") == "on"
        version = posted_version(request)
        try:
            safety_plans.save(request, pk, data, version, reviewed_together=reviewed)
        except InvalidInput as exc:
            errors = page_errors(exc)
        except EditConflict as exc:
            # Someone else saved the plan meanwhile: keep what was typed, show what is saved now.
            conflict = True
            version = exc.current.version if exc.current is not None else 0
        else:
            messages.success(request, _("The safety plan was saved."))
            return redirect("safety_plan", pk=pk)
    context = {
        "client": client,
        "plan": plan,
        "shown": safety_plans.sections_for_display(plan),
        "sections": safety_plans.editor_sections(rows, errors),
        "version": version,
        "errors": errors,
        "conflict": conflict,
        "reviewed": reviewed,
        "can_change": request.user.has_perm("clinic.change_safety_plan", client),
        "template": plan_template.template(),
    }
    return render(request, "staff/safety_plan.html", context)


@signed_in(rules.is_clinical_staff)
@require_GET
def safety_plan_history(request, pk: int):
    client, plan, versions = safety_plans.history(request, pk)
    template = plan_template.template()
    shown = [
        (v, [(section, v.sections.get(section.id, [])) for section in template.sections]) for v in versions
    ]
    return render(
        request, "staff/safety_plan_history.html", {"client": client, "plan": plan, "versions": shown}
    )
