"""What several portal pages share: the client's record when linked, and the crisis panel's context."""

from django.http import Http404

from rapport.accounts import organisation
from rapport.clinic import portal, safety_plans
from rapport.clinic.models import (
    AlertSource,
    AlertStatus,
    RiskAlert,
    SafetyPlan,
    TaskReport,
)
from rapport.core import crisis


def record_or_none(request):
    try:
        return portal.my_record(request)
    except Http404:
        return None


def crisis_context(client, *, tier: str = "T3", with_plan: bool = True) -> dict:
    """What every crisis panel needs: the client's country's lines (the generic entry for a
    country without a file), whether the clinic is open now, and the safety plan."""
    plan = None
    if client is not None and with_plan:
        plan = SafetyPlan.objects.filter(client=client, entered_in_error_at__isnull=True).first()
    sections = [(s, items) for s, items in safety_plans.sections_for_display(plan) if items] if plan else []
    return {
        "crisis": crisis.for_country(str(client.country) if client is not None else None),
        "open_now": organisation.is_open(client.organisation) if client is not None else False,
        "tier": tier,
        "plan_sections": sections,
    }


def report_of(session):
    try:
        return session.task_report
    except TaskReport.DoesNotExist:
        return None


def open_free_text_alert(client, record) -> bool:
    """Whether what the client wrote in this record raised a review that is still open (the page
    then offers help, as a T1 answer does)."""
    if record is None or record.pk is None:
        return False
    return RiskAlert.objects.filter(
        client=client,
        source=AlertSource.FREE_TEXT,
        source_record__type=type(record).__name__,
        source_record__id=record.pk,
        status=AlertStatus.OPEN,
    ).exists()
