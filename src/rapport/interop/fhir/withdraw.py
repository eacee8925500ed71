"""The one update FHIR callers may make: a QuestionnaireResponse marked entered-in-error.

A stored response is never rewritten: wrong answers are withdrawn (PUT with status
entered-in-error) and the correct ones POSTed as a new response. So the body of the PUT must be
the resource as read, with the status changed and the reason in an extension; any other
difference is refused, naming it. The version the caller read (If-Match) is checked here and
again by the one UPDATE that marks the response (measurement.enter_response_in_error), so of two
withdrawals begun from the same read exactly one is written (HAZ-281)."""

from __future__ import annotations

from datetime import datetime

from rapport.clinic import measurement
from rapport.clinic.models import Response
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.records import EnteredInError, check_entered_in_error, deny
from rapport.core import instruments
from rapport.interop.fhir import codes, resources
from rapport.interop.fhir.incoming import UNKNOWN, option_for

ENTERED_IN_ERROR = "entered-in-error"
# Elements that may differ from the resource as read: the status is the change itself, meta and
# the narrative are the server's, and the extension carries the reason (checked on its own).
NOT_COMPARED = ("resourceType", "id", "meta", "text", "status", "extension")
CORRECTION = (
    "Only the status may change, to entered-in-error. A correction is a new QuestionnaireResponse "
    "(POST), with this one marked entered-in-error."
)


# [U] FHIR has no element for why a QuestionnaireResponse was entered in error, and the product
# keeps a reason with every such mark: it is required, in an extension of ours. It is kept with
# the record and never sent back out (free text may name people).


def reason_extension_url() -> str:
    return f"{codes.canonical_base()}/StructureDefinition/entered-in-error-reason"


def withdraw(request, resource_id: str, body: dict, version: int) -> Response:
    """Mark the response `resource_id` entered in error if `body` asks for exactly that and the
    response is still at `version`. Http404 for a response the caller may not withdraw (as for
    one that does not exist), EditConflict for a stale version, InvalidInput for any other
    difference; nothing is written in each case."""
    if not resource_id.isdigit() or len(resource_id) > 12:
        deny(request, detail={"object_type": "QuestionnaireResponse"})
    client, response = measurement.response_for_change(request, int(resource_id))
    if response.version != version:
        raise EditConflict(response)
    if response.entered_in_error_at is not None:
        # [U] A second withdrawal from the current version is refused rather than answered as a
        # no-op: nothing is written and the caller learns it was already done.
        raise InvalidInput({"status": ["This QuestionnaireResponse is already entered-in-error."]})
    differences = differing(body, resources.questionnaire_response(response), response)
    if body.get("status") != ENTERED_IN_ERROR:
        differences.setdefault("status", []).append("Give status entered-in-error to withdraw this response.")
    if differences:
        raise InvalidInput({where: [*texts, CORRECTION] for where, texts in differences.items()})
    reason = _reason(body)
    return measurement.enter_response_in_error(request, client.pk, response.pk, reason, version)


def _reason(body: dict) -> EnteredInError:
    url = reason_extension_url()
    given = [e for e in body.get("extension") or [] if isinstance(e, dict) and e.get("url") == url]
    where = f"extension('{url}')"
    if len(given) != 1 or not isinstance(given[0].get("valueString"), str):
        raise InvalidInput(
            {where: [f"Say why the response was entered in error: one extension {url} with a valueString."]}
        )
    try:
        return check_entered_in_error(EnteredInError(given[0]["valueString"]))
    except InvalidInput as exc:
        raise InvalidInput({where: exc.errors.get("reason", [])}) from None


def differing(body: dict, current: dict, response: Response) -> dict[str, list[str]]:
    """What `body` changes in `current` (the resource as read), by element."""
    found: dict[str, list[str]] = {}
    for key in sorted((set(body) | set(current)) - set(NOT_COMPARED)):
        mine, stored = body.get(key), current.get(key)
        if key == "item":
            for where in _differing_items(mine, response):
                found[where] = ["This answer differs from the stored one."]
        elif key == "authored":
            if _instant(mine) != _instant(stored):
                found[key] = ["authored differs from the stored response."]
        elif isinstance(stored, dict) and "reference" in stored:
            if not isinstance(mine, dict) or mine.get("reference") != stored["reference"]:
                found[key] = [f"{key} differs from the stored response."]
        elif mine != stored:
            found[key] = [f"{key} differs from the stored response."]
    url = reason_extension_url()
    others = [e for e in body.get("extension") or [] if not (isinstance(e, dict) and e.get("url") == url)]
    if others or not isinstance(body.get("extension", []), list):
        found["extension"] = [f"The only extension accepted is the reason ({url})."]
    return found


def _differing_items(given, response: Response) -> list[str]:
    """The items whose answer (by code, never by display text) differs, as item[linkId]."""
    instrument = instruments.get(response.instrument)
    stored = {
        item.id: code
        for item in instrument.items
        if (code := response.answers.get(item.id)) is not None and code in item.options_by_code
    }
    if given is None:
        given = []
    if not isinstance(given, list):
        return ["item"]
    answered: dict[str, str] = {}
    problems = []
    for index, entry in enumerate(given):
        link_id = entry.get("linkId") if isinstance(entry, dict) else None
        item = instrument.items_by_id.get(link_id) if isinstance(link_id, str) else None
        if item is None or link_id in answered or entry.get("item"):
            problems.append(f"item[{link_id}]" if isinstance(link_id, str) else f"item[{index}]")
            continue
        answers = entry.get("answer") or []
        if not answers:
            continue
        one = answers[0] if isinstance(answers, list) and len(answers) == 1 else None
        coding = one.get("valueCoding") if isinstance(one, dict) else None
        if not isinstance(coding, dict) or not isinstance(coding.get("code"), str):
            problems.append(f"item[{item.id}]")
            continue
        answered[item.id] = option_for(instrument, item, coding)
    for link_id in sorted(set(answered) | set(stored)):
        if answered.get(link_id) != stored.get(link_id) or answered.get(link_id, "").startswith(UNKNOWN):
            problems.append(f"item[{link_id}]")
    return sorted(set(problems))


def _instant(value) -> datetime | str | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return value
