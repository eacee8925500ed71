"""Risk levels and escalation tiers, read from triage_rules.yaml (spec 3.2)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapport.core.datafiles import Node, Provenance, load_yaml, provenance

TRIAGE_RULES = Path(__file__).parent / "triage_rules.yaml"


@dataclass(frozen=True)
class Tier:
    id: str
    meaning: str
    client_response: str | None
    clinician_response: str | None
    default_sla: str | None
    sla_provenance: Provenance | None


@dataclass(frozen=True)
class Trigger:
    """A trigger that does not come from a questionnaire (the help button, a clinician, keywords)."""

    id: str
    trigger: str
    tier: str
    enabled: bool
    review_only: bool
    provenance: Provenance | None


@dataclass(frozen=True)
class TriageRules:
    version: str
    levels: tuple[str, ...]  # lowest first
    tier_of_level: dict[str, str]
    tiers: tuple[Tier, ...]
    other_triggers: tuple[Trigger, ...]
    notes: tuple[str, ...]

    def rank(self, level: str) -> int:
        try:
            return self.levels.index(level)
        except ValueError:
            raise KeyError(f"unknown risk level {level!r}; known: {', '.join(self.levels)}") from None

    def highest(self, levels: Iterable[str]) -> str:
        """The highest of the given levels, or the lowest level when there are none. Never a sum."""
        return max(levels, key=self.rank, default=self.levels[0])

    def tier_for(self, level: str) -> str:
        self.rank(level)
        return self.tier_of_level[level]

    def tier(self, tier_id: str) -> Tier:
        for tier in self.tiers:
            if tier.id == tier_id:
                return tier
        raise KeyError(f"unknown tier {tier_id!r}")


@cache
def triage_rules() -> TriageRules:
    return load_triage_rules(TRIAGE_RULES)


def load_triage_rules(path: Path) -> TriageRules:
    root = load_yaml(path).mapping({"version", "levels", "tiers", "other_triggers", "notes"})
    tiers = tuple(_tier(node) for node in root.child("tiers").elements(allow_empty=False))
    tier_ids = [tier.id for tier in tiers]
    _unique(root.child("tiers"), tier_ids, "tier id")

    levels: list[str] = []
    tier_of_level: dict[str, str] = {}
    levels_node = root.child("levels")
    for node in levels_node.elements(allow_empty=False):
        node.mapping({"id", "tier"})
        level = node.child("id").required_text()
        levels.append(level)
        tier_of_level[level] = node.child("tier").choice(tier_ids)
    _unique(levels_node, levels, "level id")

    triggers = tuple(_trigger(node, tier_ids) for node in root.child("other_triggers").elements())
    return TriageRules(
        version=root.child("version").required_text(),
        levels=tuple(levels),
        tier_of_level=tier_of_level,
        tiers=tiers,
        other_triggers=triggers,
        notes=root.child("notes", required=False).text_list(),
    )


def _tier(node: Node) -> Tier:
    node.mapping({"id", "meaning", "client_response", "clinician_response", "default_sla"})
    sla = node.child("default_sla", required=False)
    sla_text = None
    sla_provenance = None
    if sla.value is not None:
        sla.mapping({"text", "verified", "confidence", "source"})
        sla_text = sla.child("text").required_text()
        sla_provenance = provenance(sla)
    return Tier(
        id=node.child("id").required_text(),
        meaning=node.child("meaning").required_text(),
        client_response=node.child("client_response", required=False).text(nullable=True),
        clinician_response=node.child("clinician_response", required=False).text(nullable=True),
        default_sla=sla_text,
        sla_provenance=sla_provenance,
    )


def _trigger(node: Node, tier_ids: list[str]) -> Trigger:
    node.mapping({"id", "trigger", "tier", "enabled", "review_only", "verified", "confidence", "source"})
    return Trigger(
        id=node.child("id").required_text(),
        trigger=node.child("trigger").required_text(),
        # "chosen": the clinician picks the tier when raising risk by hand.
        tier=node.child("tier").choice([*tier_ids, "chosen"]),
        enabled=node.child("enabled").boolean(),
        review_only=node.child("review_only", required=False).boolean(default=False),
        provenance=provenance(node) if node.has("verified") else None,
    )


def _unique(node: Node, values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            node.fail(f"duplicate {what} {value!r}")
        seen.add(value)
