"""A Questionnaire for each instrument, generated from its YAML definition (core/instruments).

Answers carry a code and a system on every option (a form filler that copies them back, like
LHC-Forms, drops answers whose system differs: reference B3), the ordinal score as the R4
ordinalValue extension, and branching as enableWhen. Nothing here is written by hand per
instrument, so a new instrument needs no mapping code."""

from __future__ import annotations

import re

from rapport.core.instruments import AnswerIn, Condition, Instrument, Item, Option
from rapport.interop.fhir import codes


def answer_coding(instrument: Instrument, option: Option) -> dict:
    """The coding of an option: its LOINC answer code where the definition has one, else our own."""
    if option.loinc is not None and option.loinc.code:
        return {"system": codes.LOINC, "code": option.loinc.code, "display": option.label}
    return {"system": codes.answers_system(instrument.id), "code": option.code, "display": option.label}


def item_coding(instrument: Instrument, item: Item) -> dict | None:
    if item.loinc is not None and item.loinc.code:
        return {"system": codes.LOINC, "code": item.loinc.code}
    return None


def _enable_when(instrument: Instrument, condition: Condition) -> tuple[list[dict], str | None]:
    """enableWhen for a branching condition. Only "item answered one of these codes" is used by
    the definitions; anything richer fails loudly rather than being exported wrongly."""
    if not isinstance(condition, AnswerIn) or condition.negate:
        raise ValueError(f"{instrument.id}: cannot express {condition.describe()} as enableWhen")
    source = instrument.item(condition.item)
    checks = [
        {
            "question": source.id,
            "operator": "=",
            "answerCoding": answer_coding(instrument, source.option(code)),
        }
        for code in sorted(condition.codes)
    ]
    return checks, ("any" if len(checks) > 1 else None)


def _item(instrument: Instrument, item: Item) -> dict:
    out: dict = {"linkId": item.id, "prefix": item.number}
    coding = item_coding(instrument, item)
    if coding is not None:
        out["code"] = [coding]
    out["text"] = item.text
    out["type"] = "choice"
    out["required"] = not item.optional
    if item.ask_when is not None:
        out["enableWhen"], behaviour = _enable_when(instrument, item.ask_when)
        if behaviour:
            out["enableBehavior"] = behaviour
    options = []
    for option in item.options:
        entry: dict = {"valueCoding": answer_coding(instrument, option)}
        if option.score is not None:
            entry["extension"] = [{"url": codes.ORDINAL_VALUE, "valueDecimal": option.score}]
        options.append(entry)
    out["answerOption"] = options
    return out


def questionnaire(instrument: Instrument) -> dict:
    resource: dict = {
        "resourceType": "Questionnaire",
        "id": codes.questionnaire_id(instrument.id),
        "meta": {"versionId": _version_id(instrument.version)},
        "url": codes.questionnaire_url(instrument.id),
        "version": instrument.version,
        # A computable name starts with a capital and holds letters, digits and underscores.
        "name": re.sub(r"[^A-Za-z0-9]", "", instrument.short_title).upper() or "Q",
        "title": instrument.title,
        "status": "active",
        "subjectType": ["Patient"],
        "copyright": instrument.licence.terms.strip(),
    }
    if instrument.loinc_panel is not None and instrument.loinc_panel.code:
        resource["code"] = [
            {"system": codes.LOINC, "code": instrument.loinc_panel.code, "display": instrument.title}
        ]
    if instrument.stem:
        resource["description"] = instrument.stem
    resource["item"] = [_item(instrument, item) for item in instrument.items]
    return resource


def _version_id(version: str) -> str:
    # meta.versionId is an id: letters, digits, "-" and "." only.
    return re.sub(r"[^A-Za-z0-9.\-]", "-", version)[:64]
