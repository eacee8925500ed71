"""A QuestionnaireResponse from elsewhere, scored by code through the one measurement service.

Answers are matched by (linkId, code) and never by displayed text, so a form filled in another
language scores the same (hazard HAZ-100). A QuestionnaireResponse that names no questionnaire of
ours, the wrong version, an unknown item or code, or an answer to an item the branching skips is
refused with the item named and nothing stored. The risk rules run inside record_response, in the
same transaction as the stored response, exactly as for the JSON API (HAZ-102)."""

from __future__ import annotations

from datetime import datetime

from rapport.clinic import measurement
from rapport.common.errors import InvalidInput
from rapport.core import instruments
from rapport.core.instruments import Instrument, Item
from rapport.interop.fhir import codes

# An answer whose code we do not know goes to the scoring as a code no option has, so that the
# service refuses it naming the item, and judges the valid risk answers beside it as it does for
# the JSON API (a typo in one item never hides a positive risk item).
UNKNOWN = "?unknown:"


def parse(body) -> tuple[Instrument, int, dict[str, str], datetime | None]:
    """(instrument, client id, answers by item id, authored) of a QuestionnaireResponse body."""
    if not isinstance(body, dict) or body.get("resourceType") != "QuestionnaireResponse":
        raise InvalidInput({"resourceType": ["Send a QuestionnaireResponse."]})
    if body.get("status") not in ("completed", "amended"):
        raise InvalidInput({"status": ["Only a completed QuestionnaireResponse can be scored."]})
    instrument = _instrument(body.get("questionnaire"))
    client_id = _subject(body.get("subject"))
    authored = _authored(body.get("authored"))
    answers: dict[str, str] = {}
    problems: dict[str, list[str]] = {}
    for path, item in _items(body.get("item", [])):
        link_id = item.get("linkId") if isinstance(item, dict) else None
        where = f"item[{link_id}]" if isinstance(link_id, str) else path
        if not isinstance(link_id, str) or link_id not in instrument.items_by_id:
            problems.setdefault(where, []).append("There is no such item in this questionnaire.")
            continue
        if link_id in answers:
            problems.setdefault(where, []).append("This item is answered twice.")
            continue
        given = item.get("answer", [])
        if not given:
            continue  # left blank: the scoring decides what a missing item means
        if not isinstance(given, list) or len(given) != 1 or not isinstance(given[0], dict):
            problems.setdefault(where, []).append("Give one answer.")
            continue
        coding = given[0].get("valueCoding")
        if not isinstance(coding, dict) or not isinstance(coding.get("code"), str):
            problems.setdefault(where, []).append("Give the answer as a valueCoding with its code.")
            continue
        answers[link_id] = option_for(instrument, instrument.item(link_id), coding)
    if problems:
        raise InvalidInput(problems)
    return instrument, client_id, answers, authored


def option_for(instrument: Instrument, item: Item, coding: dict) -> str:
    """Our option code for an answer coding: its LOINC answer code or our own code, with the system
    given or left out (some form fillers drop it: reference B3). Never the display text."""
    system, code = coding.get("system"), coding["code"]
    for option in item.options:
        loinc = option.loinc.code if option.loinc is not None else None
        if loinc and code == loinc and system in (None, codes.LOINC):
            return option.code
        if code == option.code and system in (None, codes.answers_system(instrument.id)):
            return option.code
    return UNKNOWN + code[:40]


def _items(items, path: str = "item"):
    """Every answered item, nested groups flattened (our questionnaires have none, others may)."""
    if not isinstance(items, list):
        raise InvalidInput({"item": ["item is a list."]})
    for index, item in enumerate(items):
        yield f"{path}[{index}]", item
        if isinstance(item, dict) and item.get("item"):
            yield from _items(item["item"], f"{path}[{index}].item")


def _instrument(value) -> Instrument:
    if not isinstance(value, str) or "|" not in value:
        raise InvalidInput(
            {"questionnaire": ["Name the questionnaire by its canonical url and version (url|version)."]}
        )
    url, _, version = value.partition("|")
    for instrument in instruments.all_instruments():
        if codes.questionnaire_url(instrument.id) == url:
            if version != instrument.version:
                raise InvalidInput(
                    {
                        "questionnaire": [
                            f"Version {version} is not the version we score ({instrument.version})."
                        ]
                    }
                )
            return instrument
    raise InvalidInput({"questionnaire": ["This is not one of our questionnaires."]})


def _subject(value) -> int:
    reference = value.get("reference") if isinstance(value, dict) else None
    if not isinstance(reference, str) or not reference.startswith("Patient/"):
        raise InvalidInput({"subject": ["Name the patient as Patient/id."]})
    pk = reference.removeprefix("Patient/")
    if not pk.isdigit() or len(pk) > 12:
        raise InvalidInput({"subject": ["Name the patient as Patient/id."]})
    return int(pk)


def _authored(value) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) and len(value) > 10 else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise InvalidInput({"authored": ["Give authored as a date-time with its offset."]})
    return when


def import_response(request, body):
    """Store and score one incoming QuestionnaireResponse; returns the stored Response."""
    instrument, client_id, answers, authored = parse(body)
    return measurement.record_response(request, client_id, instrument.id, answers, answered_at=authored)
