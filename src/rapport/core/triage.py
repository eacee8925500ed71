"""Risk levels and escalation tiers, read from triage_rules.yaml (spec 3.2)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

from rapport.core.datafiles import Node, Provenance, load_yaml, provenance

TRIAGE_RULES = Path(__file__).parent / "triage_rules.yaml"

# The roles an escalation chain may name; the clinic apps resolve each one to people.
ESCALATION_ROLES = ("responsible_clinician", "team_supervisors", "organisation_administrators")


@dataclass(frozen=True)
class Tier:
    id: str
    meaning: str
    client_response: str | None
    clinician_response: str | None
    default_sla: str | None
    sla_provenance: Provenance | None
    # How long an alert of this tier may wait for a clinician's acknowledgement before it is
    # escalated up the chain. None for T0, which raises no alert.
    acknowledge_within: timedelta | None = None
    acknowledge_provenance: Provenance | None = None


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
    escalation_chain: tuple[str, ...] = ()  # roles, in the order they are told
    escalation_chain_provenance: Provenance | None = None
    # How long after a risk screen its follow-up still belongs to the same episode (one alert).
    episode_window: timedelta | None = None
    episode_provenance: Provenance | None = None

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

    def tier_rank(self, tier_id: str) -> int:
        """T0 < T1 < T2 < T3: the order of the tiers in the file."""
        for rank, tier in enumerate(self.tiers):
            if tier.id == tier_id:
                return rank
        known = ", ".join(tier.id for tier in self.tiers)
        raise KeyError(f"unknown tier {tier_id!r}; known: {known}")

    def higher_tier(self, a: str, b: str) -> str:
        """The higher of two tiers (the first one when they are equal)."""
        return b if self.tier_rank(b) > self.tier_rank(a) else a

    def trigger(self, trigger_id: str) -> Trigger:
        for trigger in self.other_triggers:
            if trigger.id == trigger_id:
                return trigger
        known = ", ".join(trigger.id for trigger in self.other_triggers)
        raise KeyError(f"unknown trigger {trigger_id!r}; known: {known}")


@cache
def triage_rules() -> TriageRules:
    return load_triage_rules(TRIAGE_RULES)


def load_triage_rules(path: Path) -> TriageRules:
    root = load_yaml(path).mapping(
        {"version", "levels", "tiers", "other_triggers", "escalation_chain", "episode", "notes"}
    )
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
    # Ranking by level and ranking by tier must agree, or "the highest level" and "the highest
    # tier" could name different alerts.
    ranks = [tier_ids.index(tier_of_level[level]) for level in levels]
    if ranks != sorted(ranks):
        levels_node.fail("a higher level must not map to a lower tier (tiers are ranked in file order)")
    _check_acknowledgement_windows(root.child("tiers"), tiers)

    triggers = tuple(_trigger(node, tier_ids) for node in root.child("other_triggers").elements())
    _unique(root.child("other_triggers"), [trigger.id for trigger in triggers], "trigger id")
    chain, chain_provenance = _escalation_chain(root.child("escalation_chain"))
    episode_window, episode_provenance = _episode(root.child("episode", required=False))
    return TriageRules(
        version=root.child("version").required_text(),
        levels=tuple(levels),
        tier_of_level=tier_of_level,
        tiers=tiers,
        other_triggers=triggers,
        notes=root.child("notes", required=False).text_list(),
        escalation_chain=chain,
        escalation_chain_provenance=chain_provenance,
        episode_window=episode_window,
        episode_provenance=episode_provenance,
    )


def _tier(node: Node) -> Tier:
    node.mapping(
        {
            "id",
            "meaning",
            "client_response",
            "clinician_response",
            "default_sla",
            "acknowledge_within_minutes",
        }
    )
    sla = node.child("default_sla", required=False)
    sla_text = None
    sla_provenance = None
    if sla.value is not None:
        sla.mapping({"text", "verified", "confidence", "source"})
        sla_text = sla.child("text").required_text()
        sla_provenance = provenance(sla)
    acknowledge = node.child("acknowledge_within_minutes", required=False)
    acknowledge_within = None
    acknowledge_provenance = None
    if acknowledge.value is not None:
        acknowledge.mapping({"minutes", "verified", "confidence", "source"})
        minutes = acknowledge.child("minutes").required_integer()
        if minutes < 1:
            acknowledge.child("minutes").fail(f"must be at least 1 minute, got {minutes}")
        acknowledge_within = timedelta(minutes=minutes)
        acknowledge_provenance = provenance(acknowledge)
    return Tier(
        id=node.child("id").required_text(),
        meaning=node.child("meaning").required_text(),
        client_response=node.child("client_response", required=False).text(nullable=True),
        clinician_response=node.child("clinician_response", required=False).text(nullable=True),
        default_sla=sla_text,
        sla_provenance=sla_provenance,
        acknowledge_within=acknowledge_within,
        acknowledge_provenance=acknowledge_provenance,
    )


def _check_acknowledgement_windows(node: Node, tiers: tuple[Tier, ...]) -> None:
    # Once a tier has a window, every higher tier needs one too, no longer than the one below it:
    # a more urgent alert must never be allowed to wait longer.
    previous: Tier | None = None
    for tier in tiers:
        if previous is not None and previous.acknowledge_within is not None:
            if tier.acknowledge_within is None:
                node.fail(f"tier {tier.id} has no acknowledge_within_minutes but {previous.id} below it has")
            if tier.acknowledge_within > previous.acknowledge_within:
                node.fail(
                    f"tier {tier.id} may wait longer for acknowledgement than {previous.id} below it "
                    f"({_minutes(tier.acknowledge_within)} > {_minutes(previous.acknowledge_within)} minutes)"
                )
        previous = tier


def _minutes(window: timedelta) -> int:
    return int(window.total_seconds() // 60)


def _escalation_chain(node: Node) -> tuple[tuple[str, ...], Provenance]:
    node.mapping({"steps", "verified", "confidence", "source"})
    steps_node = node.child("steps")
    steps = tuple(step.choice(ESCALATION_ROLES) for step in steps_node.elements(allow_empty=False))
    _unique(steps_node, list(steps), "role")
    return steps, provenance(node)


def _episode(node: Node) -> tuple[timedelta | None, Provenance | None]:
    # Without the section every risk screen and its follow-up open separate alerts, as before.
    if node.value is None:
        return None, None
    node.mapping({"follow_up_within_minutes", "verified", "confidence", "source"})
    minutes = node.child("follow_up_within_minutes").required_integer()
    if minutes < 1:
        node.child("follow_up_within_minutes").fail(f"must be at least 1 minute, got {minutes}")
    return timedelta(minutes=minutes), provenance(node)


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
