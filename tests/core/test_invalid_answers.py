"""Answers that do not fit the definition are refused, naming the item, and nothing is scored."""

import pytest

from rapport.core import instruments
from rapport.core.scoring import InvalidAnswers, score


def refusal(instrument, answers):
    with pytest.raises(InvalidAnswers) as raised:
        score(instrument, answers)
    return raised.value


def test_an_unknown_item_is_refused_by_name():
    error = refusal("phq9", {"item1": "not_at_all", "item12": "not_at_all"})
    assert error.items == ("item12",)
    assert "'item12'" in str(error)
    assert "is not an item of PHQ-9" in str(error)


def test_an_unknown_option_is_refused_naming_the_item_and_the_choices():
    error = refusal("phq9", {"item9": "sometimes"})
    assert error.items == ("item9",)
    assert "'item9' has no option 'sometimes'" in str(error)
    assert "not_at_all, several_days, more_than_half_the_days, nearly_every_day" in str(error)


def test_a_score_given_instead_of_an_option_code_is_refused():
    error = refusal("phq9", {"item2": 1})
    assert error.items == ("item2",)


def test_an_option_of_another_item_is_refused():
    # HAM-D item 4 runs 0-2; "4" belongs to the 0-4 items only.
    assert refusal("hamd17", {"item4": "4"}).items == ("item4",)
    # Only WSAS item 1 (work) may be marked not applicable.
    assert refusal("wsas", {"item2": "not_applicable"}).items == ("item2",)


def test_a_cssrs_follow_up_question_skipped_by_the_branching_is_refused():
    error = refusal("cssrs_screen", {"q1": "yes", "q2": "no", "q3": "yes", "q6": "no"})
    assert error.items == ("q3",)
    assert "'q3' is asked only when q2 is yes" in str(error)


def test_cssrs_questions_3_to_5_are_refused_when_question_2_is_unanswered():
    assert refusal("cssrs_screen", {"q1": "yes", "q4": "yes"}).items == ("q4",)


def test_cssrs_question_6b_is_refused_unless_question_6_is_yes():
    assert refusal("cssrs_screen", {"q1": "no", "q2": "no", "q6": "no", "q6b": "yes"}).items == ("q6b",)
    assert refusal("cssrs_screen", {"q1": "no", "q2": "no", "q6b": "yes"}).items == ("q6b",)


def test_every_problem_is_named_in_display_order():
    error = refusal("cssrs_screen", {"zz": "yes", "q6": "maybe", "q2": "no", "q3": "yes"})
    assert error.items == ("q3", "q6", "zz")
    assert error.instrument == "cssrs_screen"


def test_answers_that_are_not_a_mapping_are_refused():
    assert refusal("phq9", [("item1", "not_at_all")]).items == ("(answers)",)


def test_an_unknown_instrument_is_refused_listing_the_known_ones():
    with pytest.raises(instruments.UnknownInstrument, match=r"unknown instrument 'phq10'.*phq9"):
        score("phq10", {})
