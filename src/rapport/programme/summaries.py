"""Keep each course's CourseSummary in step with its record, in the same transaction.

`connect()` (from the app's ready()) listens for saves of every record a figure reads; each save
rewrites the summary of its course and moves the running totals (rapport.programme.totals) by the
difference. `refresh_all()` rebuilds them in bulk, for data written
without the ORM's signals (the load generator) and for the migration that creates the table.
"""

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.signals import post_save

from rapport.clinic.courses import phase_of
from rapport.clinic.models import (
    Client,
    Course,
    CourseStatus,
    Formulation,
    InventoryEntry,
    RelapsePreventionPlan,
    Response,
    Session,
    SessionStatus,
)
from rapport.clinic.standing import REVIEW_TASK, review_session
from rapport.common.records import record_changed
from rapport.core import fidelity, programme, protocol
from rapport.programme import progress, totals
from rapport.programme.models import CourseSummary

MEASURES = ("phq9", "gad7")
_pending = threading.local()  # course ids whose refresh waits for the end of a deferred() block


@contextmanager
def deferred() -> Iterator[None]:
    """Refresh each touched course once, at the end of the block, instead of at every save: for
    code that writes many records of one course in a row (the demo loader, test fixtures)."""
    outer = getattr(_pending, "ids", None)
    if outer is not None:
        yield
        return
    _pending.ids = set()
    try:
        yield
        ids = _pending.ids
    finally:
        _pending.ids = None
    if ids:
        refresh(sorted(ids))


WATCHED = (Course, Session, Response, InventoryEntry, Formulation, RelapsePreventionPlan)


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_saved, sender=model, dispatch_uid=f"programme-summary-{model.__name__}")
    post_save.connect(_client_saved, sender=Client, dispatch_uid="programme-summary-Client")
    record_changed.connect(_changed, dispatch_uid="programme-summary-changed")


def _saved(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return  # fixtures: the summary follows from refresh_all()
    _touch(instance.pk if sender is Course else instance.course_id)


def _client_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        _client_changed(instance.pk)


def _client_changed(client_id: int) -> None:
    """A client's team, clinician or entered-in-error mark is copied into each course's row."""
    for course_id in Course.objects.filter(client_id=client_id).values_list("pk", flat=True):
        _touch(course_id)


def _changed(sender, pk, **kwargs) -> None:
    """A versioned save or an entered-in-error mark: one UPDATE, no post_save."""
    if sender is Client:
        _client_changed(pk)
    elif sender is Course:
        _touch(pk)
    elif sender in WATCHED:
        course_id = sender.objects.filter(pk=pk).values_list("course_id", flat=True).first()
        if course_id is not None:
            _touch(course_id)


def _touch(course_id: int) -> None:
    pending = getattr(_pending, "ids", None)
    if pending is not None:
        pending.add(course_id)
    else:
        refresh([course_id])


def refresh_all(batch: int = 2000) -> int:
    ids = list(Course.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        with transaction.atomic():  # a batch's old rows go only with its new ones written
            refresh(ids[start : start + batch], keep_totals=False)
    with transaction.atomic():
        totals.rebuild()
    return len(ids)


def refresh(course_ids: Iterable[int], keep_totals: bool = True) -> None:
    """Rewrite these courses' summaries and move the totals by the difference (`keep_totals`
    False leaves the totals to a rebuild, as refresh_all does). A fixed number of queries
    whatever the number of courses (the courses with their client, organisation, formulation,
    relapse-prevention plan and inventory count; their sessions; their scores; the old rows out,
    the new rows in; the totals), since every questionnaire saved pays for them (#17)."""
    if not connection.in_atomic_block:  # the lock below holds until the transaction ends
        with transaction.atomic():
            return refresh(course_ids, keep_totals)
    ids = sorted(course_ids)
    entries = (
        InventoryEntry.objects.filter(course_id=OuterRef("pk"), entered_in_error_at__isnull=True)
        .order_by()
        .values("course_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    courses = {
        course.pk: course
        # Locked (the course rows alone, in key order): two writes to one course at once would
        # otherwise both delete the old summary and both insert a new one, and the second insert
        # break the unique course (PostgreSQL; SQLite writes one at a time anyway).
        for course in Course.objects.filter(pk__in=ids)
        .order_by("pk")
        .select_for_update(of=("self",))
        .select_related("client__organisation", "formulation", "relapse_plan")
        .annotate(inventory_entries=Coalesce(Subquery(entries), 0))
    }
    sessions: dict[int, list[Session]] = defaultdict(list)
    # The notes, step notes, techniques and ratings are not judged here: left unread (decoding
    # each session's JSON was paid on every questionnaire saved).
    for session in (
        Session.objects.filter(course_id__in=ids, entered_in_error_at__isnull=True)
        .defer(
            "note",
            "step_notes",
            "techniques",
            "goal_ratings",
            "phase_override_reason",
            "entered_in_error_reason",
        )
        .order_by("number")
    ):
        session.course = courses[session.course_id]
        sessions[session.course_id].append(session)
    scores: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    measured: dict[int, set[int]] = defaultdict(set)
    # Every scored response, in the order taken, is the workspace's series (progress.judge);
    # complete PHQ-9s and GAD-7s are the outcomes' scores.
    series: dict[int, dict[str, list]] = defaultdict(dict)
    last_scored: dict[int, datetime] = {}
    for course_id, instrument, number, at, total, complete in (
        Response.objects.filter(course_id__in=ids, entered_in_error_at__isnull=True)
        .filter(Q(instrument__in=MEASURES, complete=True) | Q(total__isnull=False))
        .order_by("answered_at", "id")
        .values_list("course_id", "instrument", "session_number", "answered_at", "total", "complete")
    ):
        if complete and instrument in MEASURES:
            scores[course_id][instrument].append((at, total))
            if instrument == "phq9" and number is not None:
                measured[course_id].add(number)
        if total is not None:
            series[course_id].setdefault(instrument, []).append(
                (number if number is not None else at.date(), total)
            )
            last_scored[course_id] = at
    rows = []
    for pk, course in courses.items():
        row = _summary(
            course,
            sessions[pk],
            scores[pk],
            measured[pk],
            course.inventory_entries,
            _live(course, "formulation"),
            _live(course, "relapse_plan"),
        )
        last = last_scored.get(pk)
        # The day of a measure is the clinic's day, as the workspace (in the organisation's zone)
        # shows it.
        zone = ZoneInfo(course.client.organisation.time_zone)
        _progress(
            row, course, sessions[pk], series.get(pk, {}), last.astimezone(zone).date() if last else None
        )
        rows.append(row)
    removed = totals.deleted(ids)
    CourseSummary.objects.bulk_create(rows)
    if keep_totals:
        totals.apply(removed, [{name: getattr(row, name) for name in totals.SOURCE} for row in rows])


def _live(course: Course, name: str):
    """The course's formulation or plan (one each, read with the course), unless entered in error."""
    try:
        record = getattr(course, name)
    except ObjectDoesNotExist:
        return None
    return record if record.entered_in_error_at is None else None


def _progress(row: CourseSummary, course, sessions, series, measured_on) -> None:
    attended = [(s.number, s.date, s.tasks_done) for s in sessions if s.status == SessionStatus.ATTENDED]
    found = progress.judge(course, attended, series, measured_on)
    row.open = course.status != CourseStatus.ENDED
    row.planned_end_on = course.planned_end_on
    for name in ("reached", "phase", "not_on_track", "deteriorating", "review_session", "review_done"):
        setattr(row, name, getattr(found, name))
    row.unmeasured = found.unmeasured


def _summary(course, sessions, scores, measured, inventory_entries, formulation, plan) -> CourseSummary:
    attended = [s for s in sessions if s.status == SessionStatus.ATTENDED]
    ended = course.status == CourseStatus.ENDED
    counted = programme.count_course(
        ended=ended,
        ending_reason=course.ending_reason,
        sessions_attended=len(attended),
        series={key: sorted(points, key=lambda p: p[0]) for key, points in scores.items()},
    )
    ordered = {
        key: [total for _, total in sorted(points, key=lambda p: p[0])] for key, points in scores.items()
    }
    problem_area = formulation.primary_area if formulation else ""
    shared_at = None
    if formulation and formulation.shared_on:
        before = [s.number for s in attended if s.date <= formulation.shared_on]
        shared_at = max(before) if before else 0
    review = review_session(course)
    try:
        allowed = protocol.get().variant(course.variant).sessions.allows(course.planned_sessions)
    except protocol.UnknownProtocolItem:
        allowed = False
    record = fidelity.CourseRecord(
        ended=ended,
        planned_sessions=course.planned_sessions,
        contract_allowed=allowed,
        attended=tuple(s.number for s in attended),
        measured_sessions=frozenset(measured),
        inventory_entries=inventory_entries,
        formulation_shared_at=shared_at,
        problem_area=problem_area,
        termination_sessions=sum(1 for s in attended if phase_of(s) == "termination"),
        relapse_plan_written=bool(plan and any(str(v).strip() for v in (plan.sections or {}).values())),
        review_session=review,
        review_done=any(REVIEW_TASK in (s.tasks_done or []) for s in attended),
        tasks_set=tuple(s.number for s in attended if s.between_session_task.strip()),
        tasks_reviewed=tuple(s.number for s in attended if s.task_review.strip()),
    )
    judged = fidelity.judge(record).results
    none = fidelity.Result(None)
    values = {key: judged.get(key, none).met for key in fidelity.INDICATORS}
    each = judged.get("measure_each_session", none)
    tasks = judged.get("tasks_reviewed", none)
    phq9, gad7 = ordered.get("phq9", []), ordered.get("gad7", [])
    client = course.client
    return CourseSummary(
        course_id=course.pk,
        organisation_id=client.organisation_id,
        team_id=client.team_id,
        clinician_id=client.responsible_clinician_id,
        variant=course.variant,
        format=course.format,
        live=course.entered_in_error_at is None and client.entered_in_error_at is None,
        referred_on=course.started_on,
        ended_on=course.ended_on if ended else None,
        first_session_on=attended[0].date if attended else None,
        days_to_first_session=(attended[0].date - course.started_on).days if attended else None,
        problem_area=problem_area,
        sessions_attended=len(attended),
        started=counted.started,
        finished=counted.finished,
        dropped_out=counted.dropped_out,
        paired=counted.paired,
        response=counted.response,
        remission=counted.remission,
        reliable_improvement=counted.reliable_improvement,
        reliable_deterioration=counted.reliable_deterioration,
        recovery=counted.recovery,
        reliable_recovery=counted.reliable_recovery,
        phq9_first=phq9[0] if phq9 else None,
        phq9_last=phq9[-1] if phq9 else None,
        gad7_first=gad7[0] if gad7 else None,
        gad7_last=gad7[-1] if gad7 else None,
        measured_sessions=each.n or 0,
        tasks_due=tasks.of or 0,
        tasks_reviewed_count=tasks.n or 0,
        **values,
    )
