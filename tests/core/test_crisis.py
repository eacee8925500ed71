"""Crisis lines per country (spec 3.4): what the files hold, the generic fallback, review dates."""

import copy
from datetime import date
from pathlib import Path

import pytest
import yaml

from rapport.core import crisis
from rapport.core.crisis import CRISIS_LINES_DIR, Line, add_months, load_directory, load_file
from rapport.core.datafiles import DefinitionError


def raw(name):
    return yaml.safe_load((CRISIS_LINES_DIR / f"{name}.yaml").read_text())


def numbers(resources):
    return [line.number for line in resources.lines]


def test_the_five_countries_load_ordered_by_code_without_the_generic_entry():
    assert [r.country for r in crisis.all_countries()] == ["AU", "CA", "GB", "IE", "US"]
    assert not any(r.generic for r in crisis.all_countries())


def test_entries_are_loaded_once_and_cached():
    assert crisis.for_country("GB") is crisis.for_country("gb")


def test_the_uk_has_999_and_112_samaritans_and_shout_by_text():
    uk = crisis.for_country("GB")
    assert [line.number for line in uk.emergency] == ["999", "112"]
    samaritans = uk.line("samaritans")
    assert (samaritans.number, samaritans.hours, samaritans.cost) == ("116 123", "24/7", "free")
    assert samaritans.tel_href == "tel:116123"
    shout = uk.line("shout")
    assert shout in uk.text_lines
    assert (shout.channels, shout.text_keyword) == (("text",), "SHOUT")
    assert shout.provenance.confidence == "U"


def test_the_us_has_911_and_988_by_call_text_or_chat_and_the_crisis_text_line():
    us = crisis.for_country("us")
    assert numbers(us) == ["911", "988", "741741"]
    lifeline = us.line("lifeline_988")
    assert lifeline.channels == ("phone", "text", "chat")
    assert (lifeline.tel_href, lifeline.sms_href) == ("tel:988", "sms:988")
    assert lifeline.provenance.verified is True
    assert us.line("crisis_text_line").sms_href == "sms:741741?body=HOME"


def test_the_superseded_us_and_uk_numbers_appear_nowhere():
    shown = {
        number.replace(" ", "").replace("-", "") for r in crisis.all_countries() for number in numbers(r)
    }
    assert "18002738255" not in shown
    assert not any(number.startswith("0845") for number in shown)


def test_canada_ireland_and_australia_hold_the_spec_numbers():
    assert numbers(crisis.for_country("CA")) == ["911", "988"]
    assert numbers(crisis.for_country("IE")) == ["112", "999", "116 123"]
    assert numbers(crisis.for_country("AU")) == ["000", "13 11 14"]
    assert crisis.for_country("AU").line("lifeline").tel_href == "tel:131114"


def test_every_irish_number_is_unconfirmed_as_the_spec_says():
    assert {line.provenance.confidence for line in crisis.for_country("IE").lines} == {"U"}


def test_every_line_carries_provenance_and_only_c_is_verified():
    for resources in crisis.all_countries():
        for line in resources.lines:
            assert line.provenance.verified == (line.provenance.confidence == "C"), line.id
            assert line.provenance.source, line.id


def test_no_entry_claims_a_human_has_verified_it_yet():
    entries = [*crisis.all_countries(), crisis.for_country(None)]
    assert {(r.verified_on, r.verified_by, r.review_months) for r in entries} == {(date(2025, 1, 1), None, 6)}
    for resources in entries:
        assert resources.source_url.startswith("https://")
        assert any("verif" in note for note in resources.notes), resources.source_file


@pytest.mark.parametrize("code", [None, "", "  ", "XX", "fr", "zz", "GBR", 826])
def test_an_unknown_or_missing_country_gets_the_generic_entry_with_no_numbers(code):
    resources = crisis.for_country(code)
    assert resources.generic is True
    assert resources.lines == ()
    assert resources.country == ""
    assert resources.fallback_directory_url == "https://findahelpline.com/"


def test_country_codes_are_read_case_insensitively_and_uk_means_gb():
    assert crisis.for_country(" gb ").country == "GB"
    assert crisis.for_country("uk").country == "GB"
    assert crisis.for_country("Ie").country == "IE"


def test_every_country_also_offers_the_fallback_directory():
    assert {r.fallback_directory_url for r in crisis.all_countries()} == {"https://findahelpline.com/"}


# Links


def test_tel_links_keep_digits_and_a_leading_plus_only():
    line = Line("x", "X", "+1 (555) 010-0100", ("phone",), "", "")
    assert line.tel_href == "tel:+15550100100"
    assert Line("x", "X", "13 11 14", ("phone", "text"), "", "").tel_href == "tel:131114"


def test_sms_links_carry_the_keyword_as_the_body_and_only_exist_for_text_lines():
    assert Line("x", "X", "85258", ("text",), "", "", text_keyword="SHOUT").sms_href == "sms:85258?body=SHOUT"
    assert Line("x", "X", "988", ("phone", "text"), "", "").sms_href == "sms:988"
    assert Line("x", "X", "999", ("phone",), "", "").sms_href == ""
    assert Line("x", "X", "85258", ("text",), "", "").tel_href == ""


# Review dates


def test_the_review_falls_due_review_months_after_verification():
    assert crisis.for_country("GB").review_due_on == date(2025, 7, 1)


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        (date(2025, 1, 1), 6, date(2025, 7, 1)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),  # no 31 February: the last day of the month
        (date(2023, 8, 31), 6, date(2024, 2, 29)),  # a leap year
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 7, 31), 12, date(2026, 7, 31)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
    ],
)
def test_months_are_added_by_the_calendar_and_the_day_is_clamped(start, months, due):
    assert add_months(start, months) == due


def test_all_entries_are_due_for_review_now_because_nobody_has_verified_them():
    due = crisis.due_for_review(date(2025, 6, 1))
    assert [r.country or "generic" for r in due] == ["AU", "CA", "GB", "IE", "US", "generic"]


def test_nothing_is_due_well_before_the_review_date_and_the_window_counts():
    assert crisis.due_for_review(date(2025, 5, 31)) == []
    assert crisis.due_for_review(date(2025, 5, 31), within_days=31) != []
    assert crisis.due_for_review(date(2025, 6, 1), within_days=29) == []


def test_due_entries_come_soonest_first_and_later_ones_wait(tmp_path, monkeypatch):
    verified = {
        "GB": date(2025, 1, 1),
        "US": date(2024, 10, 1),
        "generic": date(2024, 12, 1),
        "CA": date(2025, 5, 1),
    }
    for name, verified_on in verified.items():
        write(tmp_path, raw(name) | {"verified_on": verified_on}, name)
    monkeypatch.setattr(crisis, "_load_all", lambda: load_directory(tmp_path))
    due = crisis.due_for_review(date(2025, 6, 15))
    assert [(r.source_file, r.review_due_on) for r in due] == [
        ("US.yaml", date(2025, 4, 1)),
        ("generic.yaml", date(2025, 6, 1)),
        ("GB.yaml", date(2025, 7, 1)),
    ]  # CA falls due on 1 November, outside the 30 days


# Malformed files fail loudly, naming the file and the field.


def write(tmp_path: Path, data, name) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def broken(name, change):
    data = copy.deepcopy(raw(name))
    change(data)
    return data


MALFORMED = {
    "a country that does not match the file name": (
        "GB",
        lambda d: d.update(country="IE"),
        "GB.yaml: country: is 'IE' but the file is GB.yaml; they must match",
    ),
    "a missing verified_on": (
        "GB",
        lambda d: d.pop("verified_on"),
        "GB.yaml: (top level): missing required field 'verified_on'",
    ),
    "a verified_on that is not a date": (
        "GB",
        lambda d: d.update(verified_on="soon"),
        "GB.yaml: verified_on: expected a date such as 2025-01-01, got 'soon'",
    ),
    "a line without a number": (
        "US",
        lambda d: d["crisis_lines"][0].pop("number"),
        "US.yaml: crisis_lines[0]: missing required field 'number'",
    ),
    "a number written as a whole number": (
        "US",
        lambda d: d["emergency"][0].update(number=911),
        "US.yaml: emergency[0].number: expected non-empty text, got int 911",
    ),
    "a number with letters in it": (
        "US",
        lambda d: d["crisis_lines"][0].update(number="1-800-SUICIDE"),
        "US.yaml: crisis_lines[0].number: expected digits, spaces and hyphens",
    ),
    "a misspelt field": (
        "GB",
        lambda d: d["crisis_lines"][0].update(hour="24/7"),
        "GB.yaml: crisis_lines[0]: unknown field(s) hour",
    ),
    "an unknown channel": (
        "GB",
        lambda d: d["crisis_lines"][0].update(channels=["phone", "fax"]),
        "GB.yaml: crisis_lines[0].channels[1]: expected one of phone, text, chat, got 'fax'",
    ),
    "a keyword on a line that takes no texts": (
        "GB",
        lambda d: d["crisis_lines"][0].update(text_keyword="HELLO"),
        "GB.yaml: crisis_lines[0].text_keyword: a text keyword needs the 'text' channel",
    ),
    "a text line that takes no texts": (
        "GB",
        lambda d: d["text_lines"][0].update(channels=["phone"], text_keyword=None),
        "GB.yaml: text_lines[0].channels: a line in this list must include 'text'",
    ),
    "a line without provenance": (
        "GB",
        lambda d: d["crisis_lines"][0].pop("confidence"),
        "GB.yaml: crisis_lines[0]: missing required field 'confidence'",
    ),
    "an unconfirmed line marked verified": (
        "GB",
        lambda d: d["crisis_lines"][0].update(verified=True),
        "GB.yaml: crisis_lines[0]: verified is true but confidence is U",
    ),
    "a country without an emergency number": (
        "AU",
        lambda d: d.update(emergency=[]),
        "AU.yaml: emergency: a country needs its emergency number",
    ),
    "two lines with the same id": (
        "IE",
        lambda d: d["emergency"][1].update(id="emergency_112"),
        "IE.yaml: (top level): duplicate line id 'emergency_112'",
    ),
    "a plain http source": (
        "GB",
        lambda d: d.update(source_url="http://www.samaritans.org/"),
        "GB.yaml: source_url: expected an https:// address",
    ),
    "a generic entry with a number": (
        "generic",
        lambda d: d.update(emergency=copy.deepcopy(raw("GB")["emergency"])),
        "generic.yaml: (top level): the generic entry must list no numbers",
    ),
    "a generic entry with a country": (
        "generic",
        lambda d: d.update(country="GB"),
        "generic.yaml: country: the generic entry has no country; leave it null",
    ),
    "a country file claiming to be generic": (
        "CA",
        lambda d: d.update(generic=True),
        "CA.yaml: generic: only generic.yaml may be generic",
    ),
    "no review interval": (
        "CA",
        lambda d: d.update(review_months=0),
        "CA.yaml: review_months: expected 1 to 24 months, got 0",
    ),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_file_fails_naming_the_file_and_the_field(tmp_path, case):
    name, change, message = MALFORMED[case]
    with pytest.raises(DefinitionError) as raised:
        load_file(write(tmp_path, broken(name, change), name))
    assert message in str(raised.value)


def test_a_directory_without_the_generic_entry_fails(tmp_path):
    write(tmp_path, raw("GB"), "GB")
    with pytest.raises(DefinitionError, match=r"generic\.yaml is missing"):
        load_directory(tmp_path)


def test_a_lower_case_file_name_and_code_are_refused(tmp_path):
    data = broken("GB", lambda d: d.update(country="gb"))
    with pytest.raises(DefinitionError, match="expected an ISO 3166 alpha-2 code in capitals"):
        load_file(write(tmp_path, data, "gb"))
