"""Change over a course (spec 2.9): worked examples, then properties."""

from datetime import date, timedelta

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from rapport.core.datafiles import DefinitionError
from rapport.core.outcomes import (
    OUTCOME_RULES,
    InvalidCourseData,
    OffTrack,
    course_off_track,
    load_outcome_rules,
    measure_change,
    outcome_rules,
    summarise,
)


def phq9(*points, **kwargs):
    return measure_change("phq9", points, **kwargs)


def gad7(*points, **kwargs):
    return measure_change("gad7", points, **kwargs)


def test_the_issue_example_comes_out_exactly():
    outcomes = summarise({"phq9": [(1, 21), (4, 16), (6, 11)], "gad7": [(1, 9), (6, 8)]})
    assert outcomes.as_dict()["phq9"] == {
        "baseline": 21,
        "latest": 11,
        "change": -10,
        "percent_change": -47.6,
        "response": False,
        "remission": False,
        "reliable_improvement": True,
        "reliable_deterioration": False,
        "not_on_track": False,
    }
    assert set(outcomes.as_dict()) == {"phq9", "gad7", "case_at_start", "recovery", "reliable_recovery"}


def test_a_fall_of_exactly_half_is_a_response_and_just_under_half_is_not():
    assert phq9((1, 20), (2, 10)).response is True
    assert phq9((1, 21), (2, 11)).response is False  # 47.6 %
    assert phq9((1, 19), (2, 9)).response is True  # 52.6 %


def test_remission_is_a_latest_phq9_below_5():
    assert phq9((1, 14), (8, 4)).remission is True
    assert phq9((1, 14), (8, 5)).remission is False


def test_reliable_improvement_is_a_fall_of_6_on_phq9_and_4_on_gad7():
    assert phq9((1, 16), (5, 10)).reliable_improvement is True
    assert phq9((1, 16), (5, 11)).reliable_improvement is False
    assert gad7((1, 12), (5, 8)).reliable_improvement is True
    assert gad7((1, 12), (5, 9)).reliable_improvement is False


def test_reliable_deterioration_is_a_rise_of_6_on_phq9_and_4_on_gad7():
    assert phq9((1, 8), (3, 14)).reliable_deterioration is True
    assert phq9((1, 8), (3, 13)).reliable_deterioration is False
    assert gad7((1, 6), (3, 10)).reliable_deterioration is True
    assert gad7((1, 6), (3, 9)).reliable_deterioration is False


def test_gad7_has_no_response_or_remission_rule_so_they_are_not_computed():
    change = gad7((1, 16), (6, 2))
    assert (change.response, change.remission) == (None, None)
    assert change.percent_change == -87.5


def test_no_reliable_improvement_by_session_6_is_not_on_track():
    assert phq9((1, 15), (6, 12)).not_on_track is True
    assert phq9((1, 15), (5, 12)).not_on_track is False  # not yet at session 6
    assert phq9((1, 15), (6, 9)).not_on_track is False  # a fall of 6


def test_a_reliable_deterioration_at_any_session_is_not_on_track_even_after_recovering():
    change = phq9((1, 10), (2, 16), (3, 4))
    assert change.not_on_track is True
    assert change.reliable_improvement is True
    assert change.reliable_deterioration is False  # paired: baseline against the latest


def test_the_current_session_counts_when_the_last_score_is_older():
    assert phq9((1, 15), (4, 13)).not_on_track is False
    assert phq9((1, 15), (4, 13), current_session=7).not_on_track is True


def test_with_dates_not_on_track_counts_the_scores():
    weekly = [(date(2025, 1, 6) + timedelta(weeks=week), 15 - (week > 3)) for week in range(6)]
    assert phq9(*weekly[:5]).not_on_track is False
    assert phq9(*weekly).not_on_track is True


def test_points_are_taken_in_time_order_whatever_order_they_arrive_in():
    change = phq9((6, 11), (1, 21), (3, 15))
    assert (change.baseline, change.latest) == (21, 11)
    dated = phq9((date(2025, 3, 1), 5), (date(2025, 1, 1), 20))
    assert (dated.baseline, dated.latest) == (20, 5)


def test_an_incomplete_response_without_a_total_is_left_out():
    change = phq9((1, 20), (2, None), (3, 12))
    assert (change.baseline, change.latest, change.change) == (20, 12, -8)
    assert phq9((1, 20), (2, None)).change is None


def test_a_single_score_is_a_baseline_with_no_change_judged():
    change = phq9((1, 22))
    assert (change.baseline, change.latest) == (22, 22)
    assert change.change is None
    assert change.percent_change is None
    assert change.response is None
    assert change.remission is None
    assert change.reliable_improvement is None
    assert change.not_on_track is None


def test_no_scores_gives_nothing():
    assert set(phq9().as_dict().values()) == {None}


def test_a_baseline_of_zero_has_no_percent_change_and_no_response():
    change = phq9((1, 0), (6, 3))
    assert (change.percent_change, change.response, change.change) == (None, None, 3)


def test_percent_change_is_rounded_to_one_decimal_half_away_from_zero():
    assert phq9((1, 80), (2, 79)).percent_change == -1.3  # -1.25
    assert phq9((1, 3), (2, 2)).percent_change == -33.3
    assert phq9((1, 8), (2, 9)).percent_change == 12.5


def test_a_client_who_was_a_case_and_ends_below_caseness_on_both_has_recovered_reliably():
    outcomes = summarise({"phq9": [(1, 15), (8, 8)], "gad7": [(1, 12), (8, 6)]})
    assert (outcomes.case_at_start, outcomes.recovery, outcomes.reliable_recovery) == (True, True, True)


def test_recovery_without_a_reliable_fall_is_not_reliable_recovery():
    outcomes = summarise({"phq9": [(1, 10), (8, 9)], "gad7": [(1, 9), (8, 7)]})
    assert (outcomes.case_at_start, outcomes.recovery, outcomes.reliable_recovery) == (True, True, False)


def test_a_case_only_on_anxiety_at_the_start_counts_as_a_case():
    outcomes = summarise({"phq9": [(1, 6), (8, 2)], "gad7": [(1, 8), (8, 3)]})
    assert (outcomes.case_at_start, outcomes.recovery, outcomes.reliable_recovery) == (True, True, True)


def test_ending_at_caseness_on_either_measure_is_not_recovery():
    outcomes = summarise({"phq9": [(1, 18), (8, 9)], "gad7": [(1, 12), (8, 8)]})
    assert (outcomes.recovery, outcomes.reliable_recovery) == (False, False)


def test_recovery_does_not_apply_to_a_client_who_was_not_a_case_at_the_start():
    outcomes = summarise({"phq9": [(1, 8), (8, 3)], "gad7": [(1, 6), (8, 2)]})
    assert (outcomes.case_at_start, outcomes.recovery, outcomes.reliable_recovery) == (False, None, None)


def test_improvement_on_one_measure_with_deterioration_on_the_other_is_not_reliable_improvement():
    outcomes = summarise({"phq9": [(1, 16), (8, 9)], "gad7": [(1, 5), (8, 9)]})
    assert outcomes.measures["phq9"].reliable_improvement is True
    assert outcomes.measures["gad7"].reliable_deterioration is True
    assert (outcomes.reliable_improvement, outcomes.reliable_deterioration) == (False, True)
    assert outcomes.reliable_recovery is False


def test_recovery_needs_both_measures_with_a_first_and_a_last_score():
    only_phq9 = summarise({"phq9": [(1, 16), (8, 4)]})
    assert (only_phq9.case_at_start, only_phq9.recovery, only_phq9.reliable_recovery) == (None, None, None)
    one_gad7 = summarise({"phq9": [(1, 16), (8, 4)], "gad7": [(1, 12)]})
    assert (one_gad7.case_at_start, one_gad7.recovery, one_gad7.reliable_recovery) == (True, None, None)
    assert one_gad7.as_dict()["gad7"]["change"] is None


def test_other_instruments_get_plain_change_with_no_judgement():
    change = measure_change("wsas", [(1, 30), (8, 12)])
    assert (change.change, change.percent_change) == (-18, -60.0)
    assert {change.response, change.remission, change.reliable_improvement, change.not_on_track} == {None}


def test_bad_course_data_is_refused_with_a_clear_message():
    with pytest.raises(InvalidCourseData, match="mixes date and session points"):
        phq9((1, 10), (date(2025, 1, 1), 12))
    with pytest.raises(InvalidCourseData, match="score '12' at 2 is not a whole number"):
        phq9((1, 10), (2, "12"))
    with pytest.raises(InvalidCourseData, match="neither a session number nor a date"):
        phq9(("first", 10))
    with pytest.raises(InvalidCourseData, match=r"each point is \(session number or date, score\)"):
        phq9((1, 10, 3))


# The thresholds are configuration: change the file and the judgement follows.


def rules_with(tmp_path, change):
    data = yaml.safe_load(OUTCOME_RULES.read_text())
    change(data)
    path = tmp_path / "outcome_rules.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return load_outcome_rules(path)


def test_the_not_on_track_session_comes_from_the_rules_file(tmp_path):
    rules = rules_with(tmp_path, lambda d: d["not_on_track"].update(by_session=4))
    assert phq9((1, 15), (4, 13), rules=rules).not_on_track is True
    assert phq9((1, 15), (4, 13)).not_on_track is False


def test_the_reliable_change_threshold_comes_from_the_rules_file(tmp_path):
    rules = rules_with(tmp_path, lambda d: d["measures"]["phq9"]["reliable_change"].update(points=5))
    assert phq9((1, 16), (5, 11), rules=rules).reliable_improvement is True


def test_the_nhs_talking_therapies_rules_can_be_switched_off(tmp_path):
    rules = rules_with(tmp_path, lambda d: d["nhs_talking_therapies"].update(enabled=False))
    outcomes = summarise({"phq9": [(1, 15), (8, 8)], "gad7": [(1, 12), (8, 6)]}, rules=rules)
    assert (outcomes.case_at_start, outcomes.recovery, outcomes.reliable_recovery) == (None, None, None)


def test_a_malformed_rules_file_fails_naming_the_field(tmp_path):
    with pytest.raises(
        DefinitionError, match=r"outcome_rules\.yaml: measures\.phq9\.remission\.below: expected"
    ):
        rules_with(tmp_path, lambda d: d["measures"]["phq9"]["remission"].update(below="five"))
    with pytest.raises(DefinitionError, match=r"not_on_track\.measures: 'epds' has no reliable_change rule"):
        rules_with(tmp_path, lambda d: d["not_on_track"].update(measures=["phq9", "epds"]))


# Properties

scores = st.integers(0, 27)
courses = st.lists(st.tuples(st.integers(1, 20), scores), min_size=2, max_size=12, unique_by=lambda p: p[0])


@given(courses)
def test_change_is_the_latest_minus_the_first_score_in_session_order(points):
    ordered = sorted(points)
    change = phq9(*points)
    assert change.baseline == ordered[0][1]
    assert change.latest == ordered[-1][1]
    assert change.change == ordered[-1][1] - ordered[0][1]


@given(courses)
def test_response_remission_and_reliable_change_follow_the_spec_thresholds(points):
    change = phq9(*points)
    baseline, latest = change.baseline, change.latest
    if baseline == 0:
        assert change.response is None
    else:
        assert change.response == (latest * 2 <= baseline)
        assert abs(change.percent_change - (latest - baseline) * 100 / baseline) <= 0.05 + 1e-9
    assert change.remission == (latest < 5)
    assert change.reliable_improvement == (baseline - latest >= 6)
    assert change.reliable_deterioration == (latest - baseline >= 6)
    assert not (change.reliable_improvement and change.reliable_deterioration)


@given(courses)
def test_not_on_track_is_any_reliable_rise_or_no_reliable_fall_by_session_6(points):
    ordered = sorted(points)
    baseline = ordered[0][1]
    change = phq9(*points)
    rose = any(score - baseline >= 6 for _, score in ordered[1:])
    stalled = ordered[-1][0] >= 6 and baseline - ordered[-1][1] < 6
    assert change.not_on_track == (rose or stalled)


def test_a_course_whose_phq9_fell_reliably_is_on_track_though_its_gad7_barely_moved():
    series = {"phq9": [(1, 18), (6, 9)], "gad7": [(1, 9), (6, 8)]}
    assert measure_change("gad7", series["gad7"]).not_on_track is True  # the per-measure view
    assert course_off_track(series) is None


def test_a_course_without_a_reliable_phq9_fall_by_session_6_is_off_track_naming_the_session():
    flag = course_off_track({"phq9": [(1, 15), (3, 14), (6, 12)], "gad7": [(1, 12), (6, 7)]})
    assert flag == OffTrack("no_improvement", "phq9", 6, 15, 12)
    assert course_off_track({"phq9": [(1, 15), (5, 12)]}) is None  # not yet at session 6


def test_a_reliable_rise_on_any_measure_flags_the_course_with_the_measure_and_its_session():
    flag = course_off_track({"phq9": [(1, 18), (4, 10), (6, 8)], "gad7": [(1, 6), (3, 11), (6, 5)]})
    assert flag == OffTrack("deterioration", "gad7", 3, 6, 11)


def test_a_course_with_one_score_is_never_off_track():
    assert course_off_track({"phq9": [(1, 20)]}, current_session=9) is None


def test_the_mid_course_review_is_session_8_of_16_scaled_to_the_contract():
    rules = outcome_rules()
    assert [rules.review_session(n) for n in (16, 12, 8, 20, 1)] == [8, 6, 4, 10, 1]


def test_the_improvement_measures_come_from_the_rules_file(tmp_path):
    rules = rules_with(tmp_path, lambda d: d["not_on_track"].update(improvement_measures=["phq9", "gad7"]))
    series = {"phq9": [(1, 15), (6, 12)], "gad7": [(1, 12), (6, 7)]}
    assert course_off_track(series, rules=rules) is None
    assert course_off_track(series) == OffTrack("no_improvement", "phq9", 6, 15, 12)
