"""Exports of the programme's figures: the aggregate CSV of a slice (small counts suppressed) and
the de-identified course-level extract. Both start from the viewer's visible courses and both are
audited: the aggregate as one row, the extract as one row per client whose course it holds.
"""

import hashlib
import hmac
from datetime import date

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.common.errors import InvalidInput
from rapport.core.programme import OUTCOMES, suppressed
from rapport.programme import figures
from rapport.programme.scope import Slice, figure_rows, listed_courses, visible_courses

# Ten-year bands, so that an age with a rare variant does not point at one person [U].
AGE_BANDS = ((0, 17), (18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 74), (75, 200))
EXTRACT_COLUMNS = [
    "course",
    "age_band",
    "variant",
    "format",
    "problem_area",
    "sessions_attended",
    "phq9_first",
    "phq9_last",
    "gad7_first",
    "gad7_last",
    "finished",
    "dropped_out",
    "paired",
    *OUTCOMES,
]
MIN_KEY = 12


def outcome_rows(request, chosen: Slice) -> list[list[str]]:
    """figure, n, of, rate, ci95_low, ci95_high: one row per count and rate; a count from 1 to 4
    shows as "<5", and a rate with a suppressed part is left out."""
    found = figures.outcomes(figure_rows(request.user, chosen))
    rows = [["figure", "n", "of", "rate", "ci95_low", "ci95_high"]]
    for key in figures.COUNTS:
        rows.append([key, suppressed(getattr(found, key)), "", "", "", ""])
    for key, value in found.rates().items():
        n, of = suppressed(value.n), suppressed(value.of)
        hidden = n.startswith("<") or of.startswith("<")
        low, high = value.ci95 if value.ci95 and not hidden else ("", "")
        shown_rate = "" if hidden or value.rate is None else value.rate
        rows.append([key, n, of, str(shown_rate), str(low), str(high)])
    trail.record(
        request, Action.EXPORT, detail={"format": "csv", "export": "programme_outcomes", **chosen.query()}
    )
    return rows


def age_band(born: date, on: date) -> str:
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}+" if high >= 200 else f"{low}-{high}"
    return ""


def pseudonym(key: str, course_id: int) -> str:
    """Stable for one export key, unlinkable to the record without it."""
    return hmac.new(key.encode(), f"course:{course_id}".encode(), hashlib.sha256).hexdigest()[:16]


def extract_rows(request, chosen: Slice, key: str) -> list[list[str]]:
    """One row per course, no names, dates of birth, free text or exact dates."""
    key = (key or "").strip()
    if len(key) < MIN_KEY:
        raise InvalidInput({"key": [f"The export key must be at least {MIN_KEY} characters."]})
    courses = (
        chosen.apply(visible_courses(request.user))
        .select_related("course", "course__client")
        .order_by("course_id")
    )
    rows = [list(EXTRACT_COLUMNS)]
    clients = {}
    for summary in courses:
        course = summary.course
        clients[course.client_id] = course.client
        values = [
            pseudonym(key, course.pk),
            age_band(course.client.date_of_birth, course.started_on),
            course.variant,
            course.format,
            summary.problem_area,
            summary.sessions_attended,
            summary.phq9_first,
            summary.phq9_last,
            summary.gad7_first,
            summary.gad7_last,
            summary.finished,
            summary.dropped_out,
            summary.paired,
            *(getattr(summary, flag) for flag in OUTCOMES),
        ]
        rows.append(["" if v is None else str(v).lower() if isinstance(v, bool) else str(v) for v in values])
    # Rows in course order would follow the record numbers: shuffle them by pseudonym instead.
    rows[1:] = sorted(rows[1:], key=lambda row: row[0])
    detail = {"format": "csv", "export": "programme_extract", **chosen.query()}
    trail.record_each(request, Action.EXPORT, clients.values(), detail=detail)
    if not clients:
        trail.record(request, Action.EXPORT, detail={**detail, "count": 0})
    return rows


def courses_behind(request, chosen: Slice, figure: str, *, limit: int = 500) -> list:
    """The course summaries behind one figure that the viewer may list, each client's listing
    audited as any list of clients is."""
    rows = figures.behind(chosen.apply(listed_courses(request.user)), figure).select_related(
        "course", "course__client", "course__client__responsible_clinician", "course__client__team"
    )
    listed = list(rows.order_by("course__client__full_name", "course_id")[:limit])
    trail.record_each(
        request,
        Action.LIST,
        {s.course.client_id: s.course.client for s in listed}.values(),
        detail={"list": "programme_courses", "figure": figure},
    )
    return listed
