"""The client's own safety plan: read, edit, and its versions."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rapport.clinic import portal, rules, safety_plans
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.forms import posted_version
from rapport.portal.shared import crisis_context


@signed_in(rules.is_client_user)
@require_GET
def my_safety_plan(request):
    client = portal.my_record(request)
    client, plan = safety_plans.plan_for(request, client.pk)
    context = {
        "client": client,
        "plan": plan,
        "sections": safety_plans.sections_for_display(plan),
        **crisis_context(client, with_plan=False),
    }
    return render(request, "portal/safety_plan.html", context)


@signed_in(rules.is_client_user)
@require_http_methods(["GET", "POST"])
def my_safety_plan_edit(request):
    client = portal.my_record(request)
    client, plan = safety_plans.plan_for(request, client.pk, audit=request.method == "GET")
    version = plan.version if plan else 0
    rows, errors, conflict, conflicted = safety_plans.rows_from_plan(plan), {}, None, False
    if request.method == "POST":
        data, rows = safety_plans.rows_from_post(request.POST)
        version = posted_version(request)
        try:
            safety_plans.save(request, client.pk, data, version)
        except InvalidInput as exc:
            errors = exc.errors
        except EditConflict:
            # Keep what the client typed; show the plan as it is saved now, and let the next
            # press of Save keep theirs, knowingly.
            conflicted = True
            _client, conflict = safety_plans.plan_for(request, client.pk, audit=False)
            version = conflict.version if conflict else 0
        else:
            messages.success(request, _("Your safety plan is saved."))
            if request.POST.get("action") == "more":
                return redirect("my_safety_plan_edit")
            return redirect("my_safety_plan")
    context = {
        "client": client,
        "plan": plan,
        "version": version,
        "sections": safety_plans.editor_sections(rows, errors),
        "errors": errors,
        "conflicted": conflicted,
        "conflict_sections": safety_plans.sections_for_display(conflict) if conflict else [],
        "labels": {"text": _("What"), "phone": _("Phone number"), "available_hours": _("When")},
    }
    return render(request, "portal/safety_plan_edit.html", context)


@signed_in(rules.is_client_user)
@require_GET
def my_safety_plan_history(request):
    client = portal.my_record(request)
    client, plan, versions = safety_plans.history(request, client.pk)
    context = {
        "client": client,
        "plan": plan,
        "versions": [(v, safety_plans.sections_for_display(v)) for v in versions],
    }
    return render(request, "portal/safety_plan_history.html", context)
