"""Scoring a set of answers against an instrument definition.

Totals, bands and risk are computed separately: a risk item is processed on its own answer, so
that no total, complete or not, can hide it (spec section 5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from rapport.core.instruments import Instrument, get
from rapport.core.triage import triage_rules


class InvalidAnswers(ValueError):
    """The answers do not fit the definition. `problems` lists (item id, what is wrong)."""

    def __init__(self, instrument_id: str, problems: list[tuple[str, str]]) -> None:
        self.instrument = instrument_id
        self.problems = tuple(problems)
        details = "; ".join(f"item {item!r} {message}" for item, message in self.problems)
        super().__init__(f"Invalid answers for {instrument_id}: {details}")

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(item for item, _ in self.problems)


@dataclass(frozen=True)
class Result:
    instrument: str
    version: str
    complete: bool  # every item the branching asks, bar optional ones, is answered
    total: int | None  # None when a scored item is missing (unless the definition prorates)
    prorated: bool
    band: str | None  # None without a total
    risk_level: str  # from the instrument's risk rules: the highest that fires, never a sum
    tier: str  # the escalation tier of that level (triage_rules.yaml)
    risk_flags: tuple[str, ...]  # risk items whose answer is positive, whatever the total
    unanswered_risk_items: tuple[str, ...]  # asked but left blank: follow up, not an alert
    missing_items: tuple[str, ...]  # asked, not optional, left blank
    fired_rules: tuple[str, ...]
    follow_up: tuple[str, ...]  # instruments to give next (e.g. the C-SSRS screener)
    item_scores: dict[str, int | None]  # per answered item, in display order; None where unscorable

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        return data


def score(definition: Instrument | str, answers: Mapping[str, str | None]) -> Result:
    """Score `answers` (item id to option code; a missing or None answer is a skipped item).

    Raises InvalidAnswers, naming each item, for an unknown item, an unknown option or an
    answer to an item that the branching skips.
    """
    instrument = definition if isinstance(definition, Instrument) else get(definition)
    given = _checked(instrument, answers)
    rules = triage_rules()

    asked = instrument.items
    if instrument.branching_items:
        asked = tuple(item for item in asked if item.ask_when is None or item.ask_when.holds(given))
    missing = tuple(item.id for item in asked if not item.optional and item.id not in given)
    unanswered_risk_items = tuple(item.id for item in asked if item.is_risk_item and item.id not in given)

    # In display order; an unscored item (e.g. difficulty) keeps its option's ordinal, never added.
    item_scores = {
        item.id: item.options_by_code[given[item.id]].score for item in instrument.items if item.id in given
    }
    total, prorated = _total(instrument, item_scores)
    band = instrument.band_for(total) if total is not None else None

    fired = [rule for rule in instrument.risk_rules if rule.when.holds(given)]
    risk_level = rules.highest(rule.level for rule in fired)
    risk_flags = tuple(
        item.id
        for item in instrument.risk_items
        if item.risk_positive_when is not None and item.risk_positive_when.holds(given)
    )

    follow_up: list[str] = []
    for targets in [band.follow_up if band else (), *(rule.follow_up for rule in fired)]:
        follow_up.extend(target for target in targets if target not in follow_up)

    return Result(
        instrument=instrument.id,
        version=instrument.version,
        complete=not missing,
        total=total,
        prorated=prorated,
        band=band.id if band else None,
        risk_level=risk_level,
        tier=rules.tier_for(risk_level),
        risk_flags=risk_flags,
        unanswered_risk_items=unanswered_risk_items,
        missing_items=missing,
        fired_rules=tuple(rule.id for rule in fired),
        follow_up=tuple(follow_up),
        item_scores=item_scores,
    )


def _checked(instrument: Instrument, answers: Mapping[str, str | None]) -> dict[str, str]:
    if not isinstance(answers, Mapping):
        raise InvalidAnswers(instrument.id, [("(answers)", "must be a mapping of item id to option code")])
    problems: list[tuple[str, str]] = []
    given: dict[str, str] = {}
    for item_id, code in answers.items():
        item = instrument.items_by_id.get(item_id)
        if item is None:
            problems.append((str(item_id), f"is not an item of {instrument.short_title}"))
            continue
        if code is None:
            continue
        if not isinstance(code, str) or code not in item.options_by_code:
            choices = ", ".join(option.code for option in item.options)
            problems.append((item_id, f"has no option {code!r} (options: {choices})"))
            continue
        given[item_id] = code
    for item in instrument.branching_items:
        if item.ask_when is not None and item.id in given and not item.ask_when.holds(given):
            problems.append(
                (item.id, f"is asked only when {item.ask_when.describe()}, so it cannot be answered here")
            )
    if problems:
        order = {item.id: index for index, item in enumerate(instrument.items)}
        problems.sort(key=lambda problem: order.get(problem[0], len(order)))
        raise InvalidAnswers(instrument.id, problems)
    return given


def _total(instrument: Instrument, item_scores: Mapping[str, int | None]) -> tuple[int | None, bool]:
    scoring = instrument.scoring
    if scoring.method != "sum":
        return None, False
    # A not-applicable answer has no score and counts as missing for the total.
    scores = [value for item in instrument.scored_items if (value := item_scores.get(item.id)) is not None]
    missing = len(instrument.scored_items) - len(scores)
    if missing == 0:
        return sum(scores), False
    if scoring.missing_rule == "prorate" and missing <= scoring.max_missing:
        prorated = Decimal(sum(scores)) * len(instrument.scored_items) / len(scores)
        return int(prorated.quantize(Decimal(1), rounding=ROUND_HALF_UP)), True
    return None, False
