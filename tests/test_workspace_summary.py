"""The workspace's progress flags and phase mix, read from the courses' programme summaries, give
exactly what the former per-request judgement gave (kept below as the reference: the record read
course by course, its scores judged in Python) on varied, seeded fixtures; a planned end is judged
against the day asked, not the day the summary was written; and the workspace and programme pages
run as many queries for a hundred courses as for one."""

import random
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Count, DateField, Exists, IntegerField, Max, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.clinic import standing
from rapport.clinic.models import Client, Course, CourseStatus, Response, Session, SessionStatus
from rapport.core import workspace_rules
from rapport.programme import progress, summaries
from rapport.programme.models import CourseSummary
from rapport.supervision import scope, workspace

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
KEYS = ("not_on_track", "deterioration", "review_overdue", "past_planned_end", "no_measure")


def reference(team_ids: list[int], named: set[int], today: date) -> tuple[dict, dict]:
    """The workspace's judgement before the summaries carried it, as it was written: one row per
    open course with SQL subqueries, every scored response read, each course judged in Python.
    Gives {flag: (count, [names])} and {clinician id: {phase: courses}}."""
    clients = Client.objects.filter(team_id__in=team_ids, entered_in_error_at__isnull=True)
    attended = Session.objects.filter(
        course=OuterRef("pk"), entered_in_error_at__isnull=True, status=SessionStatus.ATTENDED
    )
    scored = Response.objects.filter(
        course=OuterRef("pk"), entered_in_error_at__isnull=True, total__isnull=False
    )
    review = attended.annotate(tasks_text=Cast("tasks_done", TextField())).filter(
        tasks_text__contains=f'"{standing.REVIEW_TASK}"'
    )
    last = scored.order_by("-answered_at").annotate(day=TruncDate("answered_at")).values("day")[:1]
    reached = attended.order_by().values("course").annotate(m=Max("number")).values("m")
    courses = (
        Course.objects.filter(client__in=clients.values("pk"), entered_in_error_at__isnull=True)
        .exclude(status=CourseStatus.ENDED)
        .annotate(
            reached=Coalesce(Subquery(reached, output_field=IntegerField()), 0),
            review_done=Exists(review),
            measured_on=Coalesce(Subquery(last, output_field=DateField()), Value(date(1, 1, 1))),
        )
        .annotate(
            unmeasured=Coalesce(
                Subquery(
                    attended.filter(date__gt=OuterRef("measured_on"))
                    .order_by()
                    .values("course")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            )
        )
        .select_related("client")
        .order_by("client__full_name", "client_id", "-started_on")
    )
    series: dict[int, dict[str, list]] = defaultdict(dict)
    for course_id, instrument, number, at, total in (
        Response.objects.filter(
            course__in=courses.values("pk"), entered_in_error_at__isnull=True, total__isnull=False
        )
        .order_by("course", "answered_at", "id")
        .values_list("course", "instrument", "session_number", "answered_at", "total")
    ):
        series[course_id].setdefault(instrument, []).append(
            (number if number is not None else at.date(), total)
        )
    flags: dict[str, list] = {key: [0, []] for key in KEYS}

    def add(key, course):
        flags[key][0] += 1
        if course.client.team_id in named and len(flags[key][1]) < workspace.LIST_LIMIT:
            flags[key][1].append(course.client.display_name)

    phases: dict[int, Counter] = defaultdict(Counter)
    no_measure = workspace_rules.rules().no_measure_sessions
    for course in courses:
        flag = standing.off_track(series[course.pk]) if course.pk in series else None
        if flag is not None:
            add("not_on_track", course)
            if flag.flag.reason == "deterioration":
                add("deterioration", course)
        at = standing.review_session(course)
        if at is not None and not course.review_done and course.reached >= at:
            add("review_overdue", course)
        if course.planned_end_on is not None and course.planned_end_on < today:
            add("past_planned_end", course)
        if course.unmeasured >= no_measure:
            add("no_measure", course)
        phases[course.client.responsible_clinician_id][
            progress.phase(course.variant, course.planned_sessions, course.reached)
        ] += 1
    return {key: (n, names) for key, (n, names) in flags.items()}, {k: dict(v) for k, v in phases.items()}


def from_summaries(ws) -> tuple[dict, dict]:
    flags = {key: (f.count, [name for _, name, _ in f.clients]) for key, f in ws.progress.items()}
    phases = {
        row.clinician.pk: {k: v for k, v in row.phases.items() if v} for row in ws.clinicians if row.phases
    }
    return flags, phases


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


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_summaries_flag_what_the_courses_records_say(clinic, seed):
    varied(clinic, 45, seed)
    today = timezone.localdate()
    with timezone.override(LONDON):  # the organisation's zone, which the workspace page runs in
        for user in (clinic.supervisor, clinic.other_supervisor, clinic.programme_lead):
            ids = scope.team_ids(user)
            named = set(scope.supervised_teams(user).values_list("pk", flat=True))
            flags, phases = from_summaries(workspace.build(user, ids))
            want_flags, want_phases = reference(ids, named, today)
            assert flags == want_flags, user.email
            assert phases == want_phases, user.email
    counts = [n for n, _ in want_flags.values()]
    assert all(counts), f"seed {seed} left a flag untested: {want_flags}"


def test_a_planned_end_is_judged_against_the_day_asked(clinic):
    today = timezone.localdate()
    course = Course.objects.create(
        client=clinic.client, status="active", started_on=today - timedelta(days=10), planned_end_on=today
    )
    ids = scope.team_ids(clinic.supervisor)
    assert workspace.build(clinic.supervisor, ids).progress["past_planned_end"].count == 0
    later = timezone.now() + timedelta(days=2)
    assert CourseSummary.objects.get(course=course).planned_end_on == today  # nothing rewritten since
    flagged = workspace.build(clinic.supervisor, ids, now=later).progress["past_planned_end"]
    assert (flagged.count, flagged.clients[0][0]) == (1, clinic.client.pk)


def test_the_no_measure_threshold_is_read_when_asked(clinic, monkeypatch):
    """The rule's number of sessions (workspace_rules.yaml) applies at each request: changing it
    needs no rebuild of the summaries."""
    start = timezone.localdate() - timedelta(weeks=5)
    course = Course.objects.create(client=clinic.client, status="active", started_on=start)
    for number in range(1, 4):
        Session.objects.create(
            course=course, number=number, date=start + timedelta(weeks=number), status="attended"
        )
    assert CourseSummary.objects.get(course=course).unmeasured == 3
    ids = scope.team_ids(clinic.supervisor)
    rules = workspace_rules.rules()
    for sessions, count in ((3, 1), (4, 0)):
        monkeypatch.setattr(
            workspace_rules,
            "rules",
            lambda sessions=sessions: workspace_rules.WorkspaceRules(
                sessions, rules.alert_age_hours, rules.action_due_within_days
            ),
        )
        assert workspace.build(clinic.supervisor, ids).progress["no_measure"].count == count


def _queries(browser, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        answer = browser.get(url)
    assert answer.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("supervisor", "/supervision/"),
        ("programme_lead", "/supervision/"),
        ("programme_lead", "/programme/"),
        ("supervisor", "/programme/"),
        ("programme_lead", "/api/v1/programme/outcomes"),
        ("programme_lead", "/api/v1/programme/fidelity"),
    ],
)
def test_the_workspace_and_programme_run_the_same_queries_for_few_courses_or_many(clinic, as_user, who, url):
    varied(clinic, 3, seed=7)
    browser = as_user(getattr(clinic, who))
    _queries(browser, url)  # warm: the session, the first-request caches
    few = _queries(browser, url)
    varied(clinic, 60, seed=8)
    assert CourseSummary.objects.count() > 60
    assert _queries(browser, url) == few
