"""The IPT protocol, typed: variants, phases, tasks, agendas, inventory, timeline, problem areas,
techniques, termination and the decision-support rules (spec section 1).

Every class is frozen; `loading.py` builds them from the YAML files under data/.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rapport.core.datafiles import Provenance


class UnknownProtocolItem(KeyError):
    """An id that the protocol does not know: a variant, a phase, a problem area, a technique."""


def _unknown(what: str, value: str, known: Mapping[str, object]) -> UnknownProtocolItem:
    return UnknownProtocolItem(f"unknown {what} {value!r}; known: {', '.join(known)}")


# Variants (variants.yaml)


@dataclass(frozen=True)
class SessionRange:
    min: int
    max: int
    default: int | None  # None: the contract must state the number (maintenance)
    provenance: Provenance

    def allows(self, planned_sessions: int) -> bool:
        return self.min <= planned_sessions <= self.max


@dataclass(frozen=True)
class Frequency:
    default: str
    allowed: tuple[str, ...]
    provenance: Provenance


@dataclass(frozen=True)
class SessionMinutes:
    default: int | None  # None: no default, the contract states it
    first_session: int | None  # a different length for the first session, if any
    provenance: Provenance


@dataclass(frozen=True)
class Label:
    """An id with its text: an exclusion, a choice, an event kind, a treatment offered."""

    id: str
    text: str


@dataclass(frozen=True)
class SpecificContent:
    """Content that belongs to one variant only; `provides` names the tasks and agendas it covers."""

    id: str
    description: str
    provides: tuple[str, ...]  # "task:<phase>.<task>" or "agenda:<template>"
    provenance: Provenance


@dataclass(frozen=True)
class Variant:
    id: str
    name: str
    population: str
    format: str  # "individual" or "group"
    ages: tuple[int, int] | None
    sessions: SessionRange
    frequency: Frequency
    session_minutes: SessionMinutes
    pre_group_sessions: int  # individual sessions before a group starts, outside the session count
    problem_area_names: str  # the name style: "standard" or "who_group"
    delivered_by: str
    exclusions: tuple[Label, ...]
    specific_content: tuple[SpecificContent, ...]
    provenance: Provenance
    notes: tuple[str, ...]


# Phases, schedules and agendas (phases.yaml)


@dataclass(frozen=True)
class Task:
    id: str
    phase: str
    name: str
    description: str
    software_note: str | None
    when: str | None  # the situation in which the task applies; None: always
    variants: tuple[str, ...] | None  # None: every variant that has the phase
    replaces: str | None  # a task of the same phase that no variant may be offered alongside this one
    provenance: Provenance

    @property
    def ref(self) -> str:
        return f"task:{self.phase}.{self.id}"

    def offered_to(self, variant: str) -> bool:
        return self.variants is None or variant in self.variants


@dataclass(frozen=True)
class Phase:
    id: str
    name: str
    purpose: str
    tasks: tuple[Task, ...]
    provenance: Provenance


JOINT_SESSION_POINTS = ("first", "middle", "last")


@dataclass(frozen=True)
class JointSession:
    """A session that someone besides the client joins (IPT-A's parent or caregiver)."""

    phase: str
    task: str  # the phase's task that the session carries out
    at: str  # one of JOINT_SESSION_POINTS, resolved against the planned sessions


@dataclass(frozen=True)
class Schedule:
    """How a variant's sessions fall into phases, and when to start raising the ending."""

    variant: str
    initial_sessions: int  # the first sessions
    body: str  # the phase between: "middle", or "maintenance"
    termination_sessions: int  # the last sessions
    reminder_sessions_before_end: int
    # "initial", "termination", "termination_reminder" and, with joint sessions, "joint_sessions"
    provenance: Mapping[str, Provenance]
    joint_sessions: tuple[JointSession, ...] = ()

    def phase_at(self, session_number: int, planned_sessions: int) -> str:
        # Past the contract the course stays in its last phase: it never slips back into the middle.
        reached = min(session_number, planned_sessions)
        if reached <= self.initial_sessions:
            return "initial"
        if reached > planned_sessions - self.termination_sessions:
            return "termination"
        return self.body

    def session_at(self, point: str, planned_sessions: int) -> int:
        """The session number of a joint session's point in a contract of `planned_sessions`."""
        if point == "first":
            return 1
        if point == "last":
            return planned_sessions
        # The middle of the body phase, rounded down.
        return (self.initial_sessions + 1 + planned_sessions - self.termination_sessions) // 2


@dataclass(frozen=True)
class AgendaStep:
    id: str
    name: str
    description: str
    records: tuple[str, ...]  # session_record field ids this step fills in


@dataclass(frozen=True)
class SessionTemplate:
    id: str
    name: str
    phases: tuple[str, ...]
    variants: tuple[str, ...]
    pre_group: bool
    steps: tuple[AgendaStep, ...]
    provenance: Provenance

    @property
    def ref(self) -> str:
        return f"agenda:{self.id}"


@dataclass(frozen=True)
class RecordField:
    id: str
    type: str
    description: str
    min: int | None = None  # for a scale
    max: int | None = None


# Inventory and timeline (inventory.yaml, timeline.yaml)


@dataclass(frozen=True)
class InventoryField:
    id: str
    type: str  # text, boolean, choice, ring
    label: str
    description: str
    required: bool
    choices: tuple[Label, ...]
    added_by_rapport: bool
    provenance: Provenance  # the field's own, or its group's

    def choice_ids(self) -> tuple[str, ...]:
        return tuple(choice.id for choice in self.choices)


@dataclass(frozen=True)
class Inventory:
    rings: int  # closeness circle: ring 1 is the innermost, the closest
    rings_provenance: Provenance
    relationship_fields: tuple[InventoryField, ...]
    whole_inventory_fields: tuple[InventoryField, ...]
    notes: tuple[str, ...]

    def field(self, field_id: str) -> InventoryField:
        for item in self.relationship_fields:
            if item.id == field_id:
                return item
        raise UnknownProtocolItem(f"unknown inventory field {field_id!r}")


@dataclass(frozen=True)
class Timeline:
    fields: tuple[Label, ...]
    fields_provenance: Provenance
    mood_min: int
    mood_max: int
    mood_provenance: Provenance
    event_kinds: tuple[Label, ...]
    event_kinds_provenance: Provenance
    whose: tuple[Label, ...]  # whose event it is: the client's own first, then someone else's
    whose_provenance: Provenance
    notes: tuple[str, ...]

    def kind_ids(self) -> tuple[str, ...]:
        return tuple(kind.id for kind in self.event_kinds)

    def whose_ids(self) -> tuple[str, ...]:
        return tuple(choice.id for choice in self.whose)


# Problem areas and techniques (problem_areas.yaml, techniques.yaml)


@dataclass(frozen=True)
class Checklist:
    """Cues, goals or strategies: statements with stable ids, and where they came from."""

    items: tuple[Label, ...]
    provenance: Provenance

    def ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)


@dataclass(frozen=True)
class DisputeStage:
    id: str
    name: str
    recognition: str
    direction: str


@dataclass(frozen=True)
class Caution:
    text: str
    provenance: Provenance


@dataclass(frozen=True)
class ProblemArea:
    id: str
    names: Mapping[str, str]  # by name style: "standard", "who_group"
    other_names: tuple[str, ...]
    cues: Checklist
    goals: Checklist
    strategies: Checklist
    stages: tuple[DisputeStage, ...]  # role disputes only
    stages_provenance: Provenance | None
    therapist_neutral_on_outcome: bool
    neutral_provenance: Provenance | None
    fallback: bool  # suggested only when no other area is (interpersonal deficits)
    caution: Caution | None
    mid_course_prompt: Caution | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Focus:
    preferred: int
    max: int
    provenance: Provenance


@dataclass(frozen=True)
class Technique:
    id: str
    name: str
    description: str
    typical_use: str
    problem_areas: tuple[str, ...]  # empty: any area
    optional: bool
    provenance: Provenance


# Termination (relapse_prevention.yaml)


@dataclass(frozen=True)
class PlanSection:
    id: str
    name: str
    description: str
    client_prompt: str
    provenance: Provenance


@dataclass(frozen=True)
class Ending:
    id: str
    name: str
    description: str
    offers: tuple[Label, ...]
    new_contract_variant: str | None
    provenance: Provenance


@dataclass(frozen=True)
class RelapsePrevention:
    sections: tuple[PlanSection, ...]
    endings: tuple[Ending, ...]
    notes: tuple[str, ...]


# Decision support (suggestion_rules.yaml)


@dataclass(frozen=True)
class EventsNearOnset:
    id: str
    problem_area: str
    summary: str
    event_kinds: tuple[str, ...]
    months_before_onset: int
    months_after_onset: int
    include_undated: bool
    whose: tuple[str, ...]  # whose events count (timeline.yaml `whose`); empty: anyone's
    provenance: Provenance


@dataclass(frozen=True)
class ExpectationsRule:
    id: str
    problem_area: str
    summary: str
    values: tuple[str, ...]  # expectations_reciprocity values that count
    # When to ask the therapist to record whether the expectations match: the answer is one of
    # `ask_unanswered` or missing, and the relationship has one of `ask_when_statuses` or
    # expectations written in its free text (`ask_when_written`).
    ask_unanswered: tuple[str, ...]
    ask_when_statuses: tuple[str, ...]
    ask_when_written: bool
    provenance: Provenance


@dataclass(frozen=True)
class RelationshipStatusRule:
    id: str
    problem_area: str
    summary: str
    statuses: tuple[str, ...]  # current_status values that count
    provenance: Provenance


@dataclass(frozen=True)
class FewCloseTies:
    id: str
    problem_area: str
    summary: str
    rings_at_most: int
    excluded_statuses: tuple[str, ...]
    excluded_relationship_types: tuple[str, ...]
    at_most: int
    min_inventory_entries: int
    # Never suggested when a close tie has one of these statuses, or the timeline holds an event of
    # one of these kinds (whoever's it is).
    never_when_close_statuses: tuple[str, ...]
    never_when_event_kinds: tuple[str, ...]
    provenance: Provenance


SuggestionRule = EventsNearOnset | ExpectationsRule | RelationshipStatusRule | FewCloseTies


# The whole protocol


@dataclass(frozen=True)
class Protocol:
    versions: Mapping[str, str]  # by file
    variants: tuple[Variant, ...]
    phases: tuple[Phase, ...]
    schedules: Mapping[str, Schedule]  # by variant
    session_templates: tuple[SessionTemplate, ...]
    session_record: tuple[RecordField, ...]
    session_record_provenance: Provenance
    inventory: Inventory
    timeline: Timeline
    focus: Focus
    problem_areas: tuple[ProblemArea, ...]  # the spec's order; suggestions follow it
    problem_area_names_provenance: Provenance
    techniques: tuple[Technique, ...]
    relapse_prevention: RelapsePrevention
    suggestion_rules: tuple[SuggestionRule, ...]
    notes: Mapping[str, tuple[str, ...]]  # by file
    variants_by_id: Mapping[str, Variant] = field(default_factory=dict, repr=False, compare=False)
    phases_by_id: Mapping[str, Phase] = field(default_factory=dict, repr=False, compare=False)
    areas_by_id: Mapping[str, ProblemArea] = field(default_factory=dict, repr=False, compare=False)
    techniques_by_id: Mapping[str, Technique] = field(default_factory=dict, repr=False, compare=False)

    def variant(self, variant_id: str) -> Variant:
        try:
            return self.variants_by_id[variant_id]
        except (KeyError, TypeError):
            raise _unknown("variant", variant_id, self.variants_by_id) from None

    def phase(self, phase_id: str) -> Phase:
        try:
            return self.phases_by_id[phase_id]
        except (KeyError, TypeError):
            raise _unknown("phase", phase_id, self.phases_by_id) from None

    def schedule(self, variant_id: str) -> Schedule:
        return self.schedules[self.variant(variant_id).id]

    def tasks(self, phase_id: str, variant_id: str) -> tuple[Task, ...]:
        """The phase's checklist for this variant. A variant is always required (spec 5)."""
        variant = self.variant(variant_id)
        return tuple(task for task in self.phase(phase_id).tasks if task.offered_to(variant.id))

    def agenda(self, phase_id: str, variant_id: str, *, pre_group: bool = False) -> SessionTemplate | None:
        """The session agenda for this phase and variant, or None where the phase's tasks serve."""
        variant = self.variant(variant_id)
        self.phase(phase_id)
        for template in self.session_templates:
            if (
                phase_id in template.phases
                and variant.id in template.variants
                and template.pre_group == pre_group
            ):
                return template
        return None

    def problem_area(self, area_id: str) -> ProblemArea:
        try:
            return self.areas_by_id[area_id]
        except (KeyError, TypeError):
            raise _unknown("problem area", area_id, self.areas_by_id) from None

    def problem_area_name(self, area_id: str, variant_id: str) -> str:
        """The area's name as this variant shows it (Group IPT uses plain names)."""
        return self.problem_area(area_id).names[self.variant(variant_id).problem_area_names]

    def technique(self, technique_id: str) -> Technique:
        try:
            return self.techniques_by_id[technique_id]
        except (KeyError, TypeError):
            raise _unknown("technique", technique_id, self.techniques_by_id) from None

    def techniques_for(self, area_id: str) -> tuple[Technique, ...]:
        """Techniques typical for the area: those that name it, and those used in any area."""
        self.problem_area(area_id)
        return tuple(t for t in self.techniques if not t.problem_areas or area_id in t.problem_areas)
