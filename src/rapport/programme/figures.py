"""The programme's figures for a set of courses, aggregated in the database.

Pass any CourseSummary queryset that started from `scope.visible_courses(user)` (and a Slice):
`outcomes(qs)` and `fidelity(qs)` give one set of figures; `outcomes_by_clinician(qs)`,
`fidelity_by_clinician(qs)` and `monthly(qs)` one per group. Each is one query, whatever the
number of clients. The values are plain dataclasses, for pages, exports and the API alike.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from rapport.accounts.models import User
from rapport.core import fidelity as core_fidelity
from rapport.core.programme import OUTCOMES, Rate, rate
from rapport.programme.models import CourseSummary

COUNTS = ("referrals", "started", "finished", "dropped_out", "paired")


@dataclass(frozen=True)
class Outcomes:
    referrals: int
    started: int
    finished: int
    dropped_out: int
    paired: int
    data_completeness: Rate  # paired of finished
    response: Rate
    remission: Rate
    reliable_improvement: Rate
    reliable_deterioration: Rate
    recovery: Rate
    reliable_recovery: Rate
    mean_sessions_attended: float | None  # over finished courses
    mean_days_to_first_session: float | None  # over started courses

    def rates(self) -> dict[str, Rate]:
        return {key: getattr(self, key) for key in ("data_completeness", *OUTCOMES)}


@dataclass(frozen=True)
class Fidelity:
    courses: int
    indicators: dict[str, Rate]  # indicator id -> courses (or sessions, for a share) meeting it


def _outcome_aggregates() -> dict:
    aggregates = {
        # Named apart from the columns: an aggregate may not share a field's name.
        "n_referrals": Count("pk"),
        "n_started": Count("pk", filter=Q(started=True)),
        "n_finished": Count("pk", filter=Q(finished=True)),
        "n_dropped_out": Count("pk", filter=Q(dropped_out=True)),
        "n_paired": Count("pk", filter=Q(paired=True)),
        "mean_sessions": Avg("sessions_attended", filter=Q(finished=True)),
        "mean_days": Avg("days_to_first_session", filter=Q(started=True)),
    }
    for key in OUTCOMES:
        aggregates[f"{key}_n"] = Count("pk", filter=Q(**{key: True}))
        aggregates[f"{key}_of"] = Count("pk", filter=Q(**{f"{key}__isnull": False}))
    return aggregates


def _outcomes(row: dict) -> Outcomes:
    def mean(value):
        return None if value is None else round(float(value), 1)

    return Outcomes(
        referrals=row["n_referrals"],
        started=row["n_started"],
        finished=row["n_finished"],
        dropped_out=row["n_dropped_out"],
        paired=row["n_paired"],
        data_completeness=rate(row["n_paired"], row["n_finished"]),
        mean_sessions_attended=mean(row["mean_sessions"]),
        mean_days_to_first_session=mean(row["mean_days"]),
        **{key: rate(row[f"{key}_n"], row[f"{key}_of"]) for key in OUTCOMES},
    )


def outcomes(courses: QuerySet[CourseSummary]) -> Outcomes:
    return _outcomes(courses.order_by().aggregate(**_outcome_aggregates()))


def _names(ids) -> dict[int, str]:
    return dict(User.objects.filter(pk__in=list(ids)).values_list("pk", "full_name"))


def outcomes_by_clinician(courses: QuerySet[CourseSummary]) -> list[tuple[int, str, Outcomes]]:
    """(clinician id, name, figures) for each responsible clinician, by name."""
    rows = list(courses.order_by().values("clinician_id").annotate(**_outcome_aggregates()))
    names = _names(row["clinician_id"] for row in rows)
    found = [(row["clinician_id"], names.get(row["clinician_id"], ""), _outcomes(row)) for row in rows]
    return sorted(found, key=lambda item: (item[1], item[0]))


def monthly(courses: QuerySet[CourseSummary]) -> list[tuple[date, Outcomes]]:
    """Figures for the courses that ended in each month, oldest first."""
    rows = (
        courses.filter(ended_on__isnull=False)
        .order_by()
        .annotate(month=TruncMonth("ended_on"))
        .values("month")
        .annotate(**_outcome_aggregates())
        .order_by("month")
    )
    return [(row["month"], _outcomes(row)) for row in rows]


def _fidelity_aggregates() -> dict:
    aggregates: dict = {"n_courses": Count("pk")}
    for key in core_fidelity.INDICATORS:
        aggregates[f"{key}_n"] = Count("pk", filter=Q(**{key: True}))
        aggregates[f"{key}_of"] = Count("pk", filter=Q(**{f"{key}__isnull": False}))
    # The two shares count sessions, not courses.
    aggregates["measured_n"] = Sum("measured_sessions", filter=Q(measure_each_session__isnull=False))
    aggregates["measured_of"] = Sum("sessions_attended", filter=Q(measure_each_session__isnull=False))
    aggregates["tasks_n"] = Sum("tasks_reviewed_count")
    aggregates["tasks_of"] = Sum("tasks_due")
    return aggregates


def _fidelity(row: dict) -> Fidelity:
    indicators = {}
    for key in core_fidelity.fidelity_rules().indicators:
        n, of = row[f"{key}_n"], row[f"{key}_of"]
        if key == "measure_each_session":
            n, of = row["measured_n"] or 0, row["measured_of"] or 0
        elif key == "tasks_reviewed":
            n, of = row["tasks_n"] or 0, row["tasks_of"] or 0
        indicators[key] = rate(n, of)
    return Fidelity(courses=row["n_courses"], indicators=indicators)


def fidelity(courses: QuerySet[CourseSummary]) -> Fidelity:
    return _fidelity(courses.order_by().aggregate(**_fidelity_aggregates()))


def fidelity_by_clinician(courses: QuerySet[CourseSummary]) -> list[tuple[int, str, Fidelity]]:
    rows = list(courses.order_by().values("clinician_id").annotate(**_fidelity_aggregates()))
    names = _names(row["clinician_id"] for row in rows)
    found = [(row["clinician_id"], names.get(row["clinician_id"], ""), _fidelity(row)) for row in rows]
    return sorted(found, key=lambda item: (item[1], item[0]))


# The courses behind a figure: a count's own courses, or a rate's numerator.
BEHIND = {
    "referrals": Q(),
    "started": Q(started=True),
    "finished": Q(finished=True),
    "dropped_out": Q(dropped_out=True),
    "paired": Q(paired=True),
    **{key: Q(**{key: True}) for key in OUTCOMES},
}


def behind(courses: QuerySet[CourseSummary], figure: str) -> QuerySet[CourseSummary]:
    return courses.filter(BEHIND[figure])
