"""The client page's first screen: where the course stands, the latest scores with the course's
flag and outcomes, and what is due (issue 11: the page leads with the clinical picture)."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.clinic import courses, progress, standing
from rapport.clinic.measurement import current_course, summarise
from rapport.clinic.models import ClientStatus, SessionStatus


def client_picture(client, viewer) -> dict[str, Any]:
    """What the client page leads with: where the course stands, the latest scores with the
    course's flag and outcomes, and what is due."""
    course = current_course(client)
    measures = progress.for_course(course, viewer)
    due: list[tuple[str, Any]] = []
    picture: dict[str, Any] = {
        "due": due,
        "course": course,
        "measures": measures,
        "status": standing.status_label(ClientStatus.REFERRED),
        "off_track": None,
        "outcomes": None,
        "review": None,
        "next_session": None,
    }
    if course is None:
        return picture
    overview = courses.course_overview(course)
    sessions = [row[0] for row in overview["sessions"]]  # (session, phase, caregiver session)
    held = [(s.number, s.tasks_done) for s in sessions if s.status == SessionStatus.ATTENDED]
    today = timezone.localdate()
    picture.update(overview)
    picture["status"] = standing.status_label(standing.status_of(course, overview["reached"]))
    picture["next_session"] = next(
        (s for s in sessions if s.status == SessionStatus.SCHEDULED and s.date >= today), None
    )
    series = standing.series_of(measures)
    picture["off_track"] = standing.off_track(series, overview["reached"] or None)
    picture["outcomes"] = summarise(course, [r for m in measures for r in m.responses])
    review = standing.review_state(course, held)
    picture["review"] = review
    if review["overdue"]:
        due.append(
            ("bad", _("Mid-course review overdue: planned at session %(n)s.") % {"n": review["session"]})
        )
    elif review["due"]:
        due.append(
            ("", _("Mid-course review at the next session (session %(n)s).") % {"n": review["session"]})
        )
    if overview["termination_due"]:
        due.append(("", _("Raise the ending: the contract is in its last stretch.")))
    last = next((s for s in reversed(sessions) if s.status == SessionStatus.ATTENDED), None)
    if last is not None and last.between_session_task:
        due.append(("", _("Review the between-session task agreed at session %(n)s.") % {"n": last.number}))
    return picture
