"""How a course counts in the programme's outcome figures, and rates with Wilson intervals.

The outcome definitions themselves are spec 2.9's, computed by rapport.core.outcomes from
outcome_rules.yaml; this module only decides which courses a rate is over (programme_rules.yaml).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rapport.core import outcomes
from rapport.core.datafiles import Provenance, load_yaml, provenance

PROGRAMME_RULES = Path(__file__).parent / "programme_rules.yaml"

# The outcome flags a finished course carries, in the order the figures show them.
OUTCOMES = (
    "response",
    "remission",
    "reliable_improvement",
    "reliable_deterioration",
    "recovery",
    "reliable_recovery",
)


@dataclass(frozen=True)
class ProgrammeRules:
    version: str
    z: float
    started_sessions: int
    finished_only: bool
    paired_both_measures: bool
    suppress_below: int
    provenance: Mapping[str, Provenance]


@dataclass(frozen=True)
class Rate:
    n: int
    of: int
    rate: float | None  # None when there is nothing to divide by
    ci95: tuple[float, float] | None

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "of": self.of, "rate": self.rate, "ci95": list(self.ci95) if self.ci95 else None}


def wilson(n: int, of: int, z: float | None = None) -> tuple[float, float] | None:
    """The Wilson score interval for n successes out of `of` trials; None for no trials."""
    if of <= 0:
        return None
    if not 0 <= n <= of:
        raise ValueError(f"{n} of {of} is not a proportion")
    z = programme_rules().z if z is None else z
    p = n / of
    z2 = z * z
    centre = (p + z2 / (2 * of)) / (1 + z2 / of)
    half = z * math.sqrt(p * (1 - p) / of + z2 / (4 * of * of)) / (1 + z2 / of)
    return (max(0.0, centre - half), min(1.0, centre + half))


def rate(n: int, of: int, *, decimals: int = 4) -> Rate:
    interval = wilson(n, of)
    return Rate(
        n=n,
        of=of,
        rate=round(n / of, decimals) if of else None,
        ci95=(round(interval[0], decimals), round(interval[1], decimals)) if interval else None,
    )


@dataclass(frozen=True)
class CourseCount:
    """One course as the programme figures count it."""

    started: bool
    finished: bool
    dropped_out: bool
    paired: bool
    sessions_attended: int
    # Spec 2.9 outcome flags for a finished course; None where the definition does not apply.
    response: bool | None = None
    remission: bool | None = None
    reliable_improvement: bool | None = None
    reliable_deterioration: bool | None = None
    recovery: bool | None = None
    reliable_recovery: bool | None = None


def count_course(
    *,
    ended: bool,
    ending_reason: str,
    sessions_attended: int,
    series: Mapping[str, Iterable[outcomes.Point]],
    rules: ProgrammeRules | None = None,
    outcome_rules: outcomes.OutcomeRules | None = None,
) -> CourseCount:
    """`series`: instrument id to (session number or date, score) points of the course."""
    rules = rules or programme_rules()
    outcome_rules = outcome_rules or outcomes.outcome_rules()
    started = sessions_attended >= rules.started_sessions
    finished = ended and sessions_attended >= outcome_rules.finished_course_sessions
    dropped_out = ended and started and ending_reason == "dropped_out"
    summary = outcomes.summarise(series, rules=outcome_rules)
    depression = summary.measures.get(outcome_rules.depression_measure)
    anxiety = summary.measures.get(outcome_rules.anxiety_measure)
    depression_paired = depression is not None and depression.change is not None
    anxiety_paired = anxiety is not None and anxiety.change is not None
    paired = finished and depression_paired and (anxiety_paired or not rules.paired_both_measures)
    if rules.finished_only and not finished:
        return CourseCount(started, finished, dropped_out, paired, sessions_attended)
    return CourseCount(
        started=started,
        finished=finished,
        dropped_out=dropped_out,
        paired=paired,
        sessions_attended=sessions_attended,
        response=depression.response if depression else None,
        remission=depression.remission if depression_paired and depression else None,
        reliable_improvement=summary.reliable_improvement,
        reliable_deterioration=summary.reliable_deterioration,
        recovery=summary.recovery,
        reliable_recovery=summary.reliable_recovery,
    )


def suppressed(count: int, rules: ProgrammeRules | None = None) -> str:
    """A count as an export shows it: small counts (not zero) hidden, so no one is singled out."""
    rules = rules or programme_rules()
    return f"<{rules.suppress_below}" if 0 < count < rules.suppress_below else str(count)


@cache
def programme_rules() -> ProgrammeRules:
    return load_programme_rules(PROGRAMME_RULES)


def load_programme_rules(path: Path) -> ProgrammeRules:
    root = load_yaml(path).mapping(
        {"version", "interval", "started", "outcome_base", "paired", "suppression"}
    )
    meta = {"verified", "confidence", "source"}
    interval = root.child("interval").mapping({"z", *meta})
    started = root.child("started").mapping({"attended_sessions_at_least", *meta})
    base = root.child("outcome_base").mapping({"finished_only", *meta})
    paired = root.child("paired").mapping({"both_measures", *meta})
    suppression = root.child("suppression").mapping({"below", *meta})
    z = float(interval.child("z").number())
    if not 0 < z < 10:
        interval.child("z").fail("must be between 0 and 10")
    below = suppression.child("below").required_integer()
    if below < 1:
        suppression.child("below").fail("must be 1 or more")
    started_sessions = started.child("attended_sessions_at_least").required_integer()
    if started_sessions < 1:
        started.child("attended_sessions_at_least").fail("must be 1 or more")
    return ProgrammeRules(
        version=root.child("version").required_text(),
        z=z,
        started_sessions=started_sessions,
        finished_only=base.child("finished_only").boolean(),
        paired_both_measures=paired.child("both_measures").boolean(),
        suppress_below=below,
        provenance={
            name: provenance(node)
            for name, node in (
                ("interval", interval),
                ("started", started),
                ("outcome_base", base),
                ("paired", paired),
                ("suppression", suppression),
            )
        },
    )
