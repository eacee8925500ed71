"""Decision support for the problem area: candidate areas pointed at by what is already recorded.

A suggestion only points. It carries the entries that led to it and nothing that could pass for a
choice: no "chosen", no "primary", no score or rank. Suggestions follow the order of
problem_areas.yaml, so the first one is not "the best". The therapist chooses (spec 1.3), and
every threshold comes from suggestion_rules.yaml.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from rapport.core.protocol.loading import get
from rapport.core.protocol.model import (
    EventsNearOnset,
    ExpectationsRule,
    FewCloseTies,
    Protocol,
    SuggestionRule,
)


class InvalidFacts(ValueError):
    """Facts that do not fit the protocol (an unknown event kind, a ring off the circle...)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


# What is recorded. `ref` is the caller's id for the entry, handed back in the evidence.


@dataclass(frozen=True)
class TimelineEvent:
    ref: str
    kind: str  # an event kind from timeline.yaml
    label: str  # what happened, as recorded
    start: date | None = None  # the date, or the start of a period; None: not recorded
    end: date | None = None  # the end of a period
    people: tuple[str, ...] = ()  # the people involved, as labels


@dataclass(frozen=True)
class LifeChange:
    ref: str
    kind: str  # an event kind from timeline.yaml
    label: str
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class InventoryEntry:
    ref: str
    label: str  # the person, as the client names them
    relationship_type: str | None = None
    closeness_ring: int | None = None  # None: not placed on the circle
    current_status: str | None = None
    expectations_reciprocity: str | None = None


@dataclass(frozen=True)
class Facts:
    onset: date | None = None  # onset of the current depressive episode
    timeline: tuple[TimelineEvent, ...] = ()
    inventory: tuple[InventoryEntry, ...] = ()
    life_changes: tuple[LifeChange, ...] = ()


# What comes back.


@dataclass(frozen=True)
class Evidence:
    source: str  # "timeline", "life_change" or "inventory"
    ref: str | None  # the entry's ref; None for the inventory as a whole
    label: str
    reason: str  # why it counts, in a plain sentence
    check_timing: bool = False  # a date is missing: the therapist should check the link to the onset


@dataclass(frozen=True)
class Suggestion:
    problem_area: str
    rules: tuple[str, ...]  # ids in suggestion_rules.yaml
    summary: str
    evidence: tuple[Evidence, ...]


def suggest_problem_areas(facts: Facts, *, protocol: Protocol | None = None) -> list[Suggestion]:
    """Candidate problem areas, each explained by its evidence; never a choice among them."""
    protocol = protocol or get()
    _check(facts, protocol)
    fallback_areas = {area.id for area in protocol.problem_areas if area.fallback}
    found = _evaluate(
        facts, protocol, [r for r in protocol.suggestion_rules if r.problem_area not in fallback_areas]
    )
    # Interpersonal deficits is the fallback: only when no other area is suggested (spec 1.6.4).
    if not found:
        found = _evaluate(
            facts, protocol, [r for r in protocol.suggestion_rules if r.problem_area in fallback_areas]
        )
    return [found[area.id] for area in protocol.problem_areas if area.id in found]


def _evaluate(facts: Facts, protocol: Protocol, rules: list[SuggestionRule]) -> dict[str, Suggestion]:
    found: dict[str, Suggestion] = {}
    for rule in rules:
        evidence = _evidence(rule, facts, protocol)
        if not evidence:
            continue
        earlier = found.get(rule.problem_area)
        if earlier is None:
            found[rule.problem_area] = Suggestion(rule.problem_area, (rule.id,), rule.summary, evidence)
        else:
            found[rule.problem_area] = Suggestion(
                rule.problem_area,
                (*earlier.rules, rule.id),
                f"{earlier.summary} {rule.summary}",
                (*earlier.evidence, *evidence),
            )
    return found


def _evidence(rule: SuggestionRule, facts: Facts, protocol: Protocol) -> tuple[Evidence, ...]:
    if isinstance(rule, EventsNearOnset):
        return _events_near_onset(rule, facts, protocol)
    if isinstance(rule, ExpectationsRule):
        return _expectations(rule, facts, protocol)
    return _few_close_ties(rule, facts)


def _events_near_onset(rule: EventsNearOnset, facts: Facts, protocol: Protocol) -> tuple[Evidence, ...]:
    kinds = {kind.id: kind.text for kind in protocol.timeline.event_kinds}
    events = [("timeline", event) for event in facts.timeline] + [
        ("life_change", change) for change in facts.life_changes
    ]
    evidence = []
    for source, event in events:
        if event.kind not in rule.event_kinds:
            continue
        what = kinds[event.kind]
        people = f" ({', '.join(event.people)})" if isinstance(event, TimelineEvent) and event.people else ""
        if event.start is None or facts.onset is None:
            if not rule.include_undated:
                continue
            missing = (
                "no date is recorded for it" if event.start is None else "the onset date is not recorded"
            )
            reason = f"{what}{people}; {missing}: check whether it happened near the onset"
            evidence.append(Evidence(source, event.ref, event.label, reason, check_timing=True))
            continue
        end = event.end or event.start
        earliest = _add_months(facts.onset, -rule.months_before_onset)
        latest = _add_months(facts.onset, rule.months_after_onset)
        if event.start > latest or end < earliest:
            continue
        before, after = rule.months_before_onset, rule.months_after_onset
        window = f"window: {before} months before to {after} months after the onset"
        reason = f"{what}{people}, {_relation(event.start, end, facts.onset)} ({window})"
        evidence.append(Evidence(source, event.ref, event.label, reason))
    return tuple(evidence)


def _expectations(rule: ExpectationsRule, facts: Facts, protocol: Protocol) -> tuple[Evidence, ...]:
    labels = {
        choice.id: choice.text for choice in protocol.inventory.field("expectations_reciprocity").choices
    }
    return tuple(
        Evidence("inventory", entry.ref, entry.label, f"expectations recorded as: {labels[value]}")
        for entry in facts.inventory
        if (value := entry.expectations_reciprocity) in rule.values
    )


def _few_close_ties(rule: FewCloseTies, facts: Facts) -> tuple[Evidence, ...]:
    if len(facts.inventory) < rule.min_inventory_entries:
        return ()
    close = [entry for entry in facts.inventory if _is_close_tie(entry, rule)]
    if len(close) > rule.at_most:
        return ()
    rings = "the innermost ring" if rule.rings_at_most == 1 else f"rings 1 to {rule.rings_at_most}"
    people = "person" if len(facts.inventory) == 1 else "people"
    summary = Evidence(
        "inventory",
        None,
        "Interpersonal inventory",
        f"{len(facts.inventory)} {people} recorded, {len(close)} of them a current close tie on {rings} "
        f"(the rule looks for {rule.at_most} or fewer)",
    )
    ties = tuple(
        Evidence("inventory", entry.ref, entry.label, f"counted as a close tie (ring {entry.closeness_ring})")
        for entry in close
    )
    return (summary, *ties)


def _is_close_tie(entry: InventoryEntry, rule: FewCloseTies) -> bool:
    # An unrecorded status counts as a current tie: missing data must not push toward the fallback.
    return (
        entry.closeness_ring is not None
        and entry.closeness_ring <= rule.rings_at_most
        and entry.current_status not in rule.excluded_statuses
        and entry.relationship_type not in rule.excluded_relationship_types
    )


def _relation(start: date, end: date, onset: date) -> str:
    if start <= onset <= end:
        return f"from {start.isoformat()} to {end.isoformat()}, spanning the onset on {onset.isoformat()}"
    when = start.isoformat() if start == end else f"from {start.isoformat()} to {end.isoformat()}"
    if end < onset:
        return f"{when}, {_months_phrase(end, onset)} before the onset on {onset.isoformat()}"
    return f"{when}, {_months_phrase(onset, start)} after the onset on {onset.isoformat()}"


def _months_phrase(earlier: date, later: date) -> str:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month - int(later.day < earlier.day)
    if months < 1:
        return "less than a month"
    return "1 month" if months == 1 else f"{months} months"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _check(facts: Facts, protocol: Protocol) -> None:
    """Facts must use the protocol's vocabulary, so a typo never silently drops a suggestion."""
    problems = []
    kinds = protocol.timeline.kind_ids()
    inventory = protocol.inventory
    for source, events in (("timeline", facts.timeline), ("life_changes", facts.life_changes)):
        for event in events:
            if event.kind not in kinds:
                problems.append(f"{source} {event.ref!r}: unknown event kind {event.kind!r}")
            if event.end is not None and (event.start is None or event.end < event.start):
                problems.append(f"{source} {event.ref!r}: a period needs a start no later than its end")
    for entry in facts.inventory:
        for field_id in ("relationship_type", "current_status", "expectations_reciprocity"):
            value = getattr(entry, field_id)
            if value is not None and value not in inventory.field(field_id).choice_ids():
                problems.append(f"inventory {entry.ref!r}: unknown {field_id} {value!r}")
        ring = entry.closeness_ring
        if ring is not None and (isinstance(ring, bool) or not 1 <= ring <= inventory.rings):
            problems.append(
                f"inventory {entry.ref!r}: closeness ring must be 1 to {inventory.rings}, got {ring!r}"
            )
    if problems:
        raise InvalidFacts(problems)
