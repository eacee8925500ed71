"""Termination: the relapse-prevention plan, the comparison with the baseline, how the course
ends (the therapist's judgement) and, for continuation, a maintenance contract (spec 1.9)."""

from typing import cast

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic.client_records import get_client_for
from rapport.clinic.measurement import current_course
from rapport.clinic.models import Course, CourseStatus, RelapsePreventionPlan
from rapport.common.errors import EditConflict, InvalidInput, invalid
from rapport.common.records import deny, save_versioned
from rapport.core import protocol


class PlanForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        spec = protocol.get().relapse_prevention
        for section in spec.sections:
            self.fields[section.id] = forms.CharField(
                label=section.name,
                help_text=section.client_prompt,
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.fields["ending"] = forms.ChoiceField(
            label=_("How the course is ending (your judgement)"),
            choices=[("", _("Not decided yet"))] + [(e.id, e.name) for e in spec.endings],
            required=False,
        )
        self.fields["next_step"] = forms.CharField(
            label=_("What happens next"),
            required=False,
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )


def load(request, client_id: int, perm: str = "clinic.view_client", *, audit: bool = True):
    client = get_client_for(request, client_id, perm, audit=audit)
    course = current_course(client)
    if course is None:
        deny(request, client_id=client.pk, detail={"object_type": "Course"})
    plan = RelapsePreventionPlan.objects.filter(course=course).first() or RelapsePreventionPlan(course=course)
    return client, course, plan


def initial(plan: RelapsePreventionPlan) -> dict:
    return {**plan.sections, "ending": plan.ending, "next_step": plan.next_step}


def save_plan(request, client_id: int, data, version: int) -> RelapsePreventionPlan:
    client, course, plan = load(request, client_id, "clinic.change_client", audit=False)
    form = PlanForm(data)
    if not form.is_valid():
        raise invalid(form)
    sections = {
        s.id: form.cleaned_data[s.id].strip()
        for s in protocol.get().relapse_prevention.sections
        if form.cleaned_data[s.id].strip()
    }
    values = {
        "sections": sections,
        "ending": form.cleaned_data["ending"],
        "next_step": form.cleaned_data["next_step"],
    }
    with transaction.atomic():
        if plan.pk is None:
            if version != 0:
                raise EditConflict(plan)
            plan = RelapsePreventionPlan.objects.create(course=course, **values)
            trail.record(request, Action.CREATE, client=client, obj=plan)
        else:
            save_versioned(RelapsePreventionPlan, plan.pk, version, **values)
            trail.record(request, Action.UPDATE, client=client, obj=plan)
    return RelapsePreventionPlan.objects.get(pk=plan.pk)


def start_maintenance(request, client_id: int) -> Course:
    """End the acute course and open a maintenance course with its own contract to agree."""
    client, course, plan = load(request, client_id, "clinic.change_client", audit=False)
    continuation = next(e for e in protocol.get().relapse_prevention.endings if e.new_contract_variant)
    if plan.ending != continuation.id:
        raise InvalidInput({"ending": [str(_("Record continuation as the ending first."))]})
    variant = protocol.get().variant(cast(str, continuation.new_contract_variant))  # chosen for having one
    with transaction.atomic():
        if course.status != CourseStatus.ENDED:
            save_versioned(
                Course,
                course.pk,
                course.version,
                status=CourseStatus.ENDED,
                ending_reason="completed",
                ended_on=timezone.localdate(),
            )
            trail.record(
                request,
                Action.UPDATE,
                client=client,
                obj=course,
                detail={"fields": ["status", "ending_reason"]},
            )
        maintenance = Course.objects.create(
            client=client,
            variant=variant.id,
            status=CourseStatus.MAINTENANCE,
            planned_sessions=variant.sessions.default or variant.sessions.min,
            frequency="",
        )
        trail.record(request, Action.CREATE, client=client, obj=maintenance)
    return maintenance
