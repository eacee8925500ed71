"""Escalation (spec 3.2): acknowledgement windows, the chain, tier order and the other triggers."""

import copy
from datetime import timedelta

import pytest
import yaml

from rapport.core.datafiles import DefinitionError
from rapport.core.triage import TRIAGE_RULES, load_triage_rules, triage_rules


def test_each_alerting_tier_must_be_acknowledged_sooner_the_higher_it_is():
    rules = triage_rules()
    windows = {tier.id: tier.acknowledge_within for tier in rules.tiers}
    assert windows == {
        "T0": None,
        "T1": timedelta(hours=24),
        "T2": timedelta(hours=4),
        "T3": timedelta(minutes=15),
    }


def test_the_acknowledgement_windows_are_unconfirmed_product_choices():
    for tier_id in ("T1", "T2", "T3"):
        provenance = triage_rules().tier(tier_id).acknowledge_provenance
        assert (provenance.verified, provenance.confidence) == (False, "U")
        assert "7.13" in provenance.source
    assert triage_rules().tier("T0").acknowledge_provenance is None


def test_the_escalation_chain_runs_from_the_clinician_to_the_administrators():
    rules = triage_rules()
    assert rules.escalation_chain == (
        "responsible_clinician",
        "team_supervisors",
        "organisation_administrators",
    )
    assert rules.escalation_chain_provenance.confidence == "U"


def test_one_risk_episode_lasts_an_unconfirmed_24_hours():
    rules = triage_rules()
    assert rules.episode_window == timedelta(hours=24)
    assert (rules.episode_provenance.verified, rules.episode_provenance.confidence) == (False, "U")


def test_without_an_episode_section_every_trigger_opens_its_own_alert(tmp_path):
    data = yaml.safe_load(TRIAGE_RULES.read_text())
    del data["episode"]
    path = tmp_path / "triage_rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    assert load_triage_rules(path).episode_window is None


def test_tiers_rank_t0_below_t1_below_t2_below_t3():
    rules = triage_rules()
    assert [rules.tier_rank(tier) for tier in ("T0", "T1", "T2", "T3")] == [0, 1, 2, 3]
    with pytest.raises(KeyError, match="unknown tier 'T4'; known: T0, T1, T2, T3"):
        rules.tier_rank("T4")


@pytest.mark.parametrize(
    ("a", "b", "higher"),
    [("T1", "T3", "T3"), ("T3", "T1", "T3"), ("T2", "T2", "T2"), ("T0", "T1", "T1"), ("T2", "T0", "T2")],
)
def test_higher_tier_picks_the_more_urgent_of_two(a, b, higher):
    assert triage_rules().higher_tier(a, b) == higher


def test_higher_tier_refuses_an_unknown_tier():
    with pytest.raises(KeyError):
        triage_rules().higher_tier("T1", "chosen")


def test_triggers_are_found_by_id_and_an_unknown_one_is_a_key_error():
    rules = triage_rules()
    assert rules.trigger("help_now_button").tier == "T3"
    assert rules.trigger("clinician_raised").tier == "chosen"
    with pytest.raises(KeyError, match="unknown trigger 'panic'"):
        rules.trigger("panic")


def test_free_text_screening_is_on_but_stays_an_unconfirmed_t1_review():
    trigger = triage_rules().trigger("free_text_keywords")
    assert (trigger.enabled, trigger.review_only, trigger.tier) == (True, True, "T1")
    assert (trigger.provenance.verified, trigger.provenance.confidence) == (False, "U")
    assert "off by default" in trigger.provenance.source


def test_the_existing_level_and_tier_mapping_is_unchanged():
    rules = triage_rules()
    assert [rules.tier_for(level) for level in rules.levels] == ["T0", "T1", "T2", "T3"]
    assert rules.tier("T2").default_sla == "same day"


# Malformed rules fail loudly.


def load_error(tmp_path, change):
    data = copy.deepcopy(yaml.safe_load(TRIAGE_RULES.read_text()))
    change(data)
    path = tmp_path / "triage_rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    with pytest.raises(DefinitionError) as raised:
        load_triage_rules(path)
    return str(raised.value)


def window(tier_index, minutes):
    return lambda d: d["tiers"][tier_index]["acknowledge_within_minutes"].update(minutes=minutes)


MALFORMED = {
    "a higher tier that may wait longer": (
        window(3, 300),
        "triage_rules.yaml: tiers: tier T3 may wait longer for acknowledgement than T2 below it (300 > 240",
    ),
    "a higher tier with no window": (
        lambda d: d["tiers"][3].update(acknowledge_within_minutes=None),
        "triage_rules.yaml: tiers: tier T3 has no acknowledge_within_minutes but T2 below it has",
    ),
    "a window of no minutes": (
        window(1, 0),
        "tiers[1].acknowledge_within_minutes.minutes: must be at least 1",
    ),
    "a window written as text": (
        window(2, "4 hours"),
        "tiers[2].acknowledge_within_minutes.minutes: expected a whole number, got text '4 hours'",
    ),
    "a window claimed as verified": (
        lambda d: d["tiers"][1]["acknowledge_within_minutes"].update(verified=True),
        "tiers[1].acknowledge_within_minutes: verified is true but confidence is U",
    ),
    "an episode window of no minutes": (
        lambda d: d["episode"].update(follow_up_within_minutes=0),
        "episode.follow_up_within_minutes: must be at least 1 minute, got 0",
    ),
    "an episode window with an unknown field": (
        lambda d: d["episode"].update(hours=24),
        "episode",
    ),
    "an unknown role in the chain": (
        lambda d: d["escalation_chain"]["steps"].append("on_call_pager"),
        "triage_rules.yaml: escalation_chain.steps[3]: expected one of responsible_clinician",
    ),
    "a role twice in the chain": (
        lambda d: d["escalation_chain"]["steps"].append("team_supervisors"),
        "triage_rules.yaml: escalation_chain.steps: duplicate role 'team_supervisors'",
    ),
    "an empty chain": (
        lambda d: d["escalation_chain"].update(steps=[]),
        "triage_rules.yaml: escalation_chain.steps: must not be empty",
    ),
    "a missing chain": (
        lambda d: d.pop("escalation_chain"),
        "triage_rules.yaml: (top level): missing required field 'escalation_chain'",
    ),
    "a trigger listed twice": (
        lambda d: d["other_triggers"].append(dict(d["other_triggers"][0])),
        "triage_rules.yaml: other_triggers: duplicate trigger id 'help_now_button'",
    ),
    "a higher level mapped to a lower tier": (
        lambda d: d["levels"][3].update(tier="T1"),
        "triage_rules.yaml: levels: a higher level must not map to a lower tier",
    ),
    "a misspelt tier field": (
        lambda d: d["tiers"][1].update(acknowledge_within=60),
        "triage_rules.yaml: tiers[1]: unknown field(s) acknowledge_within",
    ),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_rules_fail_naming_the_file_and_the_field(tmp_path, case):
    change, message = MALFORMED[case]
    assert message in load_error(tmp_path, change)
