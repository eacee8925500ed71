"""Varied, seeded courses for the tests of the workspace's flags and the programme's totals."""

import random
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from rapport.clinic import standing
from rapport.clinic.models import Client, Course, Response, Session, SessionStatus
from rapport.programme import summaries

VARIANTS = (("ipt_individual", (12, 16)), ("ipt_a", (12, 12)), ("ipc", (3, 6)))
STATUSES = ("referred", "assessment", "active", "active", "active", "maintenance", "ended")


def varied(clinic, n: int, seed: int) -> None:
    """`n` clients across both teams, each with one or two courses of every shape the flags read:
    sessions attended, missed and entered in error, scores by session number, by date only or
    both, incomplete and entered-in-error responses, a third instrument, the review ticked or
    not, planned ends past and future; some clients entered in error. Written through the ORM,
    so each course's summary follows its records as in use."""
    rng = random.Random(seed)
    today = timezone.localdate()
    names = ["Ana", "Ben", "Cai", "Dee", "Eli", "Fay", "Gus", "Hal"]
    with summaries.deferred():
        for i in range(n):
            team = clinic.team_a if i % 3 else clinic.team_b
            clinician = (
                clinic.other_clinician
                if team == clinic.team_b
                else rng.choice([clinic.clinician, clinic.co_clinician])
            )
            client = Client.objects.create(
                organisation=clinic.org,
                team=team,
                responsible_clinician=clinician,
                full_name=f"{rng.choice(names)} Varied{i:03d}",
                preferred_name=rng.choice(["", "", "Nick"]),
                date_of_birth=date(1980, 1, 1),
                country="GB",
            )
            for _ in range(rng.choice([1, 1, 2])):
                _course(rng, client, clinician, today)
            if rng.random() < 0.08:
                Client.objects.filter(pk=client.pk).update(entered_in_error_at=timezone.now())
                summaries.refresh(client.courses.values_list("pk", flat=True))


def _course(rng, client, clinician, today) -> None:
    variant, (low, high) = rng.choice(VARIANTS)
    start = today - timedelta(days=rng.randint(0, 200))
    course = Course.objects.create(
        client=client,
        variant=variant,
        status=rng.choice(STATUSES),
        planned_sessions=rng.randint(low, high),
        started_on=start,
        planned_end_on=rng.choice(
            [None, today - timedelta(days=rng.randint(1, 30)), today + timedelta(days=20)]
        ),
    )
    by_date = rng.random() < 0.25
    stop = rng.choice([None, None, rng.randint(0, 6)])  # measures stop after this session
    for number in range(1, rng.randint(0, high + 2) + 1):
        day = start + timedelta(weeks=number)
        status = rng.choice([SessionStatus.ATTENDED] * 5 + [SessionStatus.MISSED, SessionStatus.SCHEDULED])
        tasks = [standing.REVIEW_TASK] if rng.random() < 0.1 else []
        session = Session.objects.create(
            course=course, number=number, date=day, status=status, tasks_done=tasks
        )
        if rng.random() < 0.05:
            Session.objects.filter(pk=session.pk).update(entered_in_error_at=timezone.now())
        if status != SessionStatus.ATTENDED or rng.random() < 0.2 or (stop is not None and number > stop):
            continue
        # Late the evening before in UTC is the session's own day in London in summer (not in
        # winter): the day of a measure is the clinic's day.
        at = datetime.combine(day, time(9, 30), tzinfo=UTC)
        if rng.random() < 0.3:
            at = datetime.combine(day - timedelta(days=1), time(23, 30), tzinfo=UTC)
        for instrument, top in (("phq9", 27), ("gad7", 21), ("wsas", 40)):
            if instrument != "phq9" and rng.random() < 0.5:
                continue
            complete = rng.random() > 0.05
            response = Response.objects.create(
                client=client,
                course=course,
                session_number=None if by_date or rng.random() < 0.05 else number,
                instrument=instrument,
                instrument_version="1",
                respondent="clinician",
                answered_by=clinician,
                answered_at=at,
                complete=complete,
                total=rng.randint(0, top) if complete else None,
            )
            if rng.random() < 0.03:
                Response.objects.filter(pk=response.pk).update(entered_in_error_at=timezone.now())
    if rng.random() < 0.05:
        Course.objects.filter(pk=course.pk).update(entered_in_error_at=timezone.now())
    summaries.refresh([course.pk])
