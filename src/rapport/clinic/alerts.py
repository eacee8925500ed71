"""Risk alerts as people handle them: the help button, a clinician raising risk, risky free text,
the alerts page, acknowledging and resolving. Raising, telling and escalating are in
`alert_chain`.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic.alert_chain import raise_alert
from rapport.clinic.client_records import get_client_for
from rapport.clinic.models import (
    AlertSource,
    AlertStatus,
    Client,
    Notification,
    ResolutionAction,
    RiskAlert,
)
from rapport.common.errors import InvalidInput
from rapport.common.records import deny
from rapport.core import phrases, triage


def help_now(request) -> RiskAlert | None:
    """The client pressed "I need help now": a T3 alert, unless one from the button is still open
    from the last ten minutes (pressing again must not bury the first)."""
    client = Client.objects.visible_to(request.user).filter(user=request.user).first()
    if client is None:
        return None
    trigger = triage.triage_rules().trigger("help_now_button")
    recent = client.alerts.filter(
        source=AlertSource.HELP_BUTTON,
        status=AlertStatus.OPEN,
        created_at__gte=timezone.now() - timedelta(minutes=10),
    ).first()
    if recent is not None:
        return recent
    return raise_alert(
        request,
        client,
        tier=trigger.tier,
        risk_level=_level_of_tier(trigger.tier),
        source=AlertSource.HELP_BUTTON,
        reasons=["help_now_button"],
    )


def _level_of_tier(tier: str) -> str:
    rules = triage.triage_rules()
    return next(level for level in rules.levels if rules.tier_for(level) == tier)


def raise_by_clinician(request, client_id: int, tier: str, note: str) -> RiskAlert:
    client = get_client_for(request, client_id, "clinic.change_client", audit=False)
    errors = {}
    if tier not in ("T1", "T2", "T3"):
        errors["tier"] = [_("Choose a tier: T1, T2 or T3.")]
    if not (note or "").strip():
        errors["note"] = [_("Say why you are raising risk.")]
    elif len(note) > 5000:
        errors["note"] = [_("Keep the note under 5,000 characters.")]
    if errors:
        raise InvalidInput(errors)
    return raise_alert(
        request,
        client,
        tier=tier,
        risk_level=_level_of_tier(tier),
        source=AlertSource.CLINICIAN,
        reasons=["clinician_raised"],
        note=note.strip(),
    )


def screen_text(request, client: Client, record, texts: list[str]) -> RiskAlert | None:
    """Screen a client's free text with the reviewable phrase list (T1, review only). One alert
    per record and phrase: autosaving the same words again raises nothing new."""
    if not phrases.enabled():
        return None
    found = {m.id for text in texts if text for m in phrases.screen(text)}
    if not found:
        return None
    ref = {"type": type(record).__name__, "id": record.pk}
    already: set[str] = set()
    for reasons in RiskAlert.objects.filter(
        client=client, source=AlertSource.FREE_TEXT, source_record=ref
    ).values_list("reasons", flat=True):
        already.update(r.removeprefix("phrase:") for r in reasons)
    new = sorted(found - already)
    if not new:
        return None
    trigger = triage.triage_rules().trigger("free_text_keywords")
    return raise_alert(
        request,
        client,
        tier=trigger.tier,
        risk_level=_level_of_tier(trigger.tier),
        source=AlertSource.FREE_TEXT,
        reasons=[f"phrase:{p}" for p in new],
        source_record=ref,
    )


def visible_alerts(user):
    """Alerts of the clients this person sees (the one source for lists and detail pages)."""
    return RiskAlert.objects.filter(client__in=Client.objects.visible_to(user)).select_related("client")


def alerts_page(request) -> dict:
    """Open and acknowledged alerts first by tier then age, and the last 30 days' resolved."""
    base = visible_alerts(request.user).select_related("client__responsible_clinician", "acknowledged_by")
    rank = Case(
        *(When(tier=t, then=Value(i)) for i, t in enumerate(("T3", "T2", "T1"))),
        default=Value(9),
        output_field=IntegerField(),
    )
    # Open before acknowledged (an alphabetical order of the status would put them last).
    waiting = Case(
        When(status=AlertStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    active = list(
        base.exclude(status=AlertStatus.CLOSED)
        .annotate(waiting=waiting, rank=rank)
        .order_by("waiting", "rank", "created_at")
    )
    resolved = list(
        base.filter(status=AlertStatus.CLOSED, resolved_at__gte=timezone.now() - timedelta(days=30)).order_by(
            "-resolved_at"
        )[:50]
    )
    trail.record(
        request, Action.LIST, detail={"object_type": "RiskAlert", "count": len(active) + len(resolved)}
    )
    return {"active": active, "resolved": resolved}


def get_alert_for(
    request, alert_id: int, perm: str = "clinic.view_alerts", *, audit: bool = True
) -> RiskAlert:
    alert = (
        visible_alerts(request.user)
        .select_related("acknowledged_by", "resolved_by")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None or not request.user.has_perm(perm, alert.client):
        exists = RiskAlert.objects.filter(pk=alert_id).values_list("client_id", flat=True).first()
        deny(request, client_id=exists, detail={"permission": perm, "object_type": "RiskAlert"})
        raise Http404  # pragma: no cover - deny raises
    if audit:
        trail.record(request, Action.READ, client=alert.client, obj=alert)
    return alert


def acknowledge(request, alert_id: int, note: str) -> RiskAlert:
    """Someone has seen it: escalation stops. Only an open alert can be acknowledged."""
    alert = get_alert_for(request, alert_id, "clinic.manage_alerts", audit=False)
    note = (note or "").strip()
    if not note:
        raise InvalidInput({"note": [_("Write a short note: what you saw and what you will do.")]})
    if len(note) > 5000:
        raise InvalidInput({"note": [_("Keep the note under 5,000 characters.")]})
    now = timezone.now()
    with transaction.atomic():
        # The status in the WHERE makes this a compare-and-set: two people acknowledging at once
        # cannot both succeed, and a resolved alert is never reopened.
        changed = RiskAlert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN).update(
            status=AlertStatus.ACKNOWLEDGED,
            acknowledged_at=now,
            acknowledged_by=request.user,
            acknowledgement_note=note,
            escalate_at=None,
            version=alert.version + 1,
        )
        if changed != 1:
            raise InvalidInput({"__all__": [_("Someone else has already acknowledged this alert.")]})
        trail.record(request, Action.UPDATE, client=alert.client, obj=alert, detail={"step": "acknowledged"})
    alert.refresh_from_db()
    return alert


def resolve(request, alert_id: int, action: str, note: str, version: int | None = None) -> RiskAlert:
    """Record what was done. Resolving an open alert acknowledges it in the same step.

    `version` is the alert's version as the person saw it (None: as it is now): a resolution
    written without seeing a colleague's acknowledgement is refused, not recorded over it."""
    alert = get_alert_for(request, alert_id, "clinic.manage_alerts", audit=False)
    if version is not None and version != alert.version:
        raise InvalidInput(
            {
                "__all__": [
                    _("This alert has changed since you opened it: read what changed, then resolve it.")
                ]
            }
        )
    errors = {}
    if action not in ResolutionAction.values:
        errors["action"] = [_("Choose what was done.")]
    note = (note or "").strip()
    if len(note) > 5000:
        errors["note"] = [_("Keep the note under 5,000 characters.")]
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    values = {
        "status": AlertStatus.CLOSED,
        "resolved_at": now,
        "resolved_by": request.user,
        "resolution_action": action,
        "resolution_note": note,
        "escalate_at": None,
        "version": alert.version + 1,
    }
    if alert.acknowledged_at is None:
        values.update(acknowledged_at=now, acknowledged_by=request.user, acknowledgement_note=note)
    with transaction.atomic():
        changed = (
            RiskAlert.objects.filter(pk=alert.pk, version=alert.version)
            .exclude(status=AlertStatus.CLOSED)
            .update(**values)
        )
        if changed != 1:
            raise InvalidInput({"__all__": [_("This alert has changed or is already resolved: reload it.")]})
        trail.record(request, Action.UPDATE, client=alert.client, obj=alert, detail={"step": "resolved"})
        # Nobody needs telling any more: stale notices on everyone's caseload breed alert fatigue
        # (spec 3.1). The alert's page keeps who was told and when.
        Notification.objects.filter(alert=alert, read_at__isnull=True).update(read_at=now)
    alert.refresh_from_db()
    return alert
