"""The client's own safety plan: read, edit, and its versions."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rapport.clinic import portal, rules, safety_plans
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.forms import posted_version
from rapport.core import safety_plan as plan_template
from rapport.portal.shared import crisis_context

EMPTY_ROWS = 2  # blank rows offered under each safety plan section, so no script is needed to add


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


def _rows_from_post(post) -> tuple[dict, dict]:
    """The plan as posted, and the rows to show again (typed text kept, removals remembered).
    A removed row is sent as a blank one, so the index of every other row, which the service's
    messages name, stays the index on the page."""
    data, rows = {}, {}
    for section in plan_template.template().sections:
        try:
            count = int(post.get(f"{section.id}-rows", 0))
        except ValueError:
            count = 0
        count = max(0, min(count, plan_template.MAX_ITEMS + EMPTY_ROWS + 10))
        items, shown = [], []
        for index in range(count):
            values = {field: post.get(f"{section.id}-{index}-{field}", "") for field in section.fields}
            removed = bool(post.get(f"{section.id}-{index}-remove"))
            items.append({field: "" for field in section.fields} if removed else values)
            shown.append({"values": values, "removed": removed})
        data[section.id], rows[section.id] = items, shown
    return data, rows


def _rows_from_plan(plan) -> dict:
    saved = plan.sections if plan is not None else {}
    return {
        section.id: [{"values": item, "removed": False} for item in saved.get(section.id, [])]
        for section in plan_template.template().sections
    }


def _editor_sections(rows: dict, errors: dict) -> list:
    """Each section with its rows (saved items, then blank ones) and the messages for each."""
    shown = []
    for section in plan_template.template().sections:
        section_rows = list(rows.get(section.id, []))
        filled = [r for r in section_rows if any(str(v).strip() for v in r["values"].values())]
        blanks = max(EMPTY_ROWS - (len(section_rows) - len(filled)), 0)
        section_rows += [{"values": {}, "removed": False, "new": True} for _ in range(blanks)]
        for index, row in enumerate(section_rows):
            row["index"] = index
            row["errors"] = errors.get(f"{section.id}-{index}", [])
            # A row with nothing in it is an offer to add, whether it came back from a post or not.
            row["new"] = not any(str(v).strip() for v in row["values"].values())
            row["fields"] = [(field, row["values"].get(field, "")) for field in section.fields]
        shown.append((section, section_rows, errors.get(section.id, [])))
    return shown


@signed_in(rules.is_client_user)
@require_http_methods(["GET", "POST"])
def my_safety_plan_edit(request):
    client = portal.my_record(request)
    client, plan = safety_plans.plan_for(request, client.pk, audit=request.method == "GET")
    version = plan.version if plan else 0
    rows, errors, conflict, conflicted = _rows_from_plan(plan), {}, None, False
    if request.method == "POST":
        data, rows = _rows_from_post(request.POST)
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
        "sections": _editor_sections(rows, errors),
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
