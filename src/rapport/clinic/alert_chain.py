"""How an alert reaches a person: raised, told, e-mailed, escalated, and the background jobs
(django-tasks, database back-end; run by `rapport db_worker`) that drive the last two.

Whatever raises an alert (an answer, the help button, a clinician, a phrase in free text) comes
through `raise_alert`, which writes, in the caller's transaction, the alert, an in-app
notification and an e-mail record for each person to tell, and the jobs that send the e-mails
and check the escalation deadline. Sending is a job's work: a mail server that is down costs a
retry, never the alert. Escalation reads the database, not the job that was queued for it, so a
worker that crashed mid-job is caught up by the next job or sweep; and each job queues its own
retry before it starts, so that a run that fails part-way is run again rather than forgotten.
"""

import logging
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from rapport.accounts.models import Role, User
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic.models import (
    AlertDelivery,
    AlertSource,
    AlertStatus,
    AlertTrigger,
    Client,
    DeliveryStatus,
    Notification,
    RiskAlert,
)
from rapport.core import instruments, scoring, triage

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


def people_for(alert: RiskAlert, level: int) -> list[User]:
    """Who is told about this alert at an escalation level: the client's chain, or for a
    referral's alert (no client yet) the intake team's chain of the same steps."""
    client = alert.client
    if client is None:
        from rapport.intake import team

        return team.recipients(alert, level)
    return recipients(client, level)


def _deadline(tier: str, now):
    within = triage.triage_rules().tier(tier).acknowledge_within
    return now + within if within else None


def _tell(alert: RiskAlert, level: int, *, raised_from: str = "") -> int:
    """Notify everyone at `level` (in-app and by e-mail jobs); the next level with anyone in it
    when this one is empty. Returns the level actually told, or -1 when nobody is left.
    `raised_from`: the tier the alert had before a later trigger of its episode raised it."""

    while level < len(triage.triage_rules().escalation_chain):
        people = people_for(alert, level)
        if people:
            break
        level += 1
    else:
        return -1
    step = triage.triage_rules().escalation_chain[level]
    if alert.client is None:
        subject, body = _about_referral(alert, level, step)
    else:
        subject, body = _about_client(alert, alert.client, level, step, raised_from)
    # One INSERT each for the notifications and the e-mail records, whatever the care team's size
    # (nothing listens for their saves); each e-mail is then its own job.
    Notification.objects.bulk_create(
        Notification(
            recipient=person,
            client=alert.client,
            alert=alert,
            kind="referral" if alert.client_id is None else "",
            subject=subject,
            body=body,
        )
        for person in people
    )
    deliveries = AlertDelivery.objects.bulk_create(
        AlertDelivery(alert=alert, recipient=person, escalation_level=level) for person in people
    )
    for delivery in deliveries:
        send_alert_email.enqueue(delivery.pk)
    return level


def _about_client(
    alert: RiskAlert, client: Client, level: int, step: str, raised_from: str
) -> tuple[str, str]:
    names = {"before": raised_from, "tier": alert.tier, "client": client.pk}
    if raised_from:
        subject = _("Risk alert raised from %(before)s to %(tier)s for client #%(client)s") % names
    elif level == 0:
        subject = _("Risk alert (%(tier)s) for client #%(client)s") % names
    else:
        subject = _("Escalated: risk alert (%(tier)s) for client #%(client)s not acknowledged") % names
    if step != "organisation_administrators":
        return subject, _("Open the alert to acknowledge it and record what was done.")
    # Administrators read no clinical record, so "open the alert" would lead them nowhere:
    # tell them whom to reach instead.
    supervisors = ", ".join(str(s) for s in client.team.supervisors.all()) or _("none")
    body = _(
        "Nobody has acknowledged this alert yet. Reach the client's clinician (%(clinician)s) or "
        "the team's supervisor (%(supervisors)s) now, or the clinic's on-call arrangement."
    ) % {"clinician": client.responsible_clinician, "supervisors": supervisors}
    return subject, body


def _about_referral(alert: RiskAlert, level: int, step: str) -> tuple[str, str]:
    # Names nobody: the referral's reference is enough to find it in the inbox.
    names = {"tier": alert.tier}
    if level == 0:
        subject = _("Urgent referral (%(tier)s): a risk answer in the screening") % names
    else:
        subject = _("Escalated: urgent referral (%(tier)s) not yet acknowledged by intake") % names
    if step == "organisation_administrators":
        body = _(
            "Nobody in the intake team has acknowledged an urgent referral yet. Reach an intake "
            "worker or a supervisor now, or the clinic's on-call arrangement."
        )
    else:
        body = _("Open the referral inbox: read the urgent referral and acknowledge it.")
    return subject, body


def raise_alert(
    request,
    client: Client | None,
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
            check_escalations.using(run_after=alert.escalate_at).enqueue()
    return alert


def carries_risk(result) -> bool:
    return result.risk_level != "none" or bool(result.risk_flags)


def risk_in_valid_answers(instrument, answers) -> scoring.Result | None:
    """The valid risk answers of a submission refused for a problem elsewhere, scored on their
    own, when they carry risk: a typo in one item never hides a positive risk item. None when
    they carry none, or contradict the branching themselves (nothing sound to judge)."""
    if not isinstance(answers, dict):
        return None
    risky = {
        item.id: answers[item.id]
        for item in instrument.risk_items
        if isinstance(answers.get(item.id), str) and answers[item.id] in item.options_by_code
    }
    try:
        result = scoring.score(instrument, risky)
    except scoring.InvalidAnswers:
        return None
    return result if carries_risk(result) else None


def level_of(result) -> str:
    """The risk level scored answers carry (a positive risk item alone is the lowest level above
    none, even if no rule of the definition gave it a level)."""
    rules = triage.triage_rules()
    if not carries_risk(result):
        return rules.levels[0]
    return result.risk_level if result.risk_level != "none" else rules.levels[1]


def tier_of_answers(instrument, answers: dict) -> str:
    """The tier that answers given so far (a check-in not yet sent) would raise; T0 for none."""
    try:
        result = scoring.score(instrument, answers)
    except scoring.InvalidAnswers:
        return triage.triage_rules().tier_for(triage.triage_rules().levels[0])
    return triage.triage_rules().tier_for(level_of(result))


def raise_for_result(
    request, client, result, *, response=None, why: tuple[str, ...] = (), source_record=None
) -> RiskAlert:
    """An alert for scored answers whose risk rules fired: a stored response, or answers that
    were never stored (`why` says so). Runs inside the caller's transaction."""
    rules = triage.triage_rules()
    level = level_of(result)
    reasons = [*why, *result.fired_rules, *(f"item:{i}" for i in result.risk_flags)]
    if response is not None:
        episode = episode_alert(client, response.instrument)
        if episode is not None:
            joined = _join_episode(request, episode.pk, level=level, reasons=reasons, response=response)
            if joined is not None:
                return joined
    return raise_alert(
        request,
        client,
        tier=rules.tier_for(level),
        risk_level=level,
        source=AlertSource.QUESTIONNAIRE,
        reasons=reasons,
        response=response,
        source_record=source_record,
    )


def join_raised(request, alert: RiskAlert | None, result, response) -> bool:
    """Let a stored response take over the alert its answers already raised when an earlier send
    was refused, so that correcting and saving never raises the same risk twice. False (raise a
    new alert) when there is none, it is closed or holds a response already, or the response's
    tier is higher."""
    if alert is None:
        return False
    rules = triage.triage_rules()
    tier = rules.tier_for(level_of(result))
    if rules.higher_tier(alert.tier, tier) != alert.tier:
        return False
    joined = (
        RiskAlert.objects.filter(pk=alert.pk, response__isnull=True)
        .exclude(status=AlertStatus.CLOSED)
        .update(response=response)
    )
    if not joined:
        return False
    trail.record(
        request,
        Action.UPDATE,
        client=alert.client,
        obj=alert,
        detail={"step": "joined_by_saved_answers", "response": response.pk},
    )
    return True


def follow_up_instruments() -> set[str]:
    """Instruments that some risk rule gives next (the C-SSRS screener): only these join an
    episode, so a routine questionnaire costs no episode lookup."""
    return {
        target for i in instruments.all_instruments() for rule in i.risk_rules for target in rule.follow_up
    }


def episode_alert(client: Client, instrument_id: str, now=None) -> RiskAlert | None:
    """The unresolved questionnaire alert of the same check-in or visit that called for this
    follow-up questionnaire (triage_rules.yaml `episode`), if any: the newest one."""
    window = triage.triage_rules().episode_window
    if window is None or instrument_id not in follow_up_instruments():
        return None
    now = now or timezone.now()
    candidates = (
        RiskAlert.objects.filter(
            client=client,
            source=AlertSource.QUESTIONNAIRE,
            created_at__gte=now - window,
            response__isnull=False,
            response__entered_in_error_at__isnull=True,
        )
        .exclude(status=AlertStatus.CLOSED)
        .select_related("response")
        .order_by("-created_at", "-id")
    )
    for alert in candidates:
        response = alert.response
        if response is None:  # excluded by the query; this tells the type checker
            continue
        try:
            wanted = scoring.score(response.instrument, response.answers).follow_up
        except (scoring.InvalidAnswers, instruments.UnknownInstrument):
            continue
        if instrument_id in wanted:
            return alert
    return None


def _join_episode(request, alert_id: int, *, level: str, reasons: list[str], response) -> RiskAlert | None:
    """Add a follow-up's risk to its episode's alert: the tier rises if the follow-up's is higher
    (never falls), the history gains an entry, and the people told hear of the higher tier. An
    acknowledged alert whose tier rises is open again, so that the higher tier still needs a
    person's acknowledgement and escalates without one. None when the alert was resolved in the
    meantime or kept changing (the caller then raises a new alert: the signal is never lost)."""
    rules = triage.triage_rules()
    now = timezone.now()
    user = getattr(request, "user", None)
    tier = rules.tier_for(level)
    with transaction.atomic():
        for _attempt in range(3):
            alert = (
                # Lock the alert row only: the joined acknowledger may be null, and PostgreSQL
                # cannot lock the nullable side of an outer join.
                RiskAlert.objects.select_for_update(of=("self",))
                .select_related("client", "acknowledged_by")
                .filter(pk=alert_id)
                .first()
            )
            if alert is None or alert.status == AlertStatus.CLOSED:
                return None
            before = alert.tier
            after = rules.higher_tier(before, tier)
            values: dict = {"reasons": [*alert.reasons, *reasons], "version": alert.version + 1}
            reopened: dict = {}
            if after != before:
                deadline = _deadline(after, now)
                values.update(tier=after, risk_level=rules.highest([alert.risk_level, level]))
                if alert.status == AlertStatus.ACKNOWLEDGED:
                    reopened = {
                        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else "",
                        "acknowledged_by": str(alert.acknowledged_by or ""),
                        "note": alert.acknowledgement_note,
                    }
                    values.update(
                        status=AlertStatus.OPEN,
                        acknowledged_at=None,
                        acknowledged_by=None,
                        acknowledgement_note="",
                        escalate_at=deadline,
                    )
                else:
                    due = alert.escalate_at
                    values["escalate_at"] = min(due, deadline) if due else deadline
            # Compare-and-set on the version read: a colleague's acknowledgement or resolution
            # in between is read again rather than written over.
            if RiskAlert.objects.filter(pk=alert.pk, version=alert.version).update(**values) == 1:
                break
        else:
            return None
        trigger = AlertTrigger.objects.create(
            alert=alert,
            response=response,
            raised_by=user if user is not None and user.is_authenticated else None,
            risk_level=level,
            tier=tier,
            tier_before=before,
            tier_after=after,
            reasons=reasons,
            reopened=reopened,
            created_at=now,
        )
        trail.record(
            request,
            Action.UPDATE,
            client=alert.client,
            obj=alert,
            detail={
                "step": "tier_raised" if after != before else "trigger_added",
                "from": before,
                "to": after,
                "trigger": trigger.pk,
                "instrument": response.instrument,
            },
        )
        alert.refresh_from_db()
        if after != before:
            # Everyone told so far hears of the higher tier (T3 reaches the whole chain reached).
            level_told = 0
            while level_told <= alert.escalation_level:
                told = _tell(alert, level_told, raised_from=before)
                if told < 0:
                    break
                level_told = told + 1
            if alert.escalate_at is not None:
                check_escalations.using(run_after=alert.escalate_at).enqueue()
    return alert


def alert_of_response(response) -> RiskAlert | None:
    """The alert a response raised, or the episode's alert that it joined."""
    return (
        RiskAlert.objects.filter(Q(response=response) | Q(triggers__response=response))
        .select_related("client")
        .first()
    )


def escalate_due(now=None) -> int:
    """Escalate every open alert past its deadline, one level up the chain; also send any
    e-mail that is due (retries, and those whose job died). Safe to run twice at once."""

    now = now or timezone.now()
    escalated = 0
    for alert_id in RiskAlert.objects.filter(status=AlertStatus.OPEN, escalate_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            # The alert's row alone: a referral's alert has no client, and PostgreSQL will not lock
            # the nullable side of an outer join.
            alert = (
                RiskAlert.objects.select_for_update(of=("self",)).select_related("client").get(pk=alert_id)
            )
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
                check_escalations.using(run_after=_deadline(alert.tier, now)).enqueue()
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

    now = now or timezone.now()
    claimed = AlertDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + CLAIM_FOR)
    if not claimed:
        return "not due"
    delivery = AlertDelivery.objects.select_related("alert", "recipient").get(pk=delivery_id)
    alert = delivery.alert
    # Administrators cannot open the alert itself; their page lists the alerts sent to them.
    # A referral's alert is read in the intake inbox, where it is acknowledged.
    if delivery.recipient.role == Role.ADMINISTRATOR:
        page = reverse("administration")
    elif alert.client_id is None:
        page = reverse("intake_inbox")
    else:
        page = reverse("alert_detail", args=[alert.pk])
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
            send_alert_email.using(run_after=next_at).enqueue(delivery.pk)
        return "failed"
    AlertDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, attempts=delivery.attempts + 1, sent_at=now, last_error=""
    )
    return "sent"


# How soon a job that failed part-way is tried again.
RETRY_INTERRUPTED_AFTER = timedelta(minutes=1)


@contextmanager
def _retried_unless_finished(job, *args, after: timedelta = RETRY_INTERRUPTED_AFTER):
    # The copy is committed before the work starts, so it survives an exception and also a worker
    # killed mid-job (no `finally` would run then). Once the work is done it is withdrawn.
    retry = job.using(run_after=timezone.now() + after).enqueue(*args)
    yield
    DBTaskResult.objects.filter(pk=retry.id, status=TaskResultStatus.READY).delete()


@task()
def send_alert_email(delivery_id: int) -> str:
    # A run that dies after claiming the e-mail leaves it claimed for CLAIM_FOR: retry after that.
    with _retried_unless_finished(send_alert_email, delivery_id, after=CLAIM_FOR):
        return deliver(delivery_id)


@task()
def check_escalations() -> int:
    with _retried_unless_finished(check_escalations):
        return escalate_due()
