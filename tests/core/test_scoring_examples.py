"""Hand-worked examples for every instrument: each row was added up by hand from the spec."""

import pytest

from rapport.core.scoring import score

N, S, M, E = "not_at_all", "several_days", "more_than_half_the_days", "nearly_every_day"


def phq9(*values, difficulty=None, **overrides):
    """PHQ-9 answers from nine codes (None leaves an item out)."""
    answers = {f"item{n}": code for n, code in enumerate(values, start=1) if code is not None}
    if difficulty:
        answers["difficulty"] = difficulty
    return answers | overrides


def numbered(values):
    """Answers for instruments whose codes are their printed position or score ("0".."8", "a".."d")."""
    return {f"item{n}": code for n, code in enumerate(values, start=1) if code is not None}


def hamd(*scores):
    return numbered([None if value is None else str(value) for value in scores])


EXAMPLES = {
    # PHQ-9 (spec 2.2): total of items 1-9, bands 0-4/5-9/10-14/15-19/20-27, item 9 >= 1 is a risk.
    "phq9 all not at all is 0 and minimal": (
        "phq9",
        phq9(N, N, N, N, N, N, N, N, N),
        dict(total=0, band="minimal", complete=True, risk_flags=(), risk_level="none", tier="T0"),
    ),
    "phq9 item 9 positive inside a minimal total still raises the risk": (
        "phq9",
        phq9(N, N, N, N, N, N, N, N, S),
        dict(
            total=1,
            band="minimal",
            risk_flags=("item9",),
            risk_level="low",
            tier="T1",
            follow_up=("cssrs_screen",),
            fired_rules=("item9_positive",),
        ),
    ),
    "phq9 item 9 more than half the days in a total of 2 is moderate risk": (
        "phq9",
        phq9(N, N, N, N, N, N, N, N, M),
        dict(total=2, band="minimal", risk_flags=("item9",), risk_level="moderate", tier="T2"),
    ),
    "phq9 four is the top of minimal": (
        "phq9",
        phq9(S, S, S, S, N, N, N, N, N),
        dict(total=4, band="minimal", risk_level="none"),
    ),
    "phq9 five is the bottom of mild": (
        "phq9",
        phq9(S, S, S, S, S, N, N, N, N),
        dict(total=5, band="mild"),
    ),
    "phq9 nine is the top of mild": (
        "phq9",
        phq9(E, E, E, N, N, N, N, N, N),
        dict(total=9, band="mild"),
    ),
    "phq9 ten is the bottom of moderate": (
        "phq9",
        phq9(E, E, E, S, N, N, N, N, N),
        dict(total=10, band="moderate"),
    ),
    "phq9 fourteen is the top of moderate": (
        "phq9",
        phq9(E, E, E, E, M, N, N, N, N),
        dict(total=14, band="moderate"),
    ),
    "phq9 fifteen is the bottom of moderately severe": (
        "phq9",
        phq9(E, E, E, E, E, N, N, N, N),
        dict(total=15, band="moderately_severe"),
    ),
    "phq9 nineteen is the top of moderately severe": (
        "phq9",
        phq9(E, E, E, E, E, E, S, N, N),
        dict(total=19, band="moderately_severe"),
    ),
    "phq9 twenty is the bottom of severe": (
        "phq9",
        phq9(E, E, E, E, E, E, M, N, N),
        dict(total=20, band="severe", risk_level="none"),
    ),
    "phq9 all nearly every day is 27, severe, with item 9 flagged": (
        "phq9",
        phq9(E, E, E, E, E, E, E, E, E),
        dict(total=27, band="severe", risk_flags=("item9",), risk_level="moderate"),
    ),
    "phq9 the difficulty item is never added to the total": (
        "phq9",
        phq9(S, S, S, S, S, S, S, S, N, difficulty="extremely_difficult"),
        dict(total=8, band="mild", complete=True),
    ),
    "phq9 without the optional difficulty item is complete": (
        "phq9",
        phq9(M, M, M, M, M, M, M, M, M),
        dict(total=18, complete=True, missing_items=()),
    ),
    "phq9 with item 3 skipped has no total and no band": (
        "phq9",
        phq9(E, E, None, E, E, E, E, E, N),
        dict(total=None, band=None, complete=False, missing_items=("item3",), risk_level="none"),
    ),
    "phq9 incomplete still reports a positive item 9": (
        "phq9",
        phq9(None, N, N, N, N, N, N, N, E),
        dict(
            total=None,
            band=None,
            complete=False,
            risk_flags=("item9",),
            risk_level="moderate",
            follow_up=("cssrs_screen",),
        ),
    ),
    "phq9 item 9 left blank is reported as an unanswered risk item, not an alert": (
        "phq9",
        phq9(S, S, S, S, S, S, S, S, None),
        dict(total=None, complete=False, unanswered_risk_items=("item9",), risk_flags=(), risk_level="none"),
    ),
    "phq9 with nothing answered": (
        "phq9",
        {},
        dict(
            total=None,
            complete=False,
            missing_items=tuple(f"item{n}" for n in range(1, 10)),
            unanswered_risk_items=("item9",),
            risk_level="none",
            item_scores={},
        ),
    ),
    "phq9 an answer given as None counts as skipped": (
        "phq9",
        phq9(N, N, N, N, N, N, N, N, N) | {"item4": None},
        dict(total=None, missing_items=("item4",)),
    ),
    # PHQ-2 (spec 2.3): items 1-2, a total of 3 or more is a positive screen leading to the PHQ-9.
    "phq2 zero is below the cut-off": (
        "phq2",
        {"item1": N, "item2": N},
        dict(total=0, band="below_cut_off", follow_up=()),
    ),
    "phq2 two is below the cut-off": (
        "phq2",
        {"item1": S, "item2": S},
        dict(total=2, band="below_cut_off", follow_up=()),
    ),
    "phq2 three is a positive screen that calls for the phq9": (
        "phq2",
        {"item1": S, "item2": M},
        dict(total=3, band="positive_screen", follow_up=("phq9",)),
    ),
    "phq2 six is the maximum": (
        "phq2",
        {"item1": E, "item2": E},
        dict(total=6, band="positive_screen", risk_level="none"),
    ),
    "phq2 with one item missing has no total": (
        "phq2",
        {"item1": E},
        dict(total=None, band=None, complete=False, follow_up=()),
    ),
    # GAD-7 (spec 2.4): bands 0-4/5-9/10-14/15-21, no risk item.
    "gad7 zero is minimal": ("gad7", numbered([N] * 7), dict(total=0, band="minimal", risk_level="none")),
    "gad7 four is the top of minimal": (
        "gad7",
        numbered([S, S, S, S, N, N, N]),
        dict(total=4, band="minimal"),
    ),
    "gad7 five is the bottom of mild": ("gad7", numbered([S, S, S, S, S, N, N]), dict(total=5, band="mild")),
    "gad7 nine is the top of mild": ("gad7", numbered([E, E, E, N, N, N, N]), dict(total=9, band="mild")),
    "gad7 ten is the bottom of moderate": (
        "gad7",
        numbered([E, E, E, S, N, N, N]),
        dict(total=10, band="moderate"),
    ),
    "gad7 fourteen is the top of moderate": (
        "gad7",
        numbered([E, E, E, E, M, N, N]),
        dict(total=14, band="moderate"),
    ),
    "gad7 fifteen is the bottom of severe": (
        "gad7",
        numbered([E, E, E, E, E, N, N]),
        dict(total=15, band="severe"),
    ),
    "gad7 twenty-one is the maximum": ("gad7", numbered([E] * 7), dict(total=21, band="severe")),
    "gad7 with item 7 missing has no total": (
        "gad7",
        numbered([E, E, E, E, E, E, None]),
        dict(total=None, complete=False, missing_items=("item7",)),
    ),
    # EPDS (spec 2.5): items 1, 2, 4 score 0-3 top to bottom; items 3, 5-10 score 3-0 top to bottom.
    "epds every first answer scores 21 because seven items are reverse scored": (
        "epds",
        numbered(["a"] * 10),
        dict(total=21, band="probable_depression", risk_flags=("item10",), risk_level="moderate"),
    ),
    "epds every last answer scores 9 with no risk": (
        "epds",
        numbered(["d"] * 10),
        dict(total=9, band="below_threshold", risk_flags=(), risk_level="none"),
    ),
    "epds least severe answers everywhere score 0": (
        "epds",
        numbered(["a", "a", "d", "a", "d", "d", "d", "d", "d", "d"]),
        dict(total=0, band="below_threshold", risk_level="none"),
    ),
    "epds most severe answers everywhere score 30": (
        "epds",
        numbered(["d", "d", "a", "d", "a", "a", "a", "a", "a", "a"]),
        dict(total=30, band="probable_depression", risk_level="moderate"),
    ),
    "epds ten is possible depression": (
        "epds",
        numbered(["d", "d", "c", "d", "d", "d", "d", "d", "d", "d"]),
        dict(total=10, band="possible_depression", risk_level="none"),
    ),
    "epds twelve is the top of possible depression": (
        "epds",
        numbered(["d", "d", "a", "d", "d", "d", "d", "d", "d", "d"]),
        dict(total=12, band="possible_depression"),
    ),
    "epds thirteen is probable depression": (
        "epds",
        numbered(["d", "d", "a", "d", "c", "d", "d", "d", "d", "d"]),
        dict(total=13, band="probable_depression"),
    ),
    "epds item 10 hardly ever in a total of 1 is low risk": (
        "epds",
        numbered(["a", "a", "d", "a", "d", "d", "d", "d", "d", "c"]),
        dict(
            total=1,
            band="below_threshold",
            risk_flags=("item10",),
            risk_level="low",
            tier="T1",
            follow_up=("cssrs_screen",),
        ),
    ),
    "epds item 10 sometimes is moderate risk": (
        "epds",
        numbered(["a", "a", "d", "a", "d", "d", "d", "d", "d", "b"]),
        dict(total=2, risk_flags=("item10",), risk_level="moderate", tier="T2"),
    ),
    "epds reverse items keep their scores in item_scores": (
        "epds",
        numbered(["b", "b", "b", "b", "b", "b", "b", "b", "b", "d"]),
        dict(
            total=1 + 1 + 2 + 1 + 2 + 2 + 2 + 2 + 2 + 0,
            item_scores={
                "item1": 1,
                "item2": 1,
                "item3": 2,
                "item4": 1,
                "item5": 2,
                "item6": 2,
                "item7": 2,
                "item8": 2,
                "item9": 2,
                "item10": 0,
            },
        ),
    ),
    "epds incomplete still reports a positive item 10": (
        "epds",
        numbered([None, "a", "a", "a", "a", "a", "a", "a", "a", "a"]),
        dict(total=None, band=None, complete=False, risk_flags=("item10",), risk_level="moderate"),
    ),
    "epds item 10 left blank is an unanswered risk item": (
        "epds",
        numbered(["a"] * 9),
        dict(total=None, unanswered_risk_items=("item10",), risk_level="none"),
    ),
    # C-SSRS screener (spec 2.6): highest matching level, never a sum.
    "cssrs all no is none": (
        "cssrs_screen",
        {"q1": "no", "q2": "no", "q6": "no"},
        dict(risk_level="none", tier="T0", complete=True, total=None, band=None, risk_flags=()),
    ),
    "cssrs wish to be dead only is low": (
        "cssrs_screen",
        {"q1": "yes", "q2": "no", "q6": "no"},
        dict(
            risk_level="low",
            tier="T1",
            complete=True,
            risk_flags=("q1",),
            fired_rules=("wish_to_be_dead_or_thoughts_of_suicide",),
        ),
    ),
    "cssrs thoughts of suicide without method intent or plan is low": (
        "cssrs_screen",
        {"q1": "no", "q2": "yes", "q3": "no", "q4": "no", "q5": "no", "q6": "no"},
        dict(risk_level="low", complete=True, risk_flags=("q2",)),
    ),
    "cssrs thinking about method is moderate": (
        "cssrs_screen",
        {"q1": "yes", "q2": "yes", "q3": "yes", "q4": "no", "q5": "no", "q6": "no"},
        dict(risk_level="moderate", tier="T2", risk_flags=("q1", "q2", "q3")),
    ),
    "cssrs behaviour more than 3 months ago is moderate": (
        "cssrs_screen",
        {"q1": "no", "q2": "no", "q6": "yes", "q6b": "no"},
        dict(risk_level="moderate", tier="T2", complete=True, risk_flags=("q6",)),
    ),
    "cssrs some intention of acting is high": (
        "cssrs_screen",
        {"q1": "yes", "q2": "yes", "q3": "no", "q4": "yes", "q5": "no", "q6": "no"},
        dict(
            risk_level="high",
            tier="T3",
            fired_rules=("intent_plan_or_recent_behaviour", "wish_to_be_dead_or_thoughts_of_suicide"),
        ),
    ),
    "cssrs a worked out plan is high": (
        "cssrs_screen",
        {"q1": "no", "q2": "yes", "q3": "no", "q4": "no", "q5": "yes", "q6": "no"},
        dict(risk_level="high", tier="T3"),
    ),
    "cssrs behaviour within the past 3 months is high": (
        "cssrs_screen",
        {"q1": "no", "q2": "no", "q6": "yes", "q6b": "yes"},
        dict(risk_level="high", tier="T3", complete=True, risk_flags=("q6", "q6b")),
    ),
    "cssrs behaviour with recency unanswered is treated as recent": (
        "cssrs_screen",
        {"q1": "no", "q2": "no", "q6": "yes"},
        dict(risk_level="high", complete=False, missing_items=("q6b",), unanswered_risk_items=("q6b",)),
    ),
    "cssrs every yes is high, the same as one high answer": (
        "cssrs_screen",
        {"q1": "yes", "q2": "yes", "q3": "yes", "q4": "yes", "q5": "yes", "q6": "yes", "q6b": "yes"},
        dict(risk_level="high", complete=True, risk_flags=("q1", "q2", "q3", "q4", "q5", "q6", "q6b")),
    ),
    "cssrs method and past behaviour together stay moderate, never summed to high": (
        "cssrs_screen",
        {"q1": "yes", "q2": "yes", "q3": "yes", "q4": "no", "q5": "no", "q6": "yes", "q6b": "no"},
        dict(risk_level="moderate"),
    ),
    "cssrs thoughts of suicide with the follow-up questions unanswered is low and incomplete": (
        "cssrs_screen",
        {"q1": "no", "q2": "yes"},
        dict(
            risk_level="low",
            complete=False,
            missing_items=("q3", "q4", "q5", "q6"),
            unanswered_risk_items=("q3", "q4", "q5", "q6"),
        ),
    ),
    "cssrs with nothing answered is incomplete with the always-asked questions missing": (
        "cssrs_screen",
        {},
        dict(risk_level="none", complete=False, missing_items=("q1", "q2", "q6")),
    ),
    # WSAS (spec 2.7): five items 0-8, < 10 subclinical, 10-20 significant, > 20 moderately severe.
    "wsas zero is subclinical": ("wsas", numbered(["0"] * 5), dict(total=0, band="subclinical")),
    "wsas nine is subclinical": (
        "wsas",
        numbered(["2", "2", "2", "2", "1"]),
        dict(total=9, band="subclinical"),
    ),
    "wsas ten is significant": ("wsas", numbered(["2"] * 5), dict(total=10, band="significant")),
    "wsas twenty is significant": ("wsas", numbered(["4"] * 5), dict(total=20, band="significant")),
    "wsas twenty-one is moderately severe or worse": (
        "wsas",
        numbered(["5", "4", "4", "4", "4"]),
        dict(total=21, band="moderately_severe_or_worse"),
    ),
    "wsas forty is the maximum": (
        "wsas",
        numbered(["8"] * 5),
        dict(total=40, band="moderately_severe_or_worse"),
    ),
    "wsas work not applicable is complete but has no total": (
        "wsas",
        numbered(["not_applicable", "3", "3", "3", "3"]),
        dict(
            total=None,
            band=None,
            complete=True,
            item_scores={"item1": None, "item2": 3, "item3": 3, "item4": 3, "item5": 3},
        ),
    ),
    "wsas with an item missing has no total": (
        "wsas",
        numbered(["3", "3", None, "3", "3"]),
        dict(total=None, complete=False, missing_items=("item3",)),
    ),
    # HAM-D-17 (spec 2.8): items 0-4 or 0-2, total 0-52, bands 0-7/8-13/14-18/19-22/23+.
    "hamd zero is normal": ("hamd17", hamd(*[0] * 17), dict(total=0, band="normal", risk_level="none")),
    "hamd seven is the top of normal": (
        "hamd17",
        hamd(4, 3, 0, *[0] * 14),
        dict(total=7, band="normal", risk_level="none"),
    ),
    "hamd eight is mild": ("hamd17", hamd(4, 4, 0, *[0] * 14), dict(total=8, band="mild")),
    "hamd thirteen is the top of mild": (
        "hamd17",
        hamd(4, 4, 0, 2, 2, 1, *[0] * 11),
        dict(total=13, band="mild"),
    ),
    "hamd fourteen is moderate": (
        "hamd17",
        hamd(4, 4, 0, 2, 2, 2, *[0] * 11),
        dict(total=14, band="moderate"),
    ),
    "hamd eighteen is the top of moderate": (
        "hamd17",
        hamd(4, 4, 0, 2, 2, 2, 4, *[0] * 10),
        dict(total=18, band="moderate"),
    ),
    "hamd nineteen is severe": (
        "hamd17",
        hamd(4, 4, 0, 2, 2, 2, 4, 1, *[0] * 9),
        dict(total=19, band="severe"),
    ),
    "hamd twenty-two is the top of severe": (
        "hamd17",
        hamd(4, 4, 0, 2, 2, 2, 4, 4, *[0] * 9),
        dict(total=22, band="severe"),
    ),
    "hamd twenty-three is very severe": (
        "hamd17",
        hamd(4, 4, 0, 2, 2, 2, 4, 4, 1, *[0] * 8),
        dict(total=23, band="very_severe"),
    ),
    "hamd every maximum is 52": (
        "hamd17",
        hamd(4, 4, 4, 2, 2, 2, 4, 4, 4, 4, 4, 2, 2, 2, 4, 2, 2),
        dict(total=52, band="very_severe", risk_flags=("item3",), risk_level="high"),
    ),
    "hamd suicide item 1 inside a normal total is low risk": (
        "hamd17",
        hamd(0, 0, 1, *[0] * 14),
        dict(total=1, band="normal", risk_flags=("item3",), risk_level="low", follow_up=("cssrs_screen",)),
    ),
    "hamd suicide item 2 is moderate risk": ("hamd17", hamd(0, 0, 2, *[0] * 14), dict(risk_level="moderate")),
    "hamd suicide item 3 is high risk": (
        "hamd17",
        hamd(0, 0, 3, *[0] * 14),
        dict(risk_level="high", tier="T3"),
    ),
    "hamd with item 17 missing has no total": (
        "hamd17",
        hamd(*[1] * 16, None),
        dict(total=None, complete=False, missing_items=("item17",)),
    ),
}


@pytest.mark.parametrize(("instrument", "answers", "expected"), EXAMPLES.values(), ids=EXAMPLES.keys())
def test_each_instrument_scores_its_hand_worked_examples_exactly(instrument, answers, expected):
    result = score(instrument, answers)
    assert {key: getattr(result, key) for key in expected} == expected


def test_the_hand_worked_table_covers_every_instrument():
    from rapport.core.instruments import all_instruments

    assert {instrument for instrument, _, _ in EXAMPLES.values()} == {i.id for i in all_instruments()}


def test_a_result_becomes_a_plain_dictionary_for_the_api():
    result = score("phq9", phq9(N, N, N, N, N, N, N, N, S))
    data = result.as_dict()
    assert data["instrument"] == "phq9"
    assert data["total"] == 1
    assert data["band"] == "minimal"
    assert data["risk_flags"] == ["item9"]
    assert data["risk_level"] == "low"
    assert data["complete"] is True
    assert data["version"] == "1.0"
