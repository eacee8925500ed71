"""A WHO group for the group tests: a lay counsellor facilitating eight members of team A, whose
supervisor supervises the group. Member names carry the canary so that a leak shows."""

from datetime import date, timedelta

from django.utils import timezone

from rapport.accounts.models import Role, User
from rapport.clinic.models import Client
from rapport.groups.models import Group, Membership
from tests.personas import CANARY, PASSWORD


def make_group(clinic, *, members: int = 8, lay: bool = True):
    counsellor = User.objects.create_user(
        "counsellor@test.rapport",
        PASSWORD,
        full_name="Lale Counsellor",
        role=Role.CLINICIAN,
        organisation=clinic.org,
        clinician_title="Lay counsellor",
    )
    clinic.team_a.members.add(counsellor)
    start = timezone.localdate() - timedelta(days=60)
    group = Group.objects.create(
        organisation=clinic.org,
        name="Tuesday group",
        facilitator=counsellor,
        team=clinic.team_a,
        lay_facilitated=lay,
        meeting_place="Community hall",
        meeting_day="tue",
        planned_start=start,
        status="running",
    )
    people = []
    for i in range(members):
        client = Client.objects.create(
            organisation=clinic.org,
            team=clinic.team_a,
            responsible_clinician=counsellor,
            full_name=f"Member{i} {CANARY}",
            date_of_birth=date(1980 + i, 1, 1),
            country="GB",
            time_zone="Europe/London",
            status="active",
        )
        people.append(client)
    return group, counsellor, people


def join_all(group, people, joined_on=None):
    """Memberships written directly (the service is tested on its own), each with its course."""
    from rapport.clinic.models import Course

    found = []
    for client in people:
        course = Course.objects.create(
            client=client,
            variant=group.variant,
            format="group",
            planned_sessions=8,
            status="active",
            started_on=group.planned_start,
        )
        found.append(
            Membership.objects.create(
                group=group, client=client, course=course, joined_on=joined_on or group.planned_start
            )
        )
    return found


def entry(membership, *, attended=True, phq9=None, risk_mark=False, **extra) -> dict:
    return {
        "membership_id": membership.pk,
        "attended": attended,
        "phq9": phq9,
        "mood_change": extra.get("mood_change"),
        "mood_event_ids": extra.get("mood_event_ids", []),
        "mood_note": extra.get("mood_note", ""),
        "task_set": extra.get("task_set", ""),
        "task_reviewed": extra.get("task_reviewed", ""),
        "note": extra.get("note", ""),
        "needs_follow_up": extra.get("needs_follow_up", False),
        "needs_follow_up_for_risk": risk_mark,
    }
