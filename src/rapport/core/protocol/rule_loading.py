"""Reading suggestion_rules.yaml: the rules of decision support, checked against the problem areas,
the inventory's fields and the timeline's kinds of event."""

from __future__ import annotations

from typing import Any

from rapport.core.datafiles import Node, provenance
from rapport.core.protocol.model import (
    EventsNearOnset,
    ExpectationsRule,
    FewCloseTies,
    Inventory,
    ProblemArea,
    RelationshipStatusRule,
    SuggestionRule,
    Timeline,
)
from rapport.core.protocol.parsing import id_list, positive, unique_ids, with_provenance

RULE_KINDS = ("events_near_onset", "expectations", "relationship_status", "few_close_ties")


def suggestion_rules(
    root: Node, areas: tuple[ProblemArea, ...], inventory: Inventory, timeline: Timeline
) -> tuple[SuggestionRule, ...]:
    root.mapping({"version", "rules", "notes"})
    list_node = root.child("rules")
    nodes = list_node.elements(allow_empty=False)
    unique_ids(list_node, nodes, "rule")
    area_ids = [area.id for area in areas]
    rules: list[SuggestionRule] = []
    for node in nodes:
        kind = node.child("kind").choice(RULE_KINDS)
        common = {
            "id": node.child("id").required_text(),
            "problem_area": node.child("problem_area").choice(area_ids),
            "summary": node.child("summary").required_text(),
        }
        base = with_provenance("id", "kind", "problem_area", "summary")
        if kind == "events_near_onset":
            rules.append(_events_near_onset(node, base, common, timeline))
        elif kind == "expectations":
            rules.append(_expectations(node, base, common, inventory))
        elif kind == "relationship_status":
            node.mapping(base | {"current_status"})
            known = _inventory_choices(node, inventory, "current_status")
            rules.append(
                RelationshipStatusRule(
                    **common,
                    statuses=id_list(node.child("current_status"), known, allow_empty=False),
                    provenance=provenance(node),
                )
            )
        else:
            rules.append(_few_close_ties(node, base, common, inventory, timeline))
    # The fallback's rules only make sense once the other areas have had their say.
    fallback_areas = {area.id for area in areas if area.fallback}
    for rule, node in zip(rules, nodes, strict=True):
        if isinstance(rule, FewCloseTies) and rule.problem_area not in fallback_areas:
            node.child("problem_area").fail("few close ties may only point at a fallback area")
    return tuple(rules)


def _events_near_onset(
    node: Node, base: set[str], common: dict[str, Any], timeline: Timeline
) -> EventsNearOnset:
    node.mapping(base | {"event_kinds", "window", "whose"})
    window = node.child("window").mapping({"months_before_onset", "months_after_onset", "include_undated"})
    whose: tuple[str, ...] = ()
    if node.has("whose"):
        whose = id_list(node.child("whose"), timeline.whose_ids(), allow_empty=False)
    return EventsNearOnset(
        **common,
        event_kinds=id_list(node.child("event_kinds"), timeline.kind_ids(), allow_empty=False),
        months_before_onset=positive(window.child("months_before_onset"), zero=True),
        months_after_onset=positive(window.child("months_after_onset"), zero=True),
        include_undated=window.child("include_undated").boolean(),
        whose=whose,
        provenance=provenance(node),
    )


def _expectations(
    node: Node, base: set[str], common: dict[str, Any], inventory: Inventory
) -> ExpectationsRule:
    node.mapping(base | {"expectations_reciprocity", "ask_to_record"})
    known = _inventory_choices(node, inventory, "expectations_reciprocity")
    values = id_list(node.child("expectations_reciprocity"), known, allow_empty=False)
    unanswered: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    written = False
    if node.has("ask_to_record"):
        ask = node.child("ask_to_record").mapping({"unanswered", "when_status", "when_expectations_written"})
        unanswered = id_list(ask.child("unanswered"), known)
        overlap = set(unanswered) & set(values)
        if overlap:
            ask.child("unanswered").fail(f"{sorted(overlap)[0]!r} already counts as evidence")
        statuses = id_list(ask.child("when_status"), _inventory_choices(ask, inventory, "current_status"))
        written = ask.child("when_expectations_written").boolean()
    return ExpectationsRule(
        **common,
        values=values,
        ask_unanswered=unanswered,
        ask_when_statuses=statuses,
        ask_when_written=written,
        provenance=provenance(node),
    )


def _few_close_ties(
    node: Node, base: set[str], common: dict[str, Any], inventory: Inventory, timeline: Timeline
) -> FewCloseTies:
    node.mapping(base | {"close_tie", "at_most", "min_inventory_entries", "never_when"})
    tie = node.child("close_tie").mapping(
        {"rings_at_most", "excluded_statuses", "excluded_relationship_types"}
    )
    rings_at_most = positive(tie.child("rings_at_most"))
    if rings_at_most > inventory.rings:
        tie.child("rings_at_most").fail(f"the closeness circle has only {inventory.rings} rings")
    statuses = _inventory_choices(tie, inventory, "current_status")
    close_statuses: tuple[str, ...] = ()
    event_kinds: tuple[str, ...] = ()
    if node.has("never_when"):
        never = node.child("never_when").mapping({"close_tie_status", "event_kinds"})
        close_statuses = id_list(never.child("close_tie_status"), statuses)
        event_kinds = id_list(never.child("event_kinds"), timeline.kind_ids())
    return FewCloseTies(
        **common,
        rings_at_most=rings_at_most,
        excluded_statuses=id_list(tie.child("excluded_statuses"), statuses),
        excluded_relationship_types=id_list(
            tie.child("excluded_relationship_types"), _inventory_choices(tie, inventory, "relationship_type")
        ),
        at_most=positive(node.child("at_most"), zero=True),
        min_inventory_entries=positive(node.child("min_inventory_entries")),
        never_when_close_statuses=close_statuses,
        never_when_event_kinds=event_kinds,
        provenance=provenance(node),
    )


def _inventory_choices(node: Node, inventory: Inventory, field_id: str) -> tuple[str, ...]:
    """The choices of an inventory field that decision support reads; the field must exist."""
    for item in inventory.relationship_fields:
        if item.id == field_id and item.type == "choice":
            return item.choice_ids()
    node.fail(f"needs the inventory's choice field {field_id!r} (inventory.yaml relationship.fields)")
