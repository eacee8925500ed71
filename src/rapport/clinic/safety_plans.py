"""The safety plan (spec 3.3): built with the clinician, editable by the client, every saved
version kept, and the date it was last reviewed together."""

from django.db import transaction
from django.utils import timezone

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic import rules
from rapport.clinic.client_records import get_client_for
from rapport.clinic.models import SafetyPlan, SafetyPlanVersion
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.records import save_versioned
from rapport.core import safety_plan as template


def plan_for(request, client_id: int, *, audit: bool = True) -> tuple[object, SafetyPlan | None]:
    """(client, plan or None). Clinical staff and the client themselves read it."""
    client = get_client_for(request, client_id, "clinic.view_client", audit=False)
    plan = SafetyPlan.objects.filter(client=client).select_related("last_reviewed_by", "updated_by").first()
    if audit:
        # Reading that there is no plan yet is still a read of the safety plan.
        trail.record(request, Action.READ, client=client, obj=plan, object_type="SafetyPlan")
    return client, plan


def sections_for_display(plan: SafetyPlan | None) -> list[tuple[object, list[dict]]]:
    """Each template section in order with the plan's items (empty list where none)."""
    saved = plan.sections if plan is not None else {}
    return [(section, saved.get(section.id, [])) for section in template.template().sections]


# The editor both the clinician's page and the client's use: each section's saved items, then
# blank rows to add to (so no script is needed), and a "remove" box on every filled row.
EDITOR_BLANK_ROWS = 2


def rows_from_post(post) -> tuple[dict, dict]:
    """The plan as posted (`<section>-<row>-<field>`, rows in order), and the rows to show again
    (typed text kept, removals remembered). A removed row is sent as a blank one, so the index
    of every other row, which the messages of `save` name, stays the index on the page."""
    data, rows = {}, {}
    for section in template.template().sections:
        try:
            count = int(post.get(f"{section.id}-rows", 0))
        except ValueError:
            count = 0
        count = max(0, min(count, template.MAX_ITEMS + EDITOR_BLANK_ROWS + 10))
        items, shown = [], []
        for index in range(count):
            values = {field: post.get(f"{section.id}-{index}-{field}", "") for field in section.fields}
            removed = bool(post.get(f"{section.id}-{index}-remove"))
            items.append(dict.fromkeys(section.fields, "") if removed else values)
            shown.append({"values": values, "removed": removed})
        data[section.id], rows[section.id] = items, shown
    return data, rows


def rows_from_plan(plan: SafetyPlan | None) -> dict:
    """The saved plan's items as editor rows, by section."""
    saved = plan.sections if plan is not None else {}
    return {
        section.id: [{"values": item, "removed": False} for item in saved.get(section.id, [])]
        for section in template.template().sections
    }


def editor_sections(rows: dict, errors: dict) -> list[tuple[template.Section, list[dict], list[str]]]:
    """Each section with its rows (saved or typed items, then blank ones) and the messages for
    the section and for each row: (section, rows, section messages)."""
    shown: list[tuple[template.Section, list[dict], list[str]]] = []
    for section in template.template().sections:
        section_rows = list(rows.get(section.id, []))
        filled = [r for r in section_rows if any(str(v).strip() for v in r["values"].values())]
        blanks = max(EDITOR_BLANK_ROWS - (len(section_rows) - len(filled)), 0)
        section_rows += [{"values": {}, "removed": False} for _ in range(blanks)]
        for index, row in enumerate(section_rows):
            row["index"] = index
            row["errors"] = errors.get(f"{section.id}-{index}", [])
            # A row with nothing in it is an offer to add, whether it came back from a post or not.
            row["new"] = not any(str(v).strip() for v in row["values"].values())
            row["fields"] = [(field, row["values"].get(field, "")) for field in section.fields]
        shown.append((section, section_rows, errors.get(section.id, [])))
    return shown


def save(request, client_id: int, data: dict, version: int, *, reviewed_together: bool = False) -> SafetyPlan:
    """Save the whole plan. `version` is the one the editor started from (0 for a new plan);
    a save from an older version is refused so that nobody's changes vanish."""
    client = get_client_for(request, client_id, "clinic.change_safety_plan", audit=False)
    try:
        sections = template.clean(data)
    except template.InvalidPlan as exc:
        errors: dict[str, list[str]] = {}
        for section, index, message in exc.problems:
            key = section if index is None else f"{section}-{index}"
            errors.setdefault(key, []).append(message)
        raise InvalidInput(errors) from None
    reviewed = reviewed_together and rules.is_clinician(request.user)
    now = timezone.now()
    values = {
        "sections": sections,
        "template_version": template.template().version,
        "updated_by": request.user,
    }
    if reviewed:
        values.update(last_reviewed_with_clinician_at=now, last_reviewed_by=request.user)
    with transaction.atomic():
        plan = SafetyPlan.objects.filter(client=client).first()
        if plan is None:
            if version not in (0, None):
                raise EditConflict(None)
            plan = SafetyPlan.objects.create(client=client, **values)
            trail.record(request, Action.CREATE, client=client, obj=plan)
        else:
            save_versioned(SafetyPlan, plan.pk, version, **values)
            plan.refresh_from_db()
            trail.record(
                request, Action.UPDATE, client=client, obj=plan, detail={"reviewed_together": reviewed}
            )
        SafetyPlanVersion.objects.create(
            plan=plan,
            version=plan.version,
            sections=sections,
            saved_by=request.user,
            saved_at=now,
            reviewed_together=reviewed,
        )
    return plan


def history(request, client_id: int) -> tuple[object, SafetyPlan | None, list[SafetyPlanVersion]]:
    client, plan = plan_for(request, client_id)
    versions = list(plan.versions.select_related("saved_by").order_by("-version")) if plan else []
    return client, plan, versions
