"""Decision support for the problem area: candidate areas pointed at by what is already recorded.

A suggestion only points. It carries the entries that led to it and nothing that could pass for a
choice: no "chosen", no "primary", no score or rank. Suggestions follow the order of
problem_areas.yaml, so the first one is not "the best". The therapist chooses (spec 1.3), and
every threshold comes from suggestion_rules.yaml.

`review()` also says what was set aside and why (the fallback when something rules it out, a
change that was someone else's), and which answers the therapist could record to make the picture
complete; `suggest_problem_areas()` is its list of suggestions alone.
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
    RelationshipStatusRule,
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
    whose: str = "client"  # whose event it is (timeline.yaml `whose`)
    whose_label: str | None = None  # the person it happened to, when it is someone else's


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
    expectations_written: bool = False  # whether the free-text expectations hold anything; never what


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


@dataclass(frozen=True)
class SetAside:
    """An area a rule would have pointed at, and why it does not: shown when the therapist looks."""

    problem_area: str
    rules: tuple[str, ...]
    reason: str  # "not suggested: ...", in a plain sentence
    evidence: tuple[Evidence, ...]  # the entries behind the reason


@dataclass(frozen=True)
class Question:
    """Something the therapist could record so that decision support reads the whole record."""

    source: str  # "inventory"
    ref: str | None
    label: str
    text: str


@dataclass(frozen=True)
class Review:
    suggestions: tuple[Suggestion, ...]
    set_aside: tuple[SetAside, ...]
    questions: tuple[Question, ...]


def suggest_problem_areas(facts: Facts, *, protocol: Protocol | None = None) -> list[Suggestion]:
    """Candidate problem areas, each explained by its evidence; never a choice among them."""
    return list(review(facts, protocol=protocol).suggestions)


def review(facts: Facts, *, protocol: Protocol | None = None) -> Review:
    """The suggestions, what was set aside and why, and the answers worth recording."""
    protocol = protocol or get()
    _check(facts, protocol)
    fallback_areas = {area.id for area in protocol.problem_areas if area.fallback}
    found = _evaluate(
        facts, protocol, [r for r in protocol.suggestion_rules if r.problem_area not in fallback_areas]
    )
    set_aside = _someone_elses(facts, protocol, found)
    # Interpersonal deficits is the fallback: only when no other area is suggested and nothing
    # rules it out (spec 1.6.4).
    for rule in protocol.suggestion_rules:
        if rule.problem_area not in fallback_areas or not isinstance(rule, FewCloseTies):
            continue
        evidence = _few_close_ties(rule, facts)
        if not evidence:
            continue
        reasons, behind = _ruled_out(rule, facts, protocol)
        if found:
            reasons.append("it is the fallback, and another area has evidence")
        if reasons:
            set_aside.append(SetAside(rule.problem_area, (rule.id,), _not_suggested(reasons), behind))
            continue
        earlier = found.get(rule.problem_area)
        found[rule.problem_area] = (
            Suggestion(rule.problem_area, (rule.id,), rule.summary, evidence)
            if earlier is None
            else Suggestion(
                rule.problem_area,
                (*earlier.rules, rule.id),
                f"{earlier.summary} {rule.summary}",
                (*earlier.evidence, *evidence),
            )
        )
    order = [area.id for area in protocol.problem_areas]
    return Review(
        suggestions=tuple(found[area] for area in order if area in found),
        set_aside=tuple(sorted(set_aside, key=lambda item: order.index(item.problem_area))),
        questions=_questions(facts, protocol),
    )


def _not_suggested(reasons: list[str]) -> str:
    return "not suggested: " + "; ".join(reasons)


def _ruled_out(
    rule: FewCloseTies, facts: Facts, protocol: Protocol
) -> tuple[list[str], tuple[Evidence, ...]]:
    """What rules the fallback out although its own evidence is there: a current dispute."""
    statuses = {c.id: c.text for c in protocol.inventory.field("current_status").choices}
    kinds = {kind.id: kind.text for kind in protocol.timeline.event_kinds}
    reasons, behind = [], []
    strained = [
        entry
        for entry in facts.inventory
        if _is_close_tie(entry, rule) and entry.current_status in rule.never_when_close_statuses
    ]
    if strained:
        words = sorted({statuses[entry.current_status].lower() for entry in strained if entry.current_status})
        names = ", ".join(entry.label for entry in strained)
        reasons.append(f"a close relationship is {' or '.join(words)} ({names})")
        behind += [
            Evidence(
                "inventory",
                entry.ref,
                entry.label,
                f"a close tie (ring {entry.closeness_ring}) recorded as: {statuses[entry.current_status]}",
            )
            for entry in strained
            if entry.current_status
        ]
    events = [event for event in facts.timeline if event.kind in rule.never_when_event_kinds]
    if events:
        names = ", ".join(event.label for event in events)
        reasons.append(f"the timeline records a conflict ({names})")
        behind += [Evidence("timeline", event.ref, event.label, kinds[event.kind]) for event in events]
    return reasons, tuple(behind)


def _someone_elses(facts: Facts, protocol: Protocol, found: dict[str, Suggestion]) -> list[SetAside]:
    """Areas left out only because their events happened to someone else (a partner's diagnosis)."""
    set_aside = []
    for rule in protocol.suggestion_rules:
        if not isinstance(rule, EventsNearOnset) or not rule.whose or rule.problem_area in found:
            continue
        counted = {e.ref for e in _events_near_onset(rule, facts, protocol)}
        anyones = EventsNearOnset(**{**rule.__dict__, "whose": ()})
        left_out = tuple(e for e in _events_near_onset(anyones, facts, protocol) if e.ref not in counted)
        if left_out:
            reason = _not_suggested(
                [f"{', '.join(e.label for e in left_out)}: recorded as someone else's event, and only "
                 "the client's own count here"]
            )  # fmt: skip
            set_aside.append(SetAside(rule.problem_area, (rule.id,), reason, left_out))
    return set_aside


def _questions(facts: Facts, protocol: Protocol) -> tuple[Question, ...]:
    statuses = {c.id: c.text for c in protocol.inventory.field("current_status").choices}
    asked: dict[str | None, Question] = {}
    for rule in protocol.suggestion_rules:
        if not isinstance(rule, ExpectationsRule):
            continue
        for entry in facts.inventory:
            if entry.ref in asked:
                continue
            answer = entry.expectations_reciprocity
            if answer is not None and answer not in rule.ask_unanswered:
                continue
            if entry.current_status in rule.ask_when_statuses:
                why = f"the relationship is recorded as {statuses[entry.current_status].lower()}"
            elif rule.ask_when_written and entry.expectations_written:
                why = "expectations are written down, but not whether they match"
            else:
                continue
            asked[entry.ref] = Question(
                "inventory",
                entry.ref,
                entry.label,
                f"Record whether the client's and {entry.label}'s expectations of each other match: {why}.",
            )
    return tuple(asked.values())


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
    if isinstance(rule, RelationshipStatusRule):
        return _relationship_status(rule, facts, protocol)
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
        # A recorded life change (intake) is the client's own; a timeline event says whose it is.
        whose = event.whose if isinstance(event, TimelineEvent) else "client"
        if rule.whose and whose not in rule.whose:
            continue
        what = kinds[event.kind]
        people = f" ({', '.join(event.people)})" if isinstance(event, TimelineEvent) and event.people else ""
        if whose != "client":
            label = event.whose_label if isinstance(event, TimelineEvent) else ""
            owner = f"{label}'s own event" if label else "someone else's event"
            people = f"{people}, {owner}"
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


def _relationship_status(
    rule: RelationshipStatusRule, facts: Facts, protocol: Protocol
) -> tuple[Evidence, ...]:
    statuses = {c.id: c.text for c in protocol.inventory.field("current_status").choices}
    types = {c.id: c.text for c in protocol.inventory.field("relationship_type").choices}
    evidence = []
    for entry in facts.inventory:
        if entry.current_status not in rule.statuses:
            continue
        where = [types[entry.relationship_type].lower()] if entry.relationship_type else []
        if entry.closeness_ring is not None:
            where.append(f"ring {entry.closeness_ring}")
        detail = f" ({', '.join(where)})" if where else ""
        reason = f"relationship recorded as: {statuses[entry.current_status]}{detail}"
        evidence.append(Evidence("inventory", entry.ref, entry.label, reason))
    return tuple(evidence)


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
    for event in facts.timeline:
        if event.whose not in protocol.timeline.whose_ids():
            problems.append(f"timeline {event.ref!r}: unknown whose {event.whose!r}")
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
