"""Who does intake: the staff an administrator chose, and who hears of an urgent referral.

An urgent referral's alert goes up the same chain as a client's (core/triage_rules.yaml), step by
step: where a client's alert tells the responsible clinician, a referral's tells the intake team;
then the organisation's supervisors [U: no team owns a referral yet, so every supervisor of the
organisation stands in for "the team's supervisors"]; then the administrators."""

import rules
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.accounts.context import INTAKE_SESSION_KEY
from rapport.accounts.models import Role, User
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.common.errors import InvalidInput
from rapport.core import triage
from rapport.intake.models import IntakeWorker, Referral

INTAKE_ROLES = (Role.CLINICIAN, Role.SUPERVISOR)


@rules.predicate
def does_intake(user) -> bool:
    """A signed-in clinician or supervisor whom an administrator chose for intake."""
    if user is None or not user.is_authenticated or not user.is_active or user.role not in INTAKE_ROLES:
        return False
    cached = getattr(user, "_does_intake", None)
    if cached is None:
        cached = IntakeWorker.objects.filter(user=user, ended_at__isnull=True).exists()
        user._does_intake = cached
    return cached


def remember_at_sign_in(sender, request, user, **kwargs) -> None:
    """Put in the session whether this person does intake, for the menu (accounts.context).
    Access itself is asked afresh on every request (`does_intake`)."""
    if request is not None and hasattr(request, "session"):
        request.session[INTAKE_SESSION_KEY] = bool(does_intake(user))


def workers(organisation_id: int):
    return User.objects.filter(
        organisation_id=organisation_id,
        is_active=True,
        role__in=INTAKE_ROLES,
        intake__ended_at__isnull=True,
        intake__isnull=False,
    )


def candidates(organisation_id: int):
    """Whom an administrator may choose: the organisation's active clinicians and supervisors."""
    return User.objects.filter(
        organisation_id=organisation_id, role__in=INTAKE_ROLES, is_active=True
    ).order_by("full_name")


def set_team(request, chosen: list[int]) -> tuple[int, int]:
    """An administrator says who does intake: the people in `chosen` from now on, nobody else.
    Each change is audited; the choice is ended, never deleted. Returns (added, ended)."""
    if not (request.user.is_authenticated and request.user.role == Role.ADMINISTRATOR):
        raise PermissionDenied
    allowed = set(candidates(request.user.organisation_id).values_list("pk", flat=True))
    if set(chosen) - allowed:
        raise InvalidInput({"chosen": [_("Choose clinicians or supervisors of your organisation.")]})
    now = timezone.now()
    current = set(workers(request.user.organisation_id).values_list("pk", flat=True))
    added = ended = 0
    with transaction.atomic():
        for user_id in set(chosen) - current:
            IntakeWorker.objects.update_or_create(
                user_id=user_id, defaults={"chosen_by": request.user, "chosen_at": now, "ended_at": None}
            )
            trail.record(request, Action.UPDATE, object_type="User", detail={"intake": True, "user": user_id})
            added += 1
        for user_id in current - set(chosen):
            IntakeWorker.objects.filter(user_id=user_id, ended_at__isnull=True).update(ended_at=now)
            trail.record(
                request, Action.UPDATE, object_type="User", detail={"intake": False, "user": user_id}
            )
            ended += 1
    return added, ended


def recipients(alert, level: int) -> list[User]:
    """The people at `level` of the chain for a referral's alert."""
    chain = triage.triage_rules().escalation_chain
    if level >= len(chain):
        return []
    # The referral is found by the alert's source record: the alert is told before the referral
    # points back to it.
    organisation_id = Referral.objects.values_list("organisation_id", flat=True).get(
        pk=alert.source_record["id"]
    )
    step = chain[level]
    if step == "responsible_clinician":
        people = workers(organisation_id)
    elif step == "team_supervisors":
        people = User.objects.filter(organisation_id=organisation_id, role=Role.SUPERVISOR, is_active=True)
    else:
        people = User.objects.filter(organisation_id=organisation_id, role=Role.ADMINISTRATOR, is_active=True)
    return list(people.order_by("pk").distinct())
