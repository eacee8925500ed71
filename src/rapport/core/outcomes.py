"""Change over a course of treatment (spec 2.9); every threshold comes from outcome_rules.yaml.

Change is paired: the first score of an instrument in the course (the baseline) against the
latest. Anything that cannot be computed yet, or that has no rule for the measure, is None.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from rapport.core.datafiles import Node, Provenance, load_yaml, provenance

OUTCOME_RULES = Path(__file__).parent / "outcome_rules.yaml"

# When a score was taken: a session number, or a date (or date and time).
When = int | date
Point = tuple[When, int | None]


class InvalidCourseData(ValueError):
    pass


@dataclass(frozen=True)
class MeasureRules:
    response_percent_fall: Fraction | None = None  # response: a fall of at least this percentage
    remission_below: int | None = None
    reliable_change: int | None = None  # points of change that count as reliable
    caseness_at_least: int | None = None


@dataclass(frozen=True)
class OutcomeRules:
    version: str
    percent_decimals: int
    measures: Mapping[str, MeasureRules]
    not_on_track_by_session: int
    not_on_track_measures: tuple[str, ...]
    not_on_track_improvement_measures: tuple[str, ...]
    mid_course_review_session: int
    course_length: int
    nhs_enabled: bool
    depression_measure: str
    anxiety_measure: str
    improvement_requires_no_deterioration_on_other: bool
    finished_course_sessions: int
    provenance: Mapping[str, Provenance]  # "phq9.response", "not_on_track", ...: for reviewers
    notes: tuple[str, ...]

    def measure(self, instrument_id: str) -> MeasureRules:
        return self.measures.get(instrument_id, MeasureRules())

    def review_session(self, planned_sessions: int) -> int:
        """The mid-course review's session for a contract of `planned_sessions`: the rule's
        session scaled to the contract (8 of 16 is 6 of 12 and 4 of 8), never before session 1."""
        scaled = Fraction(self.mid_course_review_session * planned_sessions, self.course_length)
        return max(1, int(scaled + Fraction(1, 2)))


@dataclass(frozen=True)
class MeasureChange:
    baseline: int | None
    latest: int | None
    change: int | None
    percent_change: float | None
    response: bool | None
    remission: bool | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    not_on_track: bool | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CourseOutcomes:
    measures: Mapping[str, MeasureChange]
    # NHS Talking Therapies, when both the depression and the anxiety measure have scores.
    case_at_start: bool | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    recovery: bool | None  # None also when the client was not a case at the start
    reliable_recovery: bool | None

    def as_dict(self) -> dict[str, Any]:
        """The API shape: one key per instrument, then case_at_start, recovery, reliable_recovery."""
        data: dict[str, Any] = {key: change.as_dict() for key, change in self.measures.items()}
        data["case_at_start"] = self.case_at_start
        data["recovery"] = self.recovery
        data["reliable_recovery"] = self.reliable_recovery
        return data


@dataclass(frozen=True)
class OffTrack:
    """Why a course is not on track: one reason, naming the measure and the session (or date)."""

    reason: str  # "deterioration" (a reliable rise) or "no_improvement" (no reliable fall in time)
    measure: str
    when: When  # the score that rose, or the latest score when nothing has improved in time
    baseline: int
    score: int


def course_off_track(
    series: Mapping[str, Iterable[Point]],
    *,
    current_session: int | None = None,
    rules: OutcomeRules | None = None,
) -> OffTrack | None:
    """The course-level "not on track" flag (spec 2.9), or None when the course is on track.

    One judgement over the measures, so that a measure that barely moved cannot flag a course whose
    depression score has fallen reliably: a reliable rise on any watched measure at any session,
    else no reliable fall on any improvement measure by the rule's session.
    """
    rules = rules or outcome_rules()
    points = {
        key: _ordered(key, values) for key, values in series.items() if key in rules.not_on_track_measures
    }
    for key in rules.not_on_track_measures:
        scores = points.get(key, [])
        if len(scores) < 2:
            continue
        baseline = scores[0][1]
        points_needed = rules.measure(key).reliable_change or 0  # the loader makes sure there is one
        for when, score in scores[1:]:
            if score - baseline >= points_needed:
                return OffTrack("deterioration", key, when, baseline, score)
    judged = [
        (key, points[key]) for key in rules.not_on_track_improvement_measures if len(points.get(key, [])) >= 2
    ]
    if not judged:
        return None
    improved = any(
        scores[0][1] - scores[-1][1] >= (rules.measure(key).reliable_change or 0) for key, scores in judged
    )
    if improved:
        return None
    key, scores = judged[0]
    if _session_reached(scores, current_session) < rules.not_on_track_by_session:
        return None
    return OffTrack("no_improvement", key, scores[-1][0], scores[0][1], scores[-1][1])


def summarise(
    series: Mapping[str, Iterable[Point]],
    *,
    current_session: int | None = None,
    rules: OutcomeRules | None = None,
) -> CourseOutcomes:
    """Change for each instrument in `series` (instrument id to (when, score) points), plus recovery.

    A score of None (an incomplete response) is left out. `current_session` is the session the
    course has reached, for "not on track", when it is later than the last score.
    """
    rules = rules or outcome_rules()
    points = {key: _ordered(key, values) for key, values in series.items()}
    measures = {
        key: _change(key, values, current_session=current_session, rules=rules)
        for key, values in points.items()
    }
    nhs = _nhs_talking_therapies(measures, rules)
    return CourseOutcomes(measures=measures, **nhs)


def measure_change(
    instrument_id: str,
    points: Iterable[Point],
    *,
    current_session: int | None = None,
    rules: OutcomeRules | None = None,
) -> MeasureChange:
    rules = rules or outcome_rules()
    return _change(
        instrument_id, _ordered(instrument_id, points), current_session=current_session, rules=rules
    )


def _change(
    instrument_id: str, points: list[tuple[When, int]], *, current_session: int | None, rules: OutcomeRules
) -> MeasureChange:
    if not points:
        return MeasureChange(None, None, None, None, None, None, None, None, None)
    baseline, latest = points[0][1], points[-1][1]
    if len(points) < 2:
        # One score is a baseline, not a change: nothing is judged on it.
        return MeasureChange(baseline, latest, None, None, None, None, None, None, None)

    measure = rules.measure(instrument_id)
    change = latest - baseline
    percent_change = None
    response = None
    if baseline > 0:
        percent = Decimal(change) * 100 / Decimal(baseline)
        percent_change = float(percent.quantize(Decimal(1).scaleb(-rules.percent_decimals), ROUND_HALF_UP))
        if measure.response_percent_fall is not None:
            # Exact arithmetic: the rounded percentage must not decide a threshold.
            response = Fraction(-change * 100, baseline) >= measure.response_percent_fall
    remission = latest < measure.remission_below if measure.remission_below is not None else None

    reliable_improvement = None
    reliable_deterioration = None
    not_on_track = None
    if measure.reliable_change is not None:
        reliable_improvement = -change >= measure.reliable_change
        reliable_deterioration = change >= measure.reliable_change
        if instrument_id in rules.not_on_track_measures:
            deteriorated_at_any_session = any(
                score - baseline >= measure.reliable_change for _, score in points[1:]
            )
            reached = _session_reached(points, current_session)
            not_on_track = deteriorated_at_any_session or (
                reached >= rules.not_on_track_by_session and not reliable_improvement
            )
    return MeasureChange(
        baseline=baseline,
        latest=latest,
        change=change,
        percent_change=percent_change,
        response=response,
        remission=remission,
        reliable_improvement=reliable_improvement,
        reliable_deterioration=reliable_deterioration,
        not_on_track=not_on_track,
    )


def _session_reached(points: list[tuple[When, int]], current_session: int | None) -> int:
    if current_session is not None:
        return current_session
    last = points[-1][0]
    if isinstance(last, int):
        return last
    # Dates say nothing about session numbers; NHS Talking Therapies scores every session, so the
    # number of scores stands in for the number of sessions.
    return len(points)


def _nhs_talking_therapies(
    measures: Mapping[str, MeasureChange], rules: OutcomeRules
) -> dict[str, bool | None]:
    result: dict[str, bool | None] = dict.fromkeys(
        ("case_at_start", "reliable_improvement", "reliable_deterioration", "recovery", "reliable_recovery")
    )
    depression = measures.get(rules.depression_measure)
    anxiety = measures.get(rules.anxiety_measure)
    depression_case = rules.measure(rules.depression_measure).caseness_at_least
    anxiety_case = rules.measure(rules.anxiety_measure).caseness_at_least
    if not rules.nhs_enabled or depression is None or anxiety is None:
        return result
    if depression.baseline is None or anxiety.baseline is None:
        return result
    if depression_case is None or anxiety_case is None:
        return result
    case_at_start = depression.baseline >= depression_case or anxiety.baseline >= anxiety_case
    result["case_at_start"] = case_at_start
    if (
        depression.change is None
        or anxiety.change is None
        or depression.latest is None
        or anxiety.latest is None
    ):
        return result  # recovery needs a first and a last score of both measures

    improved = bool(depression.reliable_improvement or anxiety.reliable_improvement)
    deteriorated = bool(depression.reliable_deterioration or anxiety.reliable_deterioration)
    if rules.improvement_requires_no_deterioration_on_other:
        improved = improved and not deteriorated
    result["reliable_improvement"] = improved
    result["reliable_deterioration"] = deteriorated
    if case_at_start:
        # Recovery is defined only for those who were a case at the start: None otherwise.
        recovered = depression.latest < depression_case and anxiety.latest < anxiety_case
        result["recovery"] = recovered
        result["reliable_recovery"] = recovered and improved
    return result


def _ordered(instrument_id: str, points: Iterable[Point]) -> list[tuple[When, int]]:
    ordered: list[tuple[When, int]] = []
    kinds: set[str] = set()
    for point in points:
        if not isinstance(point, tuple | list) or len(point) != 2:
            raise InvalidCourseData(
                f"{instrument_id}: each point is (session number or date, score), got {point!r}"
            )
        when, score = point
        if isinstance(when, bool) or not isinstance(when, int | date):
            raise InvalidCourseData(f"{instrument_id}: {when!r} is neither a session number nor a date")
        kinds.add(
            "date and time" if isinstance(when, datetime) else "date" if isinstance(when, date) else "session"
        )
        if score is None:
            continue  # an incomplete response has no total
        if isinstance(score, bool) or not isinstance(score, int) or score < 0:
            raise InvalidCourseData(f"{instrument_id}: score {score!r} at {when!r} is not a whole number")
        ordered.append((when, score))
    if len(kinds) > 1:
        mixed = " and ".join(sorted(kinds))
        raise InvalidCourseData(f"{instrument_id}: mixes {mixed} points; use one kind of point in time")
    # Stable: two scores at the same point keep the order they were given in.
    ordered.sort(key=lambda point: point[0])
    return ordered


@cache
def outcome_rules() -> OutcomeRules:
    return load_outcome_rules(OUTCOME_RULES)


def load_outcome_rules(path: Path) -> OutcomeRules:
    root = load_yaml(path).mapping(
        {
            "version",
            "percent_change",
            "measures",
            "not_on_track",
            "mid_course_review",
            "nhs_talking_therapies",
            "finished_course",
            "notes",
        }
    )
    sources: dict[str, Provenance] = {}

    percent = root.child("percent_change").mapping({"decimals", "rounding"})
    decimals = percent.child("decimals").required_integer()
    if not 0 <= decimals <= 4:
        percent.child("decimals").fail("must be between 0 and 4")
    percent.child("rounding").choice(["half_away_from_zero"])

    measures = {}
    for instrument_id, node in root.child("measures").items():
        node.mapping({"response", "remission", "reliable_change", "caseness"})
        values: dict[str, Any] = {}
        for key, field_name, attribute, reader in (
            ("response", "percent_fall_at_least", "response_percent_fall", _percentage),
            ("remission", "below", "remission_below", _points),
            ("reliable_change", "points", "reliable_change", _points),
            ("caseness", "at_least", "caseness_at_least", _points),
        ):
            if node.has(key):
                rule = node.child(key).mapping({field_name, "verified", "confidence", "source"})
                values[attribute] = reader(rule.child(field_name))
                sources[f"{instrument_id}.{key}"] = provenance(rule)
        measures[instrument_id] = MeasureRules(**values)

    not_on_track = root.child("not_on_track").mapping(
        {"by_session", "measures", "improvement_measures", "verified", "confidence", "source"}
    )
    sources["not_on_track"] = provenance(not_on_track)
    not_on_track_measures = not_on_track.child("measures").text_list()
    improvement_measures = (
        not_on_track.child("improvement_measures").text_list()
        if not_on_track.has("improvement_measures")
        else not_on_track_measures
    )
    for key, listed in (("measures", not_on_track_measures), ("improvement_measures", improvement_measures)):
        for instrument_id in listed:
            if measures.get(instrument_id, MeasureRules()).reliable_change is None:
                not_on_track.child(key).fail(f"{instrument_id!r} has no reliable_change rule to judge by")

    review = root.child("mid_course_review").mapping(
        {"session", "course_length", "verified", "confidence", "source"}
    )
    sources["mid_course_review"] = provenance(review)

    nhs = root.child("nhs_talking_therapies").mapping(
        {
            "enabled",
            "depression_measure",
            "anxiety_measure",
            "improvement_requires_no_deterioration_on_other",
            "improvement_rule",
            "deterioration_rule",
            "recovery_rule",
            "reliable_recovery_rule",
        }
    )
    for key in ("improvement_rule", "deterioration_rule", "recovery_rule", "reliable_recovery_rule"):
        sources[f"nhs_talking_therapies.{key}"] = provenance(
            nhs.child(key).mapping({"verified", "confidence", "source"})
        )
    depression_measure = nhs.child("depression_measure").required_text()
    anxiety_measure = nhs.child("anxiety_measure").required_text()
    for key, instrument_id in (
        ("depression_measure", depression_measure),
        ("anxiety_measure", anxiety_measure),
    ):
        rules = measures.get(instrument_id, MeasureRules())
        if rules.caseness_at_least is None or rules.reliable_change is None:
            nhs.child(key).fail(f"{instrument_id!r} needs caseness and reliable_change rules under measures")

    finished = root.child("finished_course").mapping(
        {"attended_sessions_at_least", "verified", "confidence", "source"}
    )
    sources["finished_course"] = provenance(finished)

    return OutcomeRules(
        version=root.child("version").required_text(),
        percent_decimals=decimals,
        measures=measures,
        not_on_track_by_session=_positive(not_on_track.child("by_session")),
        not_on_track_measures=not_on_track_measures,
        not_on_track_improvement_measures=tuple(improvement_measures),
        mid_course_review_session=_positive(review.child("session")),
        course_length=_positive(review.child("course_length")),
        nhs_enabled=nhs.child("enabled").boolean(),
        depression_measure=depression_measure,
        anxiety_measure=anxiety_measure,
        improvement_requires_no_deterioration_on_other=nhs.child(
            "improvement_requires_no_deterioration_on_other"
        ).boolean(),
        finished_course_sessions=_positive(finished.child("attended_sessions_at_least")),
        provenance=sources,
        notes=root.child("notes", required=False).text_list(),
    )


def _percentage(node: Node) -> Fraction:
    value = node.number()
    if not 0 < value <= 100:
        node.fail("must be a percentage above 0 and at most 100")
    return Fraction(str(value))


def _points(node: Node) -> int:
    value = node.required_integer()
    if value < 0:
        node.fail("must not be negative")
    return value


def _positive(node: Node) -> int:
    value = node.required_integer()
    if value < 1:
        node.fail("must be 1 or more")
    return value
