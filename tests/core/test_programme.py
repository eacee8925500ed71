"""The programme's counting rules and Wilson intervals (no database)."""

import pytest

from rapport.core import fidelity, programme


@pytest.mark.parametrize(
    "n, of, low, high",
    # Newcombe RG, Two-sided confidence intervals for the single proportion, Stat Med 1998;17:857-72,
    # table I, method 3 (Wilson score interval without continuity correction).
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_intervals_match_published_values(n, of, low, high):
    got = programme.wilson(n, of)
    assert got is not None
    assert round(got[0], 4) == low and round(got[1], 4) == high


def test_a_rate_of_nothing_has_no_interval():
    assert programme.rate(0, 0) == programme.Rate(0, 0, None, None)
    with pytest.raises(ValueError):
        programme.wilson(3, 2)


def test_counting_a_course():
    finished = programme.count_course(
        ended=True, ending_reason="completed", sessions_attended=2, series={"phq9": [(1, 20), (2, 8)]}
    )
    assert (finished.finished, finished.paired, finished.response, finished.recovery) == (
        True,
        False,
        True,
        None,
    )
    dropped = programme.count_course(
        ended=True, ending_reason="dropped_out", sessions_attended=1, series={"phq9": [(1, 20)]}
    )
    assert (dropped.started, dropped.finished, dropped.dropped_out, dropped.response) == (
        True,
        False,
        True,
        None,
    )
    never = programme.count_course(ended=True, ending_reason="dropped_out", sessions_attended=0, series={})
    assert (never.started, never.dropped_out) == (False, False)


def test_small_counts_are_suppressed():
    assert [programme.suppressed(n) for n in (0, 1, 4, 5)] == ["0", "<5", "<5", "5"]


def test_every_fidelity_indicator_is_unconfirmed_and_judged():
    rules = fidelity.fidelity_rules()
    assert set(rules.indicators) == set(fidelity.INDICATORS)
    assert {i.provenance.confidence for i in rules.indicators.values()} == {"U"}
    record = fidelity.CourseRecord(
        ended=True,
        planned_sessions=12,
        contract_allowed=True,
        attended=(1, 2, 3, 4, 5),
        measured_sessions=frozenset({1, 2, 3}),
        inventory_entries=2,
        formulation_shared_at=5,
        problem_area="grief",
        termination_sessions=1,
        relapse_plan_written=True,
        review_session=4,
        review_done=False,
        tasks_set=(1, 2),
        tasks_reviewed=(2,),
    )
    results = fidelity.judge(record).results
    assert results["baseline_measure"].met is True
    assert (results["measure_each_session"].n, results["measure_each_session"].of) == (3, 5)
    assert results["formulation_by_session"].met is False  # shared at session 5, after 4
    assert results["mid_course_review"].met is False
    assert (results["tasks_reviewed"].n, results["tasks_reviewed"].of) == (1, 2)
    running = fidelity.judge(
        fidelity.CourseRecord(ended=False, planned_sessions=16, contract_allowed=False, attended=(1,))
    )
    assert running.results["termination_phase_held"].met is None
    assert running.results["contract_in_range"].met is False
