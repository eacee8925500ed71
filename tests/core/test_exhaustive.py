"""Every possible PHQ-9, GAD-7 and C-SSRS answer set, against results worked out here from the spec."""

import itertools

from rapport.core import instruments
from rapport.core.scoring import score

# Spec 2.2 and 2.4: the value of each answer, by its label on the form.
SPEC_VALUE = {"Not at all": 0, "Several days": 1, "More than half the days": 2, "Nearly every day": 3}
PHQ9_BANDS = [
    (0, 4, "minimal"),
    (5, 9, "mild"),
    (10, 14, "moderate"),
    (15, 19, "moderately_severe"),
    (20, 27, "severe"),
]
GAD7_BANDS = [(0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 21, "severe")]
# Spec 3.2: PHQ-9 item 9 = 1 is low (T1); item 9 >= 2 is moderate (T2).
PHQ9_ITEM9_LEVEL = {0: "none", 1: "low", 2: "moderate", 3: "moderate"}


def band_of(total, bands):
    matches = [band for low, high, band in bands if low <= total <= high]
    assert len(matches) == 1, total
    return matches[0]


def codes_by_value(instrument, item_ids):
    """For each item, the option code that carries each spec value (looked up by label)."""
    return [
        {SPEC_VALUE[option.label]: option.code for option in instrument.item(item_id).options}
        for item_id in item_ids
    ]


def test_every_one_of_the_262144_phq9_answer_sets_scores_its_sum_band_and_item_9_risk():
    phq9 = instruments.get("phq9")
    item_ids = [f"item{n}" for n in range(1, 10)]
    codes = codes_by_value(phq9, item_ids)
    bands = {total: band_of(total, PHQ9_BANDS) for total in range(28)}
    wrong = []
    checked = 0
    for values in itertools.product(range(4), repeat=9):
        result = score(
            phq9, {item_id: codes[i][v] for i, (item_id, v) in enumerate(zip(item_ids, values, strict=True))}
        )
        total = sum(values)
        item9 = values[8]
        if (
            result.total != total
            or result.band != bands[total]
            or not result.complete
            or result.risk_flags != (("item9",) if item9 else ())
            or result.risk_level != PHQ9_ITEM9_LEVEL[item9]
        ):
            wrong.append((values, result))
        checked += 1
    assert checked == 4**9
    assert wrong == []


def test_every_one_of_the_16384_gad7_answer_sets_scores_its_sum_and_band():
    gad7 = instruments.get("gad7")
    item_ids = [f"item{n}" for n in range(1, 8)]
    codes = codes_by_value(gad7, item_ids)
    wrong = []
    checked = 0
    for values in itertools.product(range(4), repeat=7):
        result = score(
            gad7, {item_id: codes[i][v] for i, (item_id, v) in enumerate(zip(item_ids, values, strict=True))}
        )
        total = sum(values)
        if (
            result.total != total
            or result.band != band_of(total, GAD7_BANDS)
            or not result.complete
            or result.risk_level != "none"
        ):
            wrong.append((values, result))
        checked += 1
    assert checked == 4**7
    assert wrong == []


def cssrs_level_from_the_spec_table(answers):
    """Spec 2.6: the highest matching row wins. Q6 Yes with Q6b blank counts as recent (safe default)."""
    yes = {key for key, value in answers.items() if value == "yes"}
    recent = answers.get("q6b") != "no"
    if "q4" in yes or "q5" in yes or ("q6" in yes and recent):
        return "high"
    if "q3" in yes or ("q6" in yes and not recent):
        return "moderate"
    if "q1" in yes or "q2" in yes:
        return "low"
    return "none"


def every_cssrs_answer_set():
    """Every answer set that follows the branching, with any asked question possibly left blank."""
    choices = ("yes", "no", None)
    for q1, q2, q6 in itertools.product(choices, repeat=3):
        middles = itertools.product(choices, repeat=3) if q2 == "yes" else [(None, None, None)]
        for q3, q4, q5 in middles:
            for q6b in choices if q6 == "yes" else (None,):
                answers = {"q1": q1, "q2": q2, "q3": q3, "q4": q4, "q5": q5, "q6": q6, "q6b": q6b}
                yield {key: value for key, value in answers.items() if value is not None}


def test_every_cssrs_answer_set_gets_the_level_of_the_highest_matching_row_of_the_spec_table():
    wrong = []
    checked = 0
    for answers in every_cssrs_answer_set():
        result = score("cssrs_screen", answers)
        flagged = tuple(
            key for key in ("q1", "q2", "q3", "q4", "q5", "q6", "q6b") if answers.get(key) == "yes"
        )
        if (
            result.risk_level != cssrs_level_from_the_spec_table(answers)
            or result.total is not None
            or result.risk_flags != flagged
        ):
            wrong.append((answers, result))
        checked += 1
    # q1, q2, q6 three ways each; q3-q5 27 ways after a yes to q2; q6b three ways after a yes to q6.
    assert checked == 3 * (2 + 27) * (2 + 3)
    assert wrong == []
