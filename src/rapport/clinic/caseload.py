"""The caseload: each visible client with their course's position, latest PHQ-9, change flags,
open alerts and next session, in a fixed number of queries however many clients there are."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any, cast

from django.db.models import Case, Count, IntegerField, Max, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.clinic import client_records, courses, standing
from rapport.clinic.models import Course, Response, RiskAlert, Session, SessionStatus
from rapport.core import protocol, triage


def _tier_rank(tier: str) -> int:
    return triage.triage_rules().tier_rank(tier) if tier else -1


SORTS = {
    "name": lambda row: row.client.full_name.lower(),
    "clinician": lambda row: (
        row.client.responsible_clinician.full_name.lower(),
        row.client.full_name.lower(),
    ),
    "phq9": lambda row: (row.latest_phq9 is None, -(row.latest_phq9 or 0)),
    "next": lambda row: (row.next_session is None, row.next_session or timezone.localdate()),
    "alerts": lambda row: (-_tier_rank(row.alert_tier), -row.open_alerts, row.client.full_name.lower()),
}


@dataclass
class Row:
    client: object
    course: Course | None = None
    position: Any = None
    phase_name: str = ""
    where: str = ""  # "session 6 of 12 · middle phase", in words once here rather than in the template
    latest_phq9: int | None = None
    latest_band: str = ""
    previous_phq9: int | None = None
    not_on_track: bool = False
    open_alerts: int = 0
    alert_tier: str = ""  # the highest tier among the open alerts
    task_overdue: bool = False  # a task agreed at a session was not reviewed at the next one held
    review_overdue: bool = False  # the mid-course review's session has passed with no review recorded
    status: str = ""  # derived from the current course (clinic.standing), never the stored column
    next_session: object = None
    flags: list = field(default_factory=list)


def rows(request, sort: str = "name") -> list[Row]:
    clients = client_records.list_clients(request)
    ids = [c.pk for c in clients]
    # Each client's current course: the first of theirs in current_first's order. One query for
    # all of them, reading only what a row shows (status, position, review), not the notes.
    by_client: dict[int, Course] = {}
    for course in (
        Course.objects.filter(client__in=ids)
        .current_first()
        .only("client_id", "status", "planned_sessions", "variant")
    ):
        by_client.setdefault(course.client_id, course)
    course_ids = [c.pk for c in by_client.values()]
    # The highest open tier per client in the same query as the count: tiers ranked in the order
    # of triage_rules.yaml, not by their names.
    tiers = [t.id for t in triage.triage_rules().tiers]
    rank = Case(*(When(tier=t, then=Value(i)) for i, t in enumerate(tiers)), output_field=IntegerField())
    alerts = {
        client_id: (n, tiers[top] if top is not None else "")
        for client_id, n, top in RiskAlert.objects.filter(client__in=ids, status="open")
        .values("client")
        .annotate(n=Count("pk"), top=Max(rank))
        .values_list("client", "n", "top")
    }
    # One pass over the courses' sessions: how far each has come, its next scheduled date, and
    # the attended ones in order for the task and mid-course review checks.
    reached: dict[int, int] = {}
    next_date: dict[int, date] = {}
    held = defaultdict(list)
    numbers_held = defaultdict(list)
    today = timezone.localdate()
    for course_id, number, status, day, has_task, reviewed, tasks_done in (
        Session.objects.filter(
            course__in=course_ids,
            entered_in_error_at__isnull=True,
            status__in=(SessionStatus.ATTENDED, SessionStatus.SCHEDULED),
        )
        .order_by("course", "number")
        .annotate(has_task=~Q(between_session_task=""), reviewed=~Q(task_review=""))
        .values_list("course", "number", "status", "date", "has_task", "reviewed", "tasks_done")
    ):
        if status == SessionStatus.SCHEDULED:
            if day >= today and (course_id not in next_date or day < next_date[course_id]):
                next_date[course_id] = day
            continue
        reached[course_id] = number  # in order of number: the last attended is the furthest
        held[course_id].append((has_task, reviewed))
        numbers_held[course_id].append((number, tasks_done))
    series = defaultdict(list)
    for course_id, session, total, band in (
        Response.objects.filter(
            course__in=course_ids, instrument="phq9", total__isnull=False, entered_in_error_at__isnull=True
        )
        .order_by("answered_at", "id")
        .values_list("course", "session_number", "total", "band")
    ):
        series[course_id].append((session, total, band))
    labels: dict[str, str] = {}  # each status's words, translated once a page rather than once a row
    session_of = _("session %(n)s of %(m)s")
    result = []
    for client in clients:
        row = Row(client=client)
        row.open_alerts, row.alert_tier = alerts.get(client.pk, (0, ""))
        course = by_client.get(client.pk)
        furthest = reached.get(course.pk, 0) if course is not None else 0
        status = standing.status_of(course, furthest)
        row.status = labels.get(status) or labels.setdefault(status, standing.status_label(status))
        if course is not None:
            row.course = course
            row.review_overdue = standing.review_state(course, numbers_held.get(course.pk, []))["overdue"]
            if furthest:
                row.position = courses.position_of(course, furthest)
                if row.position:
                    row.phase_name = protocol.get().phase(row.position.phase).name
                    row.where = "%s · %s" % (  # noqa: UP031 (two translated parts)
                        session_of % {"n": row.position.session_number, "m": row.position.planned_sessions},
                        str(row.phase_name).lower(),
                    )
            row.next_session = next_date.get(course.pk)
            sessions_held = held.get(course.pk, [])
            row.task_overdue = any(
                agreed and not later_reviewed for (agreed, _), (_, later_reviewed) in pairwise(sessions_held)
            )
            points = series.get(course.pk, [])
            if points:
                row.latest_phq9, row.latest_band = points[-1][1], points[-1][2]
                row.previous_phq9 = points[-2][1] if len(points) > 1 else None
                ordered = [(i, p[1]) for i, p in enumerate(points, start=1)]
                if all(p[0] is not None for p in points):
                    ordered = [(cast(int, p[0]), p[1]) for p in points]
                # The course-level judgement (clinic.standing), on the PHQ-9 the caseload reads.
                row.not_on_track = standing.off_track({"phq9": ordered}) is not None
        result.append(row)
    return sorted(result, key=SORTS.get(sort, SORTS["name"]))
