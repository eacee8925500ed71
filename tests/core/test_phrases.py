"""Risk phrases in free text (spec 3.2): whole words, conservative, no negation handling."""

import copy

import pytest
import yaml

from rapport.core import phrases
from rapport.core.datafiles import DefinitionError
from rapport.core.phrases import RISK_PHRASES, Match, load_phrases, normalise, screen


def ids(text):
    return [match.id for match in screen(text)]


def categories(text):
    return {match.category for match in screen(text)}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Some days I just want to kill myself.", "suicidal_ideation"),
        ("I've been thinking about suicide a lot", "suicidal_ideation"),
        ("I feel like ending it all", "suicidal_ideation"),
        ("honestly i wish i was dead", "suicidal_ideation"),
        ("I don't want to be here anymore", "suicidal_ideation"),
        ("I started cutting myself again last week", "self_harm"),
        ("Thought about self-harm", "self_harm"),
        ("I have been saving up my pills", "plan_or_means"),
        ("I wrote a goodbye letter", "plan_or_means"),
        ("There's no way out of this", "hopelessness"),
        ("They'd all be better off without me", "hopelessness"),
        ("I can't go on like this", "hopelessness"),
    ],
)
def test_clear_risk_statements_are_found_in_their_category(text, category):
    assert category in categories(text)


@pytest.mark.parametrize(
    "text",
    [
        "I was dead tired after work",
        "We were just killing time before the film",
        "She has the skill myself and my brother lack",  # "skill myself" is not "kill myself"
        "The traffic is killing me",
        "I cut my hair and felt better",
        "That joke killed",
        "My phone died on the bus",
        "I'm dying to see my sister",
        "The suicides in the novel upset me",  # whole words: "suicides" is not listed
        "I'm hopeful about the new job",
        "",
    ],
)
def test_everyday_sentences_do_not_match(text):
    assert screen(text) == ()


def test_case_curly_apostrophes_and_missing_apostrophes_match_alike():
    expected = (Match("want_to_die", "suicidal_ideation", "don't want to live"),)
    assert screen("I DON\u2019T WANT TO LIVE") == expected
    assert screen("i dont want to live") == expected
    assert screen("I don't   want\nto live") == expected


def test_punctuation_at_word_edges_and_dashes_are_ignored():
    assert ids("kill... myself!!") == ["kill_myself"]
    assert ids("\u201cI want to die\u201d, she wrote") == ["want_to_die"]
    assert ids("self\u2013harm") == ["hurt_myself"]


def test_negation_is_not_handled_so_a_denial_still_goes_to_review():
    # Conservative on purpose: "I don't want to die but I can't go on" is exactly the sentence a
    # negation rule would wave through. The reviewer reads the sentence in full.
    assert ids("I don't want to die") == ["want_to_die"]
    assert ids("I'm not suicidal") == ["suicide"]
    assert ids("I don't want to die but I can't go on") == ["want_to_die", "no_way_out"]


def test_each_phrase_found_is_reported_once_in_file_order_with_the_phrase_as_written():
    found = screen("I plan to kill myself. I want to kill myself, I want to kill myself.")
    assert found == (
        Match("kill_myself", "suicidal_ideation", "kill myself"),
        Match("preparation", "plan_or_means", "plan to kill myself"),
    )


def test_whitespace_only_text_matches_nothing():
    assert screen("   \n\t ") == ()


def test_normalise_gives_words_separated_by_single_spaces():
    assert normalise("  \u2018Don\u2019t\u2019  STOP\u2014now!  ") == "dont stop now"
    assert normalise("...") == ""


def test_screening_is_switched_on_by_the_free_text_trigger():
    assert phrases.enabled() is True


def test_the_list_is_marked_unconfirmed_and_says_it_is_never_the_only_safety_net():
    phrase_list = phrases.phrase_list()
    assert (phrase_list.provenance.verified, phrase_list.provenance.confidence) == (False, "U")
    assert any("Never the only safety net" in note for note in phrase_list.notes)
    assert list(phrase_list.categories) == ["suicidal_ideation", "self_harm", "plan_or_means", "hopelessness"]
    assert {entry.category for entry in phrase_list.entries} == set(phrase_list.categories)


def test_no_lone_everyday_word_is_listed():
    listed = {normalise(phrase) for entry in phrases.phrase_list().entries for phrase in entry.phrases}
    assert not listed & {"dead", "die", "dying", "kill", "killing", "cut", "hopeless", "hurt"}


# Malformed phrase files fail loudly.


def raw():
    return yaml.safe_load(RISK_PHRASES.read_text())


def load_error(tmp_path, change):
    data = copy.deepcopy(raw())
    change(data)
    path = tmp_path / "risk_phrases.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    with pytest.raises(DefinitionError) as raised:
        load_phrases(path)
    return str(raised.value)


def test_an_unknown_category_fails(tmp_path):
    message = load_error(tmp_path, lambda d: d["entries"][0].update(category="sadness"))
    assert message.startswith("risk_phrases.yaml: entries[0].category: expected one of suicidal_ideation")


def test_a_misspelt_field_fails(tmp_path):
    message = load_error(tmp_path, lambda d: d["entries"][0].update(phrase=["x"]))
    assert "risk_phrases.yaml: entries[0]: unknown field(s) phrase" in message


def test_a_phrase_listed_twice_fails_even_when_written_differently(tmp_path):
    message = load_error(tmp_path, lambda d: d["entries"][1]["phrases"].append("Kill  Myself!"))
    assert "entries[1].phrases[" in message
    assert "is already listed under 'kill_myself'" in message


def test_a_phrase_that_contains_another_of_its_entry_fails(tmp_path):
    message = load_error(tmp_path, lambda d: d["entries"][0]["phrases"].append("kill myself now"))
    assert "'kill myself now' contains 'kill myself'" in message


def test_a_phrase_of_punctuation_only_fails(tmp_path):
    message = load_error(tmp_path, lambda d: d["entries"][0]["phrases"].append("?!"))
    assert "has no words left once punctuation is stripped" in message


def test_a_list_claimed_as_verified_fails(tmp_path):
    message = load_error(tmp_path, lambda d: d.update(verified=True))
    assert "verified is true but confidence is U" in message
