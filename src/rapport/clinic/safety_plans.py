"""The safety plan (spec 3.3): built with the clinician, editable by the client, every saved
version kept, and the date it was last reviewed together."""

from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import Role
from rapport.audit import trail
from rapport.audit.models import Action
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
    reviewed = reviewed_together and request.user.role == Role.CLINICIAN
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
