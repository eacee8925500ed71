"""The fidelity checklist of one course, for its page: each indicator met, not met or not yet due,
read from the course's summary (the same figures the programme aggregates)."""

from dataclasses import dataclass

from rapport.core import fidelity
from rapport.programme.models import CourseSummary
from rapport.programme.summaries import refresh


@dataclass(frozen=True)
class Item:
    id: str
    label: str
    met: bool | None  # None: does not apply yet
    detail: str  # "5 of 6 sessions" for a share, else ""
    confidence: str


def course_checklist(course) -> list[Item]:
    summary = CourseSummary.objects.filter(course_id=course.pk).first()
    if summary is None:  # a course saved before the summaries existed, or in a raw load
        refresh([course.pk])
        summary = CourseSummary.objects.get(course_id=course.pk)
    shares = {
        "measure_each_session": (summary.measured_sessions, summary.sessions_attended, "sessions"),
        "tasks_reviewed": (summary.tasks_reviewed_count, summary.tasks_due, "tasks"),
    }
    items = []
    for key, rule in fidelity.fidelity_rules().indicators.items():
        met = getattr(summary, key)
        detail = ""
        if key in shares and met is not None:
            n, of, what = shares[key]
            detail = f"{n} of {of} {what}"
        items.append(Item(key, rule.label, met, detail, rule.provenance.confidence))
    return items
