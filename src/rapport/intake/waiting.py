"""The waiting list: each person's place and the estimated wait, per clinician or per team.

The estimate is the list's own recent pace: how many people left it for a course (accepted) in the
last `RAPPORT_WAIT_PACE_DAYS`, and so how long the places ahead will take. With no history yet it
falls back to `RAPPORT_WAIT_WEEKS_PER_PLACE`, a setting a clinic chooses [U] (no clinical source
gives one); the answer says which it used, so a profile never shows a guess as a measurement."""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from rapport.intake.models import Referral, Status


@dataclass(frozen=True)
class Wait:
    waiting: int  # people on the list for this clinician or team now
    weeks: int | None  # the estimated wait for someone joining now, in whole weeks
    measured: bool  # from the list's own pace (True) or the configured default (False)


def _scope(clinician=None, team=None) -> Q:
    if clinician is not None:
        return Q(waiting_for=clinician)
    if team is not None:
        return Q(waiting_team=team) | Q(waiting_for__teams=team)
    return Q()


def waiting_list(clinician=None, team=None):
    """The people waiting, first place first: urgent or deteriorated (priority) before the rest,
    then by how long they have waited."""
    return (
        Referral.objects.filter(
            _scope(clinician, team), status=Status.WAITING, entered_in_error_at__isnull=True
        )
        .distinct()
        .order_by("-priority", "waiting_since", "id")
    )


def position(referral: Referral) -> int | None:
    """1 for the first place; None when the referral is not waiting."""
    if referral.status != Status.WAITING:
        return None
    scope = (
        {"clinician": referral.waiting_for} if referral.waiting_for_id else {"team": referral.waiting_team}
    )
    for place, pk in enumerate(waiting_list(**scope).values_list("pk", flat=True), start=1):
        if pk == referral.pk:
            return place
    return None


def positions(referrals) -> dict[int, int]:
    """The places of the waiting referrals among `referrals`: one query per list, not per person."""
    places: dict[int, int] = {}
    lists = {(r.waiting_for_id, r.waiting_team_id) for r in referrals if r.status == Status.WAITING}
    for clinician_id, team_id in lists:
        scope = {"clinician": clinician_id} if clinician_id else {"team": team_id}
        for place, pk in enumerate(waiting_list(**scope).values_list("pk", flat=True), start=1):
            places[pk] = place
    return places


def estimated_wait(clinician=None, team=None, *, now=None) -> Wait:
    """The wait for someone joining the list of `clinician` (or `team`, or everyone) now."""
    now = now or timezone.now()
    scope = _scope(clinician, team)
    waiting = waiting_list(clinician, team).count()
    pace_days = settings.RAPPORT_WAIT_PACE_DAYS
    left = (
        Referral.objects.filter(
            scope,
            status=Status.ACCEPTED,
            waiting_since__isnull=False,
            left_list_at__gte=now - timedelta(days=pace_days),
        )
        .distinct()
        .count()
    )
    if left:
        days = (waiting + 1) * pace_days / left
        return Wait(waiting=waiting, weeks=max(1, math.ceil(days / 7)), measured=True)
    per_place = settings.RAPPORT_WAIT_WEEKS_PER_PLACE
    if not per_place:
        return Wait(waiting=waiting, weeks=None, measured=False)
    return Wait(waiting=waiting, weeks=max(1, (waiting + 1) * per_place), measured=False)
