"""The per-course judgements the supervisor's workspace counts, made once per change of the record.

`judge()` is called by rapport.programme.summaries for each course it rewrites and its result is
stored on the course's CourseSummary, so that the workspace counts flags with SQL (COUNT ...
FILTER, GROUP BY) instead of reading every open course and its scores at each request. The rules
are the existing ones: clinic.standing.off_track (core/outcomes.py) for "not on track" and
"reliable deterioration", standing.review_session for the mid-course review, core.protocol for the
phase. What depends on the day (a planned end in the past) is not judged here: the summary keeps
the date and the workspace compares it with today in SQL.
"""

from dataclasses import dataclass
from datetime import date

from rapport.clinic import standing
from rapport.core import protocol

NOT_STARTED = "not_started"  # the phase of a course with no attended session


@dataclass(frozen=True)
class Progress:
    reached: int  # the highest attended session number; 0 before the first
    phase: str  # a protocol phase id, or NOT_STARTED
    not_on_track: bool
    deteriorating: bool  # not on track because a measure rose reliably
    review_session: int | None  # the session that holds the mid-course review, if any
    review_done: bool
    unmeasured: int  # attended sessions held after the day of the latest scored measure


def phase(variant: str, planned: int, reached: int) -> str:
    if not reached:
        return NOT_STARTED
    try:
        return protocol.position(reached, planned, variant).phase
    except (protocol.InvalidSession, KeyError, ValueError):
        return "middle"


def judge(
    course,
    attended: list[tuple[int, date, list]],
    series: dict[str, list],
    measured_on: date | None,
) -> Progress:
    """`attended`: (number, date, tasks_done) of each attended session in the record; `series`:
    (session number or date, total) points per instrument of every scored response, in the order
    taken; `measured_on`: the day (in the organisation's time zone) of the latest scored response."""
    reached = max((number for number, _, _ in attended), default=0)
    flag = standing.off_track(series) if series else None
    return Progress(
        reached=reached,
        phase=phase(course.variant, course.planned_sessions, reached),
        not_on_track=flag is not None,
        deteriorating=flag is not None and flag.flag.reason == "deterioration",
        review_session=standing.review_session(course),
        review_done=any(standing.REVIEW_TASK in (tasks or []) for _, _, tasks in attended),
        unmeasured=sum(1 for _, day, _ in attended if measured_on is None or day > measured_on),
    )
