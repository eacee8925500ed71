"""Risk alerts from start to end: raised, told, escalated, acknowledged, resolved.

Whatever raises an alert (an answer, the help button, a clinician, a phrase in free text) comes
through `raise_alert`, which writes, in the caller's transaction, the alert, an in-app
notification and an e-mail record for each person to tell, and the jobs that send the e-mails
and check the escalation deadline. Sending is a job's work: a mail server that is down costs a
retry, never the alert. Escalation reads the database, not the job that was queued for it, so a
worker that crashed mid-job is caught up by the next job or sweep.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.accounts.models import Role, User
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic.client_records import get_client_for
from rapport.clinic.models import (
    AlertDelivery,
    AlertSource,
    AlertStatus,
    Client,
    DeliveryStatus,
    Notification,
    ResolutionAction,
    RiskAlert,
)
from rapport.common.errors import InvalidInput
from rapport.common.records import deny
from rapport.core import phrases, triage

log = logging.getLogger(__name__)

# Retries of a failed e-mail: after 1, 5, 15 and 60 minutes, then it is marked failed (the alert
# and its in-app notification stay open and visible whatever happens to the e-mail).
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=60))
# A job that claimed an e-mail and then died leaves it to the sweep after this long.
CLAIM_FOR = timedelta(minutes=5)
LEVELS = ("responsible_clinician", "team_supervisors", "organisation_administrators")
# A positive risk answer saved in a check-in that is still unsent this long after raises its
# alert anyway (sending it in time raises the alert through the response instead).
UNSENT_DRAFT_AFTER = timedelta(minutes=30)


def recipients(client: Client, level: int) -> list[User]:
    """Who is told at an escalation level, by the chain in triage_rules.yaml."""
    chain = triage.triage_rules().escalation_chain
    if level >= len(chain):
        return []
    step = chain[level]
    if step == "responsible_clinician":
        people = [client.responsible_clinician, *client.co_clinicians.all()]
    elif step == "team_supervisors":
        people = list(client.team.supervisors.all())
    elif step == "organisation_administrators":
        people = list(User.objects.filter(organisation_id=client.organisation_id, role=Role.ADMINISTRATOR))
    else:  # pragma: no cover - the loader refuses unknown steps
        raise ValueError(f"unknown escalation step {step!r}")
    seen, found = set(), []
    for person in people:
        if person.is_active and person.pk not in seen:
            seen.add(person.pk)
            found.append(person)
    return found


def _deadline(tier: str, now):
    within = triage.triage_rules().tier(tier).acknowledge_within
    return now + within if within else None


def _tell(alert: RiskAlert, level: int) -> int:
    """Notify everyone at `level` (in-app and by e-mail jobs); the next level with anyone in it
    when this one is empty. Returns the level actually told, or -1 when nobody is left."""
    from rapport.clinic import tasks

    while level < len(triage.triage_rules().escalation_chain):
        people = recipients(alert.client, level)
        if people:
            break
        level += 1
    else:
        return -1
    subject = (
        _("Risk alert (%(tier)s) for client #%(client)s") % {"tier": alert.tier, "client": alert.client_id}
        if level == 0
        else _("Escalated: risk alert (%(tier)s) for client #%(client)s not acknowledged")
        % {"tier": alert.tier, "client": alert.client_id}
    )
    body = _("Open the alert to acknowledge it and record what was done.")
    if triage.triage_rules().escalation_chain[level] == "organisation_administrators":
        # Administrators read no clinical record, so "open the alert" would lead them nowhere:
        # tell them whom to reach instead.
        clinician = alert.client.responsible_clinician
        supervisors = ", ".join(str(s) for s in alert.client.team.supervisors.all()) or _("none")
        body = _(
            "Nobody has acknowledged this alert yet. Reach the client's clinician (%(clinician)s) or "
            "the team's supervisor (%(supervisors)s) now, or the clinic's on-call arrangement."
        ) % {"clinician": clinician, "supervisors": supervisors}
    for person in people:
        Notification.objects.create(
            recipient=person,
            client=alert.client,
            alert=alert,
            subject=subject,
            body=body,
        )
        delivery = AlertDelivery.objects.create(alert=alert, recipient=person, escalation_level=level)
        tasks.send_alert_email.enqueue(delivery.pk)
    return level


def raise_alert(
    request,
    client: Client,
    *,
    tier: str,
    risk_level: str,
    source: str,
    reasons: list[str],
    response=None,
    note: str = "",
    source_record: dict | None = None,
) -> RiskAlert:
    """Write an alert and everything that makes sure a person sees it, in one transaction."""
    from rapport.clinic import tasks

    now = timezone.now()
    user = getattr(request, "user", None)
    with transaction.atomic():
        alert = RiskAlert.objects.create(
            client=client,
            response=response,
            source=source,
            source_record=source_record or {},
            raised_by=user if user is not None and user.is_authenticated else None,
            tier=tier,
            risk_level=risk_level,
            reasons=reasons,
            note=note,
            created_at=now,
            escalate_at=_deadline(tier, now),
        )
        trail.record(
            request, Action.CREATE, client=client, obj=alert, detail={"tier": tier, "source": source}
        )
        told = _tell(alert, 0)
        if told > 0:
            RiskAlert.objects.filter(pk=alert.pk).update(escalation_level=told)
            alert.escalation_level = told
        if alert.escalate_at is not None:
            tasks.check_escalations.using(run_after=alert.escalate_at).enqueue()
    return alert


def carries_risk(result) -> bool:
    return result.risk_level != "none" or bool(result.risk_flags)


def raise_for_result(
    request, client, result, *, response=None, why: tuple[str, ...] = (), source_record=None
) -> RiskAlert:
    """An alert for scored answers whose risk rules fired: a stored response, or answers that
    were never stored (`why` says so). Runs inside the caller's transaction."""
    rules = triage.triage_rules()
    # A positive risk item always alerts, even if no rule of the definition gave it a level.
    level = result.risk_level if result.risk_level != "none" else rules.levels[1]
    return raise_alert(
        request,
        client,
        tier=rules.tier_for(level),
        risk_level=level,
        source=AlertSource.QUESTIONNAIRE,
        reasons=[*why, *result.fired_rules, *(f"item:{i}" for i in result.risk_flags)],
        response=response,
        source_record=source_record,
    )


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
    already = set()
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


# --- Reading and acting on alerts -------------------------------------------------------------


def visible_alerts(user):
    """Alerts of the clients this person sees (the one source for lists and detail pages)."""
    return RiskAlert.objects.filter(client__in=Client.objects.visible_to(user)).select_related("client")


def alerts_page(request) -> dict:
    """Open and acknowledged alerts first by tier then age, and the last 30 days' resolved."""
    base = visible_alerts(request.user).select_related("client__responsible_clinician")
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


# --- What the jobs do ------------------------------------------------------------------------


def escalate_due(now=None) -> int:
    """Escalate every open alert past its deadline, one level up the chain; also send any
    e-mail that is due (retries, and those whose job died). Safe to run twice at once."""
    from rapport.clinic import tasks

    now = now or timezone.now()
    escalated = 0
    for alert_id in RiskAlert.objects.filter(status=AlertStatus.OPEN, escalate_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            alert = RiskAlert.objects.select_for_update().select_related("client").get(pk=alert_id)
            if alert.status != AlertStatus.OPEN or alert.escalate_at is None or alert.escalate_at > now:
                continue
            told = _tell(alert, alert.escalation_level + 1)
            top = told < 0 or told >= len(triage.triage_rules().escalation_chain) - 1
            # Claim by the deadline read: a second sweep that read the same row updates nothing.
            changed = RiskAlert.objects.filter(pk=alert.pk, escalate_at=alert.escalate_at).update(
                escalation_level=told if told >= 0 else alert.escalation_level,
                escalated_at=now,
                escalate_at=None if top else _deadline(alert.tier, now),
            )
            if changed != 1:
                transaction.set_rollback(True)
                continue
            trail.record(
                None,
                Action.UPDATE,
                client=alert.client,
                obj=alert,
                detail={"step": "escalated", "level": told},
            )
            if not top:
                tasks.check_escalations.using(run_after=_deadline(alert.tier, now)).enqueue()
            escalated += 1
    alert_unsent_drafts(now)
    for delivery_id in AlertDelivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).values_list("pk", flat=True):
        deliver(delivery_id, now=now)
    return escalated


def alert_unsent_drafts(now=None) -> int:
    """Alert on each check-in left unsent with a positive risk answer in it (once per draft)."""
    from rapport.clinic.models import CheckInDraft
    from rapport.core import scoring

    now = now or timezone.now()
    raised = 0
    for draft in CheckInDraft.objects.filter(
        response__isnull=True, risk_answered_at__lte=now - UNSENT_DRAFT_AFTER
    ).select_related("client"):
        ref = {"type": "CheckInDraft", "id": draft.pk}
        with transaction.atomic():
            if RiskAlert.objects.filter(client=draft.client, source_record=ref).exists():
                continue
            result = scoring.score(draft.instrument, draft.answers)
            if not carries_risk(result):
                continue  # the client changed the answer before leaving
            raise_for_result(None, draft.client, result, why=("unsent_check_in",), source_record=ref)
            raised += 1
    return raised


def deliver(delivery_id: int, now=None) -> str:
    """Send one alert e-mail. The e-mail names no client: it links to the alert page."""
    from rapport.clinic import tasks

    now = now or timezone.now()
    claimed = AlertDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + CLAIM_FOR)
    if not claimed:
        return "not due"
    delivery = AlertDelivery.objects.select_related("alert", "recipient").get(pk=delivery_id)
    alert = delivery.alert
    # Administrators cannot open the alert itself; their page lists the alerts sent to them.
    page = (
        reverse("administration")
        if delivery.recipient.role == Role.ADMINISTRATOR
        else reverse("alert_detail", args=[alert.pk])
    )
    link = settings.RAPPORT_BASE_URL.rstrip("/") + page
    what = (
        _("Open Rapport to see whom to reach")
        if delivery.recipient.role == Role.ADMINISTRATOR
        else _("Open it to acknowledge it and record what was done")
    )
    try:
        send_mail(
            _("Rapport: a %(tier)s risk alert needs you") % {"tier": alert.tier},
            _(
                "A risk alert (%(tier)s) has been raised%(escalated)s. %(what)s:\n\n%(link)s\n\n"
                "This e-mail holds no client details on purpose."
            )
            % {
                "tier": alert.tier,
                "escalated": _(" and not yet acknowledged") if delivery.escalation_level else "",
                "what": what,
                "link": link,
            },
            None,
            [delivery.recipient.email],
        )
    except Exception as exc:  # any failure of the mail path: keep the record, retry later
        attempts = delivery.attempts + 1
        failed = attempts > len(RETRY_AFTER)
        next_at = now if failed else now + RETRY_AFTER[attempts - 1]
        AlertDelivery.objects.filter(pk=delivery.pk).update(
            attempts=attempts,
            last_error=type(exc).__name__[:200],
            status=DeliveryStatus.FAILED if failed else DeliveryStatus.PENDING,
            next_attempt_at=next_at,
        )
        log.warning("alert e-mail %s failed (attempt %s): %s", delivery.pk, attempts, type(exc).__name__)
        if not failed:
            tasks.send_alert_email.using(run_after=next_at).enqueue(delivery.pk)
        return "failed"
    AlertDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, attempts=delivery.attempts + 1, sent_at=now, last_error=""
    )
    return "sent"
