"""My plan: the shared formulation and goals, the tasks with "how it went", and progress."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rapport.clinic import plan as plans
from rapport.clinic import portal, rules
from rapport.clinic.models import TaskOutcome
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.forms import posted_version
from rapport.portal.shared import crisis_context, open_free_text_alert, report_of


def _plan_context(request, client, *, audit: bool = True) -> dict:
    plan = plans.my_plan(request, client, audit=audit)
    tasks = [(s, report_of(s)) for s in plan.tasks]
    return {
        "client": client,
        "plan": plan,
        "course": plan.course,
        "formulation": plan.formulation,
        "areas": plan.areas,
        "goals": plan.goals,
        "attended": plan.attended,
        "planned": plan.planned,
        "left": plan.left,
        "next_session": plan.next_session,
        "tasks": tasks,
        "outcomes": TaskOutcome.choices,
        "charts": plan.charts,
        "task_errors": {},
        "task_values": {},
        "task_conflicts": set(),
        "support": any(open_free_text_alert(client, report) for _s, report in tasks),
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
        # The page shown again after a refused save: the save is the audited event, not a read.
        context = _plan_context(request, client, audit=False)
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
