"""Where a client stands: one status derived from the current course, the course-level "not on
track" flag with its reason, and the mid-course review (spec 2.9).

The client page, the caseload, the CSV export and the API all read these, so that no page can say
"Referred" for a client whose course is under way. `Client.status` is a stored column that nothing
keeps in step with the course; it is no longer shown anywhere.
"""

from dataclasses import dataclass

from django.db.models import Max, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from rapport.clinic.models import (
    Client,
    ClientStatus,
    Course,
    CourseStatus,
    Response,
    Session,
    SessionStatus,
)
from rapport.core import instruments, outcomes

# The checklist task that records the mid-course review on its session (ticked like the others).
REVIEW_TASK = "mid_course_review"


@dataclass(frozen=True)
class ReviewTask:
    """Shaped like a protocol task, so the session page lists it with the phase's tasks."""

    id: str
    name: str
    description: str


def review_task() -> ReviewTask:
    return ReviewTask(
        REVIEW_TASK,
        str(_("Mid-course review")),
        str(
            _(
                "Review progress with the client at the middle of the contract: the scores, the "
                "problem area and the goals; decide together whether to carry on as agreed or change "
                "the plan. Proposed product default (spec 2.9), not a clinical standard."
            )
        ),
    )


def status_of(course, reached: int = 0) -> str:
    """The client's status from their current course: referred with no course; ended or
    maintenance as the course says; active once a session has been held, whatever the course's
    own status still says (a contract not yet edited after the first session); else the course's."""
    if course is None:
        return ClientStatus.REFERRED
    if course.status in (CourseStatus.ENDED, CourseStatus.MAINTENANCE):
        return course.status
    if reached:
        return ClientStatus.ACTIVE
    return course.status


def status_label(value: str) -> str:
    return str(ClientStatus(value).label)


def review_session(course) -> int | None:
    """The session that holds the mid-course review; none in a maintenance course (the spec's
    review belongs to the acute contract)."""
    if course is None or course.status == CourseStatus.MAINTENANCE:
        return None
    return outcomes.outcome_rules().review_session(course.planned_sessions)


def review_state(course, held: list[tuple[int, list]]) -> dict:
    """`held`: (number, tasks_done) of each attended session. Overdue when the review's session
    (or a later one) has been held and no session recorded the review."""
    number = review_session(course)
    if number is None:
        return {"session": None, "done": False, "overdue": False, "due": False}
    done = any(REVIEW_TASK in (tasks or []) for _, tasks in held)
    reached = max((n for n, _ in held), default=0)
    return {
        "session": number,
        "done": done,
        "overdue": not done and reached >= number and course.status != CourseStatus.ENDED,
        "due": not done and reached == number - 1 and course.status != CourseStatus.ENDED,
    }


@dataclass(frozen=True)
class OffTrackFlag:
    flag: outcomes.OffTrack
    text: str


def off_track(series: dict[str, list], current_session: int | None = None) -> OffTrackFlag | None:
    """The course-level flag with its reason in words; `series` maps instrument ids to
    (session number or date, total) points."""
    try:
        flag = outcomes.course_off_track(series, current_session=current_session)
    except outcomes.InvalidCourseData:
        # Mixed session numbers and dates: judge in the order the scores were taken.
        ordered = {k: [(i, t) for i, (_, t) in enumerate(v, start=1)] for k, v in series.items()}
        flag = outcomes.course_off_track(ordered, current_session=current_session)
    if flag is None:
        return None
    title = instruments.get(flag.measure).short_title
    when = (
        _("session %(n)s") % {"n": flag.when}
        if isinstance(flag.when, int)
        else flag.when.strftime("%-d %b %Y")
    )
    values = {"measure": title, "when": when, "baseline": flag.baseline, "score": flag.score}
    if flag.reason == "deterioration":
        text = _("%(measure)s rose reliably from %(baseline)s to %(score)s at %(when)s.") % values
    else:
        values["by"] = outcomes.outcome_rules().not_on_track_by_session
        text = (
            _(
                "No reliable fall on %(measure)s by session %(by)s: "
                "%(baseline)s at the start, %(score)s at %(when)s."
            )
            % values
        )
    return OffTrackFlag(flag, str(text))


def series_of(measures) -> dict[str, list]:
    """(session number or date, total) points per instrument from progress.for_course's measures."""
    return {
        m.instrument.id: [
            (r.session_number if r.session_number is not None else r.answered_at.date(), r.total)
            for r in m.responses
            if r.total is not None
        ]
        for m in measures
    }


def statuses(client_ids) -> dict[int, str]:
    """Each client's status value, for lists (the CSV export, the API) in two queries however many
    clients there are."""
    latest = Course.objects.filter(client=OuterRef("pk")).current_first()
    course_of = dict(
        Client.objects.filter(pk__in=client_ids)
        .annotate(current=Subquery(latest.values("pk")[:1]))
        .values_list("pk", "current")
    )
    found = {c.pk: c for c in Course.objects.filter(pk__in=[c for c in course_of.values() if c])}
    reached = dict(
        Session.objects.filter(
            course__in=list(found), entered_in_error_at__isnull=True, status=SessionStatus.ATTENDED
        )
        .values("course")
        .annotate(n=Max("number"))
        .values_list("course", "n")
    )
    result = {}
    for pk in client_ids:
        course = found.get(course_of.get(pk))
        result[pk] = status_of(course, reached.get(course.pk, 0) if course else 0)
    return result


def course_off_track(course) -> OffTrackFlag | None:
    """The flag for a course, reading its scored responses (one query)."""
    from_responses = Response.objects.filter(
        course=course, entered_in_error_at__isnull=True, total__isnull=False
    ).order_by("answered_at", "id")
    series: dict[str, list] = {}
    for instrument, session, answered_at, total in from_responses.values_list(
        "instrument", "session_number", "answered_at", "total"
    ):
        series.setdefault(instrument, []).append(
            (session if session is not None else answered_at.date(), total)
        )
    return off_track(series)
