"""The waiting list is watched: the person's private link (their place, cancel, a PHQ-9 re-check)
and the worker job that sends the re-check link every RAPPORT_WAITING_RECHECK_WEEKS.

The link carries a secret of which only the SHA-256 digest is kept; each re-check e-mail carries a
new secret (the digest is replaced, so an older link stops working), because the job cannot
rebuild a secret it never kept. A re-check that is a reliable rise on the PHQ-9 (the outcome
rules' reliable change, core/outcome_rules.yaml) or holds a positive risk answer moves the person
up the list and tells the intake team; a risk answer also raises an urgent alert up the chain."""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic import alert_chain
from rapport.clinic.models import Notification
from rapport.common.errors import InvalidInput
from rapport.common.records import save_versioned
from rapport.core import outcomes, scoring
from rapport.intake import team, waiting
from rapport.intake.models import Recheck, Referral, Status
from rapport.intake.referrals import raise_referral_alert

log = logging.getLogger(__name__)

SESSION_KEY = "intake_waiting_link"
RETRY_AFTER = timedelta(hours=1)


def new_link_secret() -> str:
    return secrets.token_urlsafe(24)


def link_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Place:
    reference: str
    position: int | None
    weeks: int | None
    measured: bool
    recheck_due: bool


def find(secret: str) -> Referral | None:
    """The waiting referral a secret opens, or None (unknown, cancelled, decided: the same)."""
    if not secret:
        return None
    return Referral.objects.filter(
        link_digest=link_digest(secret), status=Status.WAITING, entered_in_error_at__isnull=True
    ).first()


def place_of(referral: Referral, now=None) -> Place:
    now = now or timezone.now()
    scope = (
        {"clinician": referral.waiting_for} if referral.waiting_for_id else {"team": referral.waiting_team}
    )
    wait = waiting.estimated_wait(**scope, now=now)
    position = waiting.position(referral)
    # The wait for this person: the places ahead of them at the list's pace, not a newcomer's.
    weeks = wait.weeks
    if weeks is not None and position is not None and wait.waiting:
        weeks = max(1, round(weeks * position / (wait.waiting + 1)))
    due = referral.next_recheck_at is not None and referral.next_recheck_at <= now
    return Place(referral.reference, position, weeks, wait.measured, due)


def cancel(request, secret: str) -> bool:
    """The person leaves the list. False when the link no longer opens anything."""
    referral = find(secret)
    if referral is None:
        return False
    now = timezone.now()
    with transaction.atomic():
        save_versioned(
            Referral,
            referral.pk,
            referral.version,
            status=Status.CANCELLED,
            left_list_at=now,
            link_digest="",
            next_recheck_at=None,
        )
        trail.record(request, Action.UPDATE, obj=referral, detail={"step": "cancelled_by_person"})
    return True


def recheck(request, secret: str, answers: dict[str, str]) -> Recheck:
    """A PHQ-9 answered while waiting (every item skippable, as at referral)."""
    referral = find(secret)
    if referral is None:
        raise InvalidInput({"__all__": [_("This link no longer works.")]})
    answers = {k: v for k, v in answers.items() if v not in (None, "")}
    try:
        result = scoring.score("phq9", answers)
    except scoring.InvalidAnswers as exc:
        raise InvalidInput({f"phq9.{item}": [_("Select a valid choice.")] for item in exc.items}) from None
    baseline = _baseline(referral)
    reliable = outcomes.outcome_rules().measure("phq9").reliable_change
    worse = (
        result.total is not None
        and baseline is not None
        and reliable is not None
        and result.total - baseline >= reliable
    )
    risky = alert_chain.carries_risk(result)
    now = timezone.now()
    with transaction.atomic():
        check = Recheck.objects.create(
            referral=referral,
            answered_at=now,
            answers=answers,
            total=result.total,
            band=result.band or "",
            risk_flags=list(result.risk_flags),
            moved_up=worse or risky,
        )
        trail.record(
            request, Action.CREATE, obj=check, detail={"referral": referral.pk, "moved_up": worse or risky}
        )
        values: dict = {"next_recheck_at": now + timedelta(weeks=settings.RAPPORT_WAITING_RECHECK_WEEKS)}
        if worse or risky:
            values.update(priority=max(referral.priority, 2 if risky else 1))
        save_versioned(Referral, referral.pk, referral.version, **values)
        if risky:
            raise_referral_alert(request, referral, [result], why="waiting_list_recheck")
        elif worse:
            _tell_intake(referral, _("A person on the waiting list scored reliably worse on the PHQ-9"))
        queue_recheck(referral.pk, values["next_recheck_at"])
    return check


def _baseline(referral: Referral) -> int | None:
    """The first complete PHQ-9 total: the referral's, else the first complete re-check's."""
    if referral.phq9_total is not None:
        return referral.phq9_total
    first = referral.rechecks.filter(total__isnull=False).order_by("answered_at", "id").first()
    return first.total if first else None


def _tell_intake(referral: Referral, subject: str, *, moved: bool = True) -> None:
    if moved:
        body = _("Referral %(reference)s has moved up the waiting list. Open the referral inbox.")
    else:
        body = _("Ring the person of referral %(reference)s and ask the PHQ-9 by phone.")
    for person in team.workers(referral.organisation_id):
        Notification.objects.create(
            recipient=person, kind="referral", subject=subject, body=body % {"reference": referral.reference}
        )


def link_for(secret: str) -> str:
    return settings.RAPPORT_BASE_URL.rstrip("/") + reverse("waiting_link", args=[secret])


def send_link(address: str, secret: str, *, first: bool) -> bool:
    """The private link, and nothing that names or describes the person."""
    if first:
        subject = _("Your place on our waiting list")
        opening = _("You are on our waiting list. This private link shows your place and the estimated wait")
    else:
        subject = _("How are you while you wait?")
        opening = _("It is time for a short check on how you are. This private link opens it")
    body = _(
        "%(opening)s; you can also leave the list there:\n\n%(link)s\n\nThe link is yours: do not "
        "share it. Each new e-mail from us carries a new link and the older one stops working.\n\n"
        "We are not a crisis service. If you are in danger now, call your local emergency number."
    ) % {"opening": opening, "link": link_for(secret)}
    try:
        send_mail(subject, body, None, [address])
    except Exception as exc:  # any failure of the mail path
        log.warning("waiting-list e-mail not sent: %s", type(exc).__name__)
        return False
    return True


def queue_recheck(referral_id: int, when) -> None:
    send_recheck.using(run_after=when).enqueue(referral_id)


def send_due_recheck(referral_id: int, now=None) -> str:
    """E-mail a fresh link to a person whose re-check is due. Claimed by a compare-and-set on
    the due time, so two workers never both send."""
    now = now or timezone.now()
    referral = Referral.objects.filter(pk=referral_id, status=Status.WAITING).first()
    if referral is None or referral.next_recheck_at is None or referral.next_recheck_at > now:
        return "not due"
    if not (referral.email and "email" in referral.contact_by):
        # Nobody can be e-mailed: the intake team is asked to ring instead, at the same interval.
        following = now + timedelta(weeks=settings.RAPPORT_WAITING_RECHECK_WEEKS)
        claimed = Referral.objects.filter(pk=referral.pk, next_recheck_at=referral.next_recheck_at).update(
            next_recheck_at=following
        )
        if claimed:
            _tell_intake(referral, _("A waiting-list re-check is due by phone"), moved=False)
            queue_recheck(referral.pk, following)
        return "intake told"
    secret = new_link_secret()
    claimed = Referral.objects.filter(
        pk=referral.pk, version=referral.version, next_recheck_at=referral.next_recheck_at
    ).update(
        link_digest=link_digest(secret),
        next_recheck_at=now + timedelta(weeks=settings.RAPPORT_WAITING_RECHECK_WEEKS),
        version=referral.version + 1,
        updated_at=now,
    )
    if not claimed:
        return "not due"
    trail.record(None, Action.UPDATE, obj=referral, detail={"step": "recheck_link_sent"})
    if not send_link(referral.email, secret, first=False):
        # Try again in an hour with another new link (the one just made reached nobody).
        Referral.objects.filter(pk=referral.pk).update(next_recheck_at=now + RETRY_AFTER)
        queue_recheck(referral.pk, now + RETRY_AFTER)
        return "failed"
    queue_recheck(referral.pk, now + timedelta(weeks=settings.RAPPORT_WAITING_RECHECK_WEEKS))
    return "sent"


@task()
def send_recheck(referral_id: int) -> str:
    return send_due_recheck(referral_id)
