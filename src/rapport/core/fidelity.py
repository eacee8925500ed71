"""Fidelity to the IPT protocol, computed from what the record holds (issue 12 item 2).

Every indicator and number comes from fidelity_rules.yaml and is unconfirmed [U]. An indicator
that does not apply to a course yet (termination in a course still running) is None, never False.
Two indicators are shares (k of m sessions); the rest are met or not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rapport.core.datafiles import Provenance, load_yaml, provenance

FIDELITY_RULES = Path(__file__).parent / "fidelity_rules.yaml"

# The indicators the code knows how to judge, in the order a checklist shows them.
INDICATORS = (
    "baseline_measure",
    "measure_each_session",
    "inventory_initial_phase",
    "formulation_by_session",
    "contract_in_range",
    "termination_phase_held",
    "relapse_prevention_plan",
    "mid_course_review",
    "tasks_reviewed",
)
SHARES = ("measure_each_session", "tasks_reviewed")


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    provenance: Provenance
    measure: str | None = None
    by_session: int | None = None


@dataclass(frozen=True)
class FidelityRules:
    version: str
    indicators: Mapping[str, Indicator]


@dataclass(frozen=True)
class CourseRecord:
    """What the record says about one course, gathered by the caller (no Django here)."""

    ended: bool
    planned_sessions: int
    contract_allowed: bool  # the planned sessions fall within the variant's range
    attended: tuple[int, ...]  # numbers of the attended sessions
    measured_sessions: frozenset[int] = frozenset()  # session numbers with a score of the measure
    inventory_entries: int = 0
    formulation_shared_at: int | None = None  # session number reached when it was shared
    problem_area: str = ""
    termination_sessions: int = 0  # attended sessions in the termination phase
    relapse_plan_written: bool = False
    review_session: int | None = None  # None: no review applies (maintenance)
    review_done: bool = False
    tasks_set: tuple[int, ...] = ()  # session numbers that agreed a between-session task
    tasks_reviewed: tuple[int, ...] = ()  # session numbers that recorded how the last one went


@dataclass(frozen=True)
class Result:
    met: bool | None  # None: does not apply (yet)
    n: int | None = None  # for a share: sessions that met it
    of: int | None = None


@dataclass(frozen=True)
class CourseFidelity:
    results: Mapping[str, Result] = field(default_factory=dict)


def judge(record: CourseRecord, rules: FidelityRules | None = None) -> CourseFidelity:
    rules = rules or fidelity_rules()
    attended = sorted(record.attended)
    reached = attended[-1] if attended else 0
    results: dict[str, Result] = {}
    for key in INDICATORS:
        if key in rules.indicators:
            results[key] = _judge(key, rules.indicators[key], record, attended, reached)
    return CourseFidelity(results)


def _judge(key: str, rule: Indicator, record: CourseRecord, attended: list[int], reached: int) -> Result:
    if key == "baseline_measure":
        if not attended and not record.measured_sessions:
            return Result(None)
        by = rule.by_session or 1
        return Result(any(number <= by for number in record.measured_sessions))
    if key == "measure_each_session":
        if not attended:
            return Result(None)
        scored = sum(1 for number in attended if number in record.measured_sessions)
        return Result(scored == len(attended), scored, len(attended))
    if key == "inventory_initial_phase":
        return Result(record.inventory_entries > 0) if attended else Result(None)
    if key == "formulation_by_session":
        by = rule.by_session or 4
        shared_in_time = (
            bool(record.problem_area)
            and record.formulation_shared_at is not None
            and record.formulation_shared_at <= by
        )
        if shared_in_time:
            return Result(True)
        return Result(False) if reached >= by or record.ended else Result(None)
    if key == "contract_in_range":
        return Result(record.contract_allowed)
    if key == "termination_phase_held":
        return Result(record.termination_sessions > 0) if record.ended and attended else Result(None)
    if key == "relapse_prevention_plan":
        return Result(record.relapse_plan_written) if record.ended and attended else Result(None)
    if key == "mid_course_review":
        if record.review_session is None:
            return Result(None)
        if record.review_done:
            return Result(True)
        return Result(False) if reached >= record.review_session else Result(None)
    if key == "tasks_reviewed":
        # A task agreed at one session is reviewed at the next attended one, if there was one.
        due = [number for number in record.tasks_set if any(later > number for later in attended)]
        if not due:
            return Result(None)
        reviewed = set(record.tasks_reviewed)
        done = sum(1 for number in due if any(n in reviewed for n in attended if n > number))
        return Result(done == len(due), done, len(due))
    raise KeyError(key)  # pragma: no cover - INDICATORS and this function are kept together


@cache
def fidelity_rules() -> FidelityRules:
    return load_fidelity_rules(FIDELITY_RULES)


def load_fidelity_rules(path: Path) -> FidelityRules:
    root = load_yaml(path).mapping({"version", "indicators"})
    indicators = {}
    for key, node in root.child("indicators").items():
        if key not in INDICATORS:
            node.fail(f"unknown indicator; known: {', '.join(INDICATORS)}")
        node.mapping({"label", "measure", "by_session", "verified", "confidence", "source"})
        by_session = node.child("by_session").required_integer() if node.has("by_session") else None
        if by_session is not None and by_session < 1:
            node.child("by_session").fail("must be 1 or more")
        indicators[key] = Indicator(
            id=key,
            label=node.child("label").required_text(),
            provenance=provenance(node),
            measure=node.child("measure").required_text() if node.has("measure") else None,
            by_session=by_session,
        )
    return FidelityRules(version=root.child("version").required_text(), indicators=indicators)
