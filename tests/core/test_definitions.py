"""The instrument files: what they hold, in what order, and how loudly a malformed one fails."""

import copy
from pathlib import Path

import pytest
import yaml

from rapport.core import instruments
from rapport.core.datafiles import DefinitionError
from rapport.core.instruments import INSTRUMENTS_DIR, load_directory, load_instrument
from rapport.core.outcomes import outcome_rules
from rapport.core.triage import triage_rules

LOINC = "http://loinc.org"


def raw(instrument_id):
    return yaml.safe_load((INSTRUMENTS_DIR / f"{instrument_id}.yaml").read_text())


def labels(instrument_id, item_id):
    return [option.label for option in instruments.get(instrument_id).item(item_id).options]


def scores(instrument_id, item_id):
    return [option.score for option in instruments.get(instrument_id).item(item_id).options]


def test_all_seven_instruments_load_ordered_by_id():
    assert [i.id for i in instruments.all_instruments()] == [
        "cssrs_screen", "epds", "gad7", "hamd17", "phq2", "phq9", "wsas",
    ]  # fmt: skip


def test_definitions_are_loaded_once_and_cached():
    assert instruments.get("phq9") is instruments.get("phq9")


def test_phq9_lists_items_1_to_9_then_the_unscored_optional_difficulty_item():
    phq9 = instruments.get("phq9")
    assert [item.id for item in phq9.items] == [f"item{n}" for n in range(1, 10)] + ["difficulty"]
    assert [item.number for item in phq9.items] == [str(n) for n in range(1, 11)]
    difficulty = phq9.item("difficulty")
    assert (difficulty.scored, difficulty.optional) == (False, True)
    assert [item.id for item in phq9.scored_items] == [f"item{n}" for n in range(1, 10)]


def test_phq9_options_are_in_form_order_with_their_loinc_answer_codes():
    options = instruments.get("phq9").item("item1").options
    assert [(o.code, o.label, o.score) for o in options] == [
        ("not_at_all", "Not at all", 0),
        ("several_days", "Several days", 1),
        ("more_than_half_the_days", "More than half the days", 2),
        ("nearly_every_day", "Nearly every day", 3),
    ]
    assert [(o.loinc.code, o.loinc.system) for o in options] == [
        ("LA6568-5", LOINC), ("LA6569-3", LOINC), ("LA6570-1", LOINC), ("LA6571-9", LOINC),
    ]  # fmt: skip


def test_the_disputed_phq9_difficulty_answer_codes_are_marked_unconfirmed():
    options = {o.code: o.loinc for o in instruments.get("phq9").item("difficulty").options}
    assert options["very_difficult"].code == "LA6575-0"
    assert options["extremely_difficult"].code == "LA6574-3"
    for code in ("very_difficult", "extremely_difficult"):
        assert options[code].provenance.verified is False
        assert options[code].provenance.confidence == "U"
        assert "swap" in options[code].provenance.source


def test_phq9_codes_for_the_panel_the_items_and_the_total_are_the_spec_ones():
    phq9 = instruments.get("phq9")
    assert (phq9.loinc_panel.code, phq9.loinc_total.code) == ("44249-1", "44261-6")
    assert [item.loinc.code for item in phq9.items] == [
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8",
        "69722-7",
    ]  # fmt: skip
    assert phq9.loinc_panel.provenance.verified is True


def test_band_ids_follow_the_spec():
    assert [b.id for b in instruments.get("phq9").bands] == [
        "minimal", "mild", "moderate", "moderately_severe", "severe",
    ]  # fmt: skip
    assert [b.id for b in instruments.get("gad7").bands] == ["minimal", "mild", "moderate", "severe"]


def test_cssrs_asks_questions_1_to_6_then_6b_each_with_yes_then_no():
    cssrs = instruments.get("cssrs_screen")
    assert [item.id for item in cssrs.items] == ["q1", "q2", "q3", "q4", "q5", "q6", "q6b"]
    for item in cssrs.items:
        assert [o.label for o in item.options] == ["Yes", "No"]
        assert [o.code for o in item.options] == ["yes", "no"]
        assert [o.score for o in item.options] == [None, None]
    assert cssrs.scoring.method == "risk_category"
    assert cssrs.bands == ()


def test_cssrs_no_is_a_confirmed_loinc_answer_and_yes_is_not():
    yes, no = instruments.get("cssrs_screen").item("q1").options
    assert (no.loinc.code, no.loinc.provenance.verified) == ("LA32-8", True)
    assert (yes.loinc.code, yes.loinc.provenance.verified, yes.loinc.provenance.confidence) == (
        "LA33-6",
        False,
        "U",
    )


def test_cssrs_branching_asks_3_to_5_after_a_yes_to_2_and_6b_after_a_yes_to_6():
    cssrs = instruments.get("cssrs_screen")
    asked_when = {item.id: item.ask_when.describe() if item.ask_when else None for item in cssrs.items}
    assert asked_when == {
        "q1": None, "q2": None, "q3": "q2 is yes", "q4": "q2 is yes", "q5": "q2 is yes", "q6": None,
        "q6b": "q6 is yes",
    }  # fmt: skip


def test_epds_reverse_scoring_is_carried_by_the_option_scores_alone():
    for n in (1, 2, 4):
        assert scores("epds", f"item{n}") == [0, 1, 2, 3]
    for n in (3, 5, 6, 7, 8, 9, 10):
        assert scores("epds", f"item{n}") == [3, 2, 1, 0]

    def keys(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                yield from keys(value)
        elif isinstance(node, list):
            for value in node:
                yield from keys(value)

    assert not [key for key in keys(raw("epds")) if "revers" in key]


def test_instruments_whose_licence_is_unconfirmed_carry_descriptors_not_the_wording():
    wording = {i.id: i.licence.wording for i in instruments.all_instruments()}
    assert wording == {
        "cssrs_screen": "verbatim", "epds": "descriptor", "gad7": "verbatim", "hamd17": "descriptor",
        "phq2": "verbatim", "phq9": "verbatim", "wsas": "descriptor",
    }  # fmt: skip
    for instrument_id in ("epds", "hamd17", "wsas"):
        licence = instruments.get(instrument_id).licence
        assert "descriptor" in licence.terms
        assert licence.provenance.verified is False


def test_only_the_instruments_with_a_suicide_item_ask_about_risk():
    asks = {i.id: [item.id for item in i.risk_items] for i in instruments.all_instruments()}
    assert asks == {
        "cssrs_screen": ["q1", "q2", "q3", "q4", "q5", "q6", "q6b"],
        "epds": ["item10"],
        "gad7": [],
        "hamd17": ["item3"],
        "phq2": [],
        "phq9": ["item9"],
        "wsas": [],
    }
    assert instruments.get("phq2").asks_about_risk is False


def test_every_option_code_is_unique_within_its_item_and_every_scored_option_has_a_score():
    for instrument in instruments.all_instruments():
        for item in instrument.items:
            codes = [option.code for option in item.options]
            assert len(codes) == len(set(codes)), (instrument.id, item.id)
            if item.scored:
                assert all(o.score is not None or o.not_applicable for o in item.options)


def test_every_unconfirmed_value_says_where_it_came_from():
    for instrument in instruments.all_instruments():
        codings = [instrument.loinc_panel, instrument.loinc_total]
        codings += [item.loinc for item in instrument.items]
        codings += [option.loinc for item in instrument.items for option in item.options]
        codings += list(instrument.risk_level_codes.values())
        provenances = [coding.provenance for coding in codings if coding is not None]
        provenances += [instrument.licence.provenance, instrument.scoring.provenance]
        provenances += [rule.provenance for rule in instrument.risk_rules]
        provenances += [instrument.bands_provenance] if instrument.bands_provenance else []
        for provenance in provenances:
            assert provenance.verified == (provenance.confidence == "C")
            assert provenance.verified or provenance.source


def test_the_triage_levels_rank_none_low_moderate_high_onto_tiers_0_to_3():
    rules = triage_rules()
    assert rules.levels == ("none", "low", "moderate", "high")
    assert [rules.tier_for(level) for level in rules.levels] == ["T0", "T1", "T2", "T3"]
    assert rules.highest(["low", "high", "moderate"]) == "high"
    assert rules.highest([]) == "none"


def test_the_outcome_rules_hold_the_spec_thresholds():
    rules = outcome_rules()
    phq9, gad7 = rules.measure("phq9"), rules.measure("gad7")
    assert phq9.response_percent_fall == 50
    assert phq9.remission_below == 5
    assert phq9.reliable_change == 6
    assert phq9.caseness_at_least == 10
    assert (gad7.reliable_change, gad7.caseness_at_least) == (4, 8)
    assert (gad7.response_percent_fall, gad7.remission_below) == (None, None)
    assert rules.not_on_track_by_session == 6
    assert (rules.mid_course_review_session, rules.course_length) == (8, 16)
    assert rules.finished_course_sessions == 2
    assert rules.provenance["not_on_track"].confidence == "U"


# Malformed definitions: each mistake fails at load time, naming the file and the field.


def write(tmp_path: Path, data, name="phq9") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def broken_phq9(change):
    data = copy.deepcopy(raw("phq9"))
    change(data)
    return data


def load_error(tmp_path, data, name="phq9"):
    with pytest.raises(DefinitionError) as raised:
        load_instrument(write(tmp_path, data, name))
    return str(raised.value)


MALFORMED = {
    "an option without a score": (
        lambda d: d["answer_lists"]["frequency"][0].pop("score"),
        "phq9.yaml: answer_lists.frequency[0]: missing required field 'score'",
    ),
    "a score written as text": (
        lambda d: d["answer_lists"]["frequency"][1].update(score="1"),
        "phq9.yaml: answer_lists.frequency[1].score: expected a whole number, got text '1'",
    ),
    "a misspelt field": (
        lambda d: d["items"][0].update(socred=True),
        "phq9.yaml: items[0]: unknown field(s) socred",
    ),
    "a gap between bands": (
        lambda d: d["bands"]["ranges"][1].update(min=6),
        "phq9.yaml: bands.ranges: band 'mild' starts at 6; expected 5",
    ),
    "bands that stop short of the maximum": (
        lambda d: d["bands"]["ranges"][4].update(max=26),
        "phq9.yaml: bands.ranges: the bands end at 26; the total goes up to 27",
    ),
    "a range that disagrees with the options": (
        lambda d: d["scoring"].update(max=30),
        "phq9.yaml: scoring: range 0-30 does not match the options, which give 0-27",
    ),
    "a risk rule on an unknown item": (
        lambda d: d["risk_rules"][0]["when"].update(item="item99"),
        "phq9.yaml: risk_rules[0].when.item: expected one of",
    ),
    "a risk rule with an unknown level": (
        lambda d: d["risk_rules"][0].update(level="severe"),
        "phq9.yaml: risk_rules[0].level: expected one of none, low, moderate, high, got 'severe'",
    ),
    "a risk rule that can never fire": (
        lambda d: d["risk_rules"][0]["when"].update(score_at_least=4),
        "phq9.yaml: risk_rules[0].when.score_at_least: no option of 'item9' scores 4 or more",
    ),
    "a risk rule on an item not marked as a risk item": (
        lambda d: d["risk_rules"][0]["when"].update(item="item8"),
        "phq9.yaml: risk_rules: rules look at 'item8', which is not marked as a risk item",
    ),
    "a risk item no rule uses": (
        lambda d: d.update(risk_rules=[]),
        "phq9.yaml: items: risk item 'item9' is not used by any risk rule",
    ),
    "an unverified value without a source": (
        lambda d: d["loinc"]["panel"].update(verified=False, confidence="U"),
        "phq9.yaml: loinc.panel: an unverified value needs a 'source'",
    ),
    "a value marked verified against an unconfirmed tag": (
        lambda d: d["licence"].update(confidence="U"),
        "phq9.yaml: licence: verified is true but confidence is U",
    ),
    "a scored item that is optional": (
        lambda d: d["items"][0].update(optional=True),
        "phq9.yaml: items[0].optional: a scored item cannot be optional",
    ),
    "an item that refers to an unknown answer list": (
        lambda d: d["items"][0].update(options="freqency"),
        "phq9.yaml: items[0].options: expected one of difficulty, frequency, got 'freqency'",
    ),
    "an id that does not match the file name": (
        lambda d: d.update(id="phq10"),
        "phq9.yaml: id: must match the file name ('phq9'), got 'phq10'",
    ),
    "a duplicate item id": (
        lambda d: d["items"][1].update(id="item1"),
        "phq9.yaml: items[1].id: duplicate item id 'item1'",
    ),
    "an unknown missing-item rule": (
        lambda d: d["scoring"]["missing"].update(rule="guess"),
        "phq9.yaml: scoring.missing.rule: expected one of no_total, prorate, got 'guess'",
    ),
}


@pytest.mark.parametrize(("change", "message"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_definition_fails_loudly_naming_the_file_and_the_field(tmp_path, change, message):
    assert message in load_error(tmp_path, broken_phq9(change))


def test_branching_may_only_look_back_at_earlier_questions(tmp_path):
    data = copy.deepcopy(raw("cssrs_screen"))
    data["items"][2]["ask_when"] = {"item": "q6", "answer_in": ["yes"]}
    message = load_error(tmp_path, data, "cssrs_screen")
    assert "cssrs_screen.yaml: items[2].ask_when.item: expected one of q1, q2, got 'q6'" in message


def test_a_file_that_is_not_yaml_fails_naming_the_file(tmp_path):
    path = tmp_path / "phq9.yaml"
    path.write_text("id: [unclosed\n")
    with pytest.raises(DefinitionError, match=r"^phq9\.yaml: is not valid YAML"):
        load_instrument(path)


def test_a_follow_up_to_an_unknown_instrument_fails_when_the_directory_loads(tmp_path):
    data = broken_phq9(lambda d: d["risk_rules"][0].update(follow_up=["cssrs_full"]))
    write(tmp_path, data)
    with pytest.raises(
        DefinitionError, match=r"phq9\.yaml: risk_rules \(item9_positive\)\.follow_up: unknown"
    ):
        load_directory(tmp_path)


def test_a_definition_may_prorate_a_missing_item_when_it_says_how(tmp_path):
    # No shipped instrument prorates (the spec gives no rule); this proves the mechanism.
    data = broken_phq9(lambda d: d["scoring"].update(missing={"rule": "prorate", "max_missing": 1}))
    phq9 = load_instrument(write(tmp_path, data))
    from rapport.core.scoring import score

    eight = {f"item{n}": "more_than_half_the_days" for n in range(1, 9)}  # 16 over 8 items
    result = score(phq9, eight)
    assert (result.total, result.prorated, result.band, result.complete) == (
        18,
        True,
        "moderately_severe",
        False,
    )
    assert result.unanswered_risk_items == ("item9",)
    seven = {f"item{n}": "nearly_every_day" for n in range(1, 8)}
    assert score(phq9, seven).total is None
