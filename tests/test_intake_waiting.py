"""The waiting list's order and the estimated wait that provider profiles show."""

from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from rapport.intake import waiting
from rapport.intake.models import Referral, Status
from tests.personas import make_clinic

pytestmark = pytest.mark.django_db


def _waiting(clinic, n, *, priority=0, since_days=10, status=Status.WAITING, left_days=None):
    now = timezone.now()
    return Referral.objects.create(
        organisation=clinic.org,
        reference=f"R{n:05d}",
        full_name=f"Person {n}",
        date_of_birth=date(1990, 1, 1),
        country="GB",
        concern="Low mood",
        consent_contact=True,
        consent_data=True,
        consent_wording_version="1",
        status=status,
        waiting_since=now - timedelta(days=since_days),
        waiting_for=clinic.clinician,
        priority=priority,
        left_list_at=now - timedelta(days=left_days) if left_days is not None else None,
    )


def test_a_raised_priority_goes_ahead_of_those_who_waited_longer():
    clinic = make_clinic()
    first = _waiting(clinic, 1, since_days=30)
    second = _waiting(clinic, 2, since_days=20)
    moved_up = _waiting(clinic, 3, since_days=1, priority=1)
    assert [waiting.position(r) for r in (moved_up, first, second)] == [1, 2, 3]


@override_settings(RAPPORT_WAIT_WEEKS_PER_PLACE=2)
def test_with_no_history_the_wait_is_the_configured_weeks_per_place_and_says_so():
    clinic = make_clinic()
    _waiting(clinic, 1)
    _waiting(clinic, 2)
    wait = waiting.estimated_wait(clinician=clinic.clinician)
    assert (wait.waiting, wait.weeks, wait.measured) == (2, 6, False)
    assert waiting.estimated_wait(clinician=clinic.other_clinician).waiting == 0


@override_settings(RAPPORT_WAIT_PACE_DAYS=90)
def test_the_lists_own_pace_gives_the_estimate_once_people_have_left_it():
    clinic = make_clinic()
    for n in range(3):  # three left the list for a course in the last 90 days: 30 days a place
        _waiting(clinic, 10 + n, status=Status.ACCEPTED, left_days=5)
    _waiting(clinic, 1)
    wait = waiting.estimated_wait(clinician=clinic.clinician)
    # One waiting, so a newcomer is second: 60 days, 9 whole weeks.
    assert (wait.waiting, wait.weeks, wait.measured) == (1, 9, True)
    # By team: the clinician is a member of team A.
    assert waiting.estimated_wait(team=clinic.team_a).waiting == 1
    assert waiting.estimated_wait(team=clinic.team_b).waiting == 0


def test_the_inbox_reads_every_place_with_one_query_per_list(django_assert_num_queries):
    clinic = make_clinic()
    found = [_waiting(clinic, n, since_days=30 - n) for n in range(5)]
    with django_assert_num_queries(1):
        places = waiting.positions(found)
    assert [places[r.pk] for r in found] == [1, 2, 3, 4, 5]
