"""Properties that hold for any answers, checked on examples hypothesis generates."""

from hypothesis import given
from hypothesis import strategies as st

from rapport.core import instruments
from rapport.core.scoring import InvalidAnswers, score
from rapport.core.triage import triage_rules

SUMMED = [i for i in instruments.all_instruments() if i.scoring.method == "sum"]


@st.composite
def partial_answers(draw, instrument):
    """Any subset of the items, each with any of its options (no branching in summed instruments)."""
    answers = {}
    for item in instrument.items:
        if draw(st.booleans()):
            answers[item.id] = draw(st.sampled_from([option.code for option in item.options]))
    return answers


@st.composite
def summed_instrument_and_answers(draw):
    instrument = draw(st.sampled_from(SUMMED))
    return instrument, draw(partial_answers(instrument))


@given(summed_instrument_and_answers())
def test_a_total_exists_exactly_when_every_scored_item_has_a_score(case):
    instrument, answers = case
    result = score(instrument, answers)
    scores = [
        item.option(answers[item.id]).score if item.id in answers else None
        for item in instrument.scored_items
    ]
    if None in scores:
        assert result.total is None
        assert result.band is None
    else:
        assert result.total == sum(scores)
        assert instrument.scoring.min <= result.total <= instrument.scoring.max
        band = instrument.band_for(result.total)
        assert result.band == band.id
        assert band.min <= result.total <= band.max


@given(summed_instrument_and_answers())
def test_a_positive_risk_item_is_reported_whatever_else_is_answered(case):
    instrument, answers = case
    result = score(instrument, answers)
    for item in instrument.risk_items:
        answer = answers.get(item.id)
        positive = answer is not None and item.option(answer).score >= 1
        assert (item.id in result.risk_flags) == positive
        if positive:
            assert result.risk_level != "none"
        if answer is None:
            assert item.id in result.unanswered_risk_items


@given(summed_instrument_and_answers(), st.data())
def test_a_more_severe_answer_to_a_risk_item_never_lowers_the_risk_level(case, data):
    instrument, answers = case
    rank = triage_rules().rank
    for item in instrument.risk_items:
        ordered = sorted(item.options, key=lambda option: option.score)
        lower = data.draw(st.integers(0, len(ordered) - 1))
        higher = data.draw(st.integers(lower, len(ordered) - 1))
        low = score(instrument, answers | {item.id: ordered[lower].code})
        high = score(instrument, answers | {item.id: ordered[higher].code})
        assert rank(high.risk_level) >= rank(low.risk_level)


@given(summed_instrument_and_answers())
def test_the_order_answers_arrive_in_changes_nothing(case):
    instrument, answers = case
    backwards = dict(reversed(list(answers.items())))
    assert score(instrument, answers) == score(instrument, backwards)


@given(summed_instrument_and_answers(), st.text(min_size=1, max_size=12))
def test_an_answer_that_is_not_an_option_is_refused_naming_its_item(case, code):
    instrument, answers = case
    item = instrument.scored_items[len(code) % len(instrument.scored_items)]
    if code in item.options_by_code:
        return
    try:
        score(instrument, answers | {item.id: code})
    except InvalidAnswers as error:
        assert error.items == (item.id,)
    else:
        raise AssertionError(f"{code!r} was accepted for {item.id}")


def test_one_serious_answer_outranks_many_lesser_ones_on_the_cssrs():
    many_lesser = {"q1": "yes", "q2": "yes", "q3": "yes", "q4": "no", "q5": "no", "q6": "yes", "q6b": "no"}
    one_serious = {"q1": "no", "q2": "yes", "q3": "no", "q4": "yes", "q5": "no", "q6": "no"}
    assert score("cssrs_screen", many_lesser).risk_level == "moderate"
    assert score("cssrs_screen", one_serious).risk_level == "high"
