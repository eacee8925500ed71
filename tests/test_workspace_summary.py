"""The workspace's progress flags and phase mix, read from the courses' programme summaries, give
exactly what the former per-request judgement gave (kept below as the reference: the record read
course by course, its scores judged in Python) on varied, seeded fixtures; a planned end is judged
against the day asked, not the day the summary was written; and the workspace and programme pages
run as many queries for a hundred courses as for one."""

from collections import Counter, defaultdict
from datetime import date, timedelta
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
from rapport.programme import progress
from rapport.programme.models import CourseSummary
from rapport.supervision import scope, workspace
from tests.workspace_fixture import varied

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


def test_a_view_over_many_clinicians_lists_the_first_by_name_and_counts_the_rest(
    clinic, monkeypatch, as_user
):
    varied(clinic, 6, seed=5)
    everyone = workspace.build(clinic.programme_lead, scope.team_ids(clinic.programme_lead)).clinicians
    assert len(everyone) == 3
    monkeypatch.setattr(workspace, "CLINICIAN_LIMIT", 2)
    ws = workspace.build(clinic.programme_lead, scope.team_ids(clinic.programme_lead))
    assert [row.clinician.pk for row in ws.clinicians] == [row.clinician.pk for row in everyone[:2]]
    assert [row.caseload for row in ws.clinicians] == [row.caseload for row in everyone[:2]]
    assert [row.phases for row in ws.clinicians] == [row.phases for row in everyone[:2]]
    assert ws.more_clinicians == 1
    page = as_user(clinic.programme_lead).get("/supervision/").content.decode()
    assert "And 1 more clinician: choose a team above" in page
