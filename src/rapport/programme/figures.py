"""The programme's figures for a set of courses, aggregated in the database.

Pass any CourseSummary queryset that started from `scope.visible_courses(user)` (and a Slice), or
the running totals `scope.totals_for(user, slice)` gives where they cover the same courses (a
programme lead's organisation, by team or clinician): `outcomes(qs)` and `fidelity(qs)` give one
set of figures; `outcomes_by_clinician(qs)`, `fidelity_by_clinician(qs)` and `monthly(qs)` one per
group. Each is one query, whatever the number of clients; over totals it reads one row per team and
clinician (or per month) instead of one per course. The values are plain dataclasses, for pages,
exports and the API alike.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Aggregate, Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from rapport.accounts.models import User
from rapport.core import fidelity as core_fidelity
from rapport.core.programme import OUTCOMES, Rate, rate
from rapport.programme.models import CourseSummary, MonthTotals, Totals

COUNTS = ("referrals", "started", "finished", "dropped_out", "paired")  # the first counts every row


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


def _totals(rows: QuerySet) -> bool:
    return issubclass(rows.model, Totals)


def _flag(key: str, value=True) -> Q:
    return Q(**{key: value})


def _outcome_aggregates(totals: bool) -> dict:
    """The aggregates of the outcome figures, named apart from the columns (an aggregate may not
    share a field's name): counted over course summaries, or summed over totals rows."""
    aggregates: dict[str, Aggregate]
    if totals:
        aggregates = {f"x_{key}": Sum(key) for key in ("referrals", *COUNTS[1:])}
        aggregates |= {
            "x_sessions": Sum("sessions_finished"),
            "x_days": Sum("days_started"),
            "x_days_of": Sum("days_counted"),
        }
        for key in OUTCOMES:
            aggregates[f"x_{key}_n"] = Sum(f"{key}_n")
            aggregates[f"x_{key}_of"] = Sum(f"{key}_of")
        return aggregates
    aggregates = {"x_referrals": Count("pk")}
    aggregates |= {f"x_{key}": Count("pk", filter=_flag(key)) for key in COUNTS[1:]}
    aggregates |= {
        "x_sessions": Sum("sessions_attended", filter=_flag("finished")),
        "x_days": Sum("days_to_first_session", filter=_flag("started")),
        "x_days_of": Count("days_to_first_session", filter=_flag("started")),
    }
    for key in OUTCOMES:
        aggregates[f"x_{key}_n"] = Count("pk", filter=_flag(key))
        aggregates[f"x_{key}_of"] = Count("pk", filter=_flag(f"{key}__isnull", False))
    return aggregates


def _mean(total, of) -> float | None:
    return round(total / of, 1) if of else None


def _outcomes(row: dict) -> Outcomes:
    n = {key: row[f"x_{key}"] or 0 for key in COUNTS}
    return Outcomes(
        referrals=n["referrals"],
        started=n["started"],
        finished=n["finished"],
        dropped_out=n["dropped_out"],
        paired=n["paired"],
        data_completeness=rate(n["paired"], n["finished"]),
        # Means as sums over counts, so that the totals' sums give the same as the rows' average.
        mean_sessions_attended=_mean(row["x_sessions"] or 0, n["finished"]),
        mean_days_to_first_session=_mean(row["x_days"] or 0, row["x_days_of"] or 0),
        **{key: rate(row[f"x_{key}_n"] or 0, row[f"x_{key}_of"] or 0) for key in OUTCOMES},
    )


def outcomes(rows: QuerySet) -> Outcomes:
    """`rows`: course summaries, or the totals rows of scope.totals_for()."""
    return _outcomes(rows.order_by().aggregate(**_outcome_aggregates(_totals(rows))))


def _names(ids) -> dict[int, str]:
    return dict(User.objects.filter(pk__in=list(ids)).values_list("pk", "full_name"))


def _by_clinician(rows: QuerySet, aggregates: dict, make) -> list:
    grouped = rows.order_by().values("clinician_id").annotate(**aggregates)
    if _totals(rows):  # a clinician whose courses all moved away keeps a row of zeros
        grouped = grouped.filter(x_referrals__gt=0)
    found = list(grouped)
    names = _names(row["clinician_id"] for row in found)
    listed = [(row["clinician_id"], names.get(row["clinician_id"], ""), make(row)) for row in found]
    return sorted(listed, key=lambda item: (item[1], item[0]))


def clinicians(rows: QuerySet) -> list[tuple[int, str]]:
    """(id, name) of every responsible clinician with a course in `rows`, by name: two columns
    per clinician, for choosing whose figures to compute."""
    if _totals(rows):
        rows = rows.filter(referrals__gt=0)
    ids = rows.order_by().values("clinician_id")
    return list(User.objects.filter(pk__in=ids).order_by("full_name", "pk").values_list("pk", "full_name"))


def outcomes_by_clinician(rows: QuerySet) -> list[tuple[int, str, Outcomes]]:
    """(clinician id, name, figures) for each responsible clinician, by name."""
    return _by_clinician(rows, _outcome_aggregates(_totals(rows)), _outcomes)


def monthly(rows: QuerySet) -> list[tuple[date, Outcomes]]:
    """Figures for the courses that ended in each month, oldest first; `rows`: course summaries,
    or the month totals of scope.month_totals_for()."""
    if issubclass(rows.model, MonthTotals):
        grouped = rows.order_by().values("month").annotate(**_outcome_aggregates(True))
        return [(row["month"], _outcomes(row)) for row in grouped.order_by("month") if row["x_referrals"]]
    grouped = (
        rows.filter(ended_on__isnull=False)
        .order_by()
        .annotate(month=TruncMonth("ended_on"))
        .values("month")
        .annotate(**_outcome_aggregates(False))
        .order_by("month")
    )
    return [(row["month"], _outcomes(row)) for row in grouped]


def _fidelity_aggregates(totals: bool) -> dict:
    if totals:
        aggregates: dict = {"x_referrals": Sum("referrals")}
        for key in core_fidelity.INDICATORS:
            aggregates[f"x_{key}_n"] = Sum(f"{key}_n")
            aggregates[f"x_{key}_of"] = Sum(f"{key}_of")
        for key in ("measured_n", "measured_of", "tasks_n", "tasks_of"):
            aggregates[f"x_{key}"] = Sum(key)
        return aggregates
    aggregates = {"x_referrals": Count("pk")}
    for key in core_fidelity.INDICATORS:
        aggregates[f"x_{key}_n"] = Count("pk", filter=_flag(key))
        aggregates[f"x_{key}_of"] = Count("pk", filter=_flag(f"{key}__isnull", False))
    # The two shares count sessions, not courses.
    applies = _flag("measure_each_session__isnull", False)
    aggregates["x_measured_n"] = Sum("measured_sessions", filter=applies)
    aggregates["x_measured_of"] = Sum("sessions_attended", filter=applies)
    aggregates["x_tasks_n"] = Sum("tasks_reviewed_count")
    aggregates["x_tasks_of"] = Sum("tasks_due")
    return aggregates


def _fidelity(row: dict) -> Fidelity:
    indicators = {}
    for key in core_fidelity.fidelity_rules().indicators:
        n, of = row[f"x_{key}_n"], row[f"x_{key}_of"]
        if key == "measure_each_session":
            n, of = row["x_measured_n"], row["x_measured_of"]
        elif key == "tasks_reviewed":
            n, of = row["x_tasks_n"], row["x_tasks_of"]
        indicators[key] = rate(n or 0, of or 0)
    return Fidelity(courses=row["x_referrals"] or 0, indicators=indicators)


def fidelity(rows: QuerySet) -> Fidelity:
    return _fidelity(rows.order_by().aggregate(**_fidelity_aggregates(_totals(rows))))


def fidelity_by_clinician(rows: QuerySet) -> list[tuple[int, str, Fidelity]]:
    return _by_clinician(rows, _fidelity_aggregates(_totals(rows)), _fidelity)


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
