"""Reading the protocol's YAML files under data/: each one strictly, then checked across files.

Spec section 1 is the source. A malformed file fails on the first `get()`, naming the file and the
field, instead of showing a therapist the wrong checklist later.

Over 800 lines on purpose: one strict reader per file and the checks across files are the whole
data format, and a reviewer of a protocol change reads them in one place.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

from rapport.core.datafiles import PROVENANCE_KEYS, Node, Provenance, load_yaml, provenance
from rapport.core.protocol.model import (
    JOINT_SESSION_POINTS,
    AgendaStep,
    Caution,
    Checklist,
    DisputeStage,
    Ending,
    Focus,
    Frequency,
    Inventory,
    InventoryField,
    JointSession,
    Label,
    Phase,
    PlanSection,
    ProblemArea,
    Protocol,
    RecordField,
    RelapsePrevention,
    Schedule,
    SessionMinutes,
    SessionRange,
    SessionTemplate,
    SpecificContent,
    Task,
    Technique,
    Timeline,
    Variant,
)
from rapport.core.protocol.parsing import id_list, labels, positive, unique_ids, with_provenance
from rapport.core.protocol.rule_loading import suggestion_rules

DATA_DIR = Path(__file__).parent / "data"

FILES = (
    "variants",
    "phases",
    "inventory",
    "timeline",
    "problem_areas",
    "techniques",
    "relapse_prevention",
    "suggestion_rules",
)
FORMATS = ("individual", "group")
FREQUENCIES = ("weekly", "twice_monthly", "monthly")
NAME_STYLES = ("standard", "who_group")
FIELD_TYPES = ("text", "boolean", "choice", "ring")
RECORD_FIELD_TYPES = ("integer", "text", "phase", "list", "techniques", "scale")
DECISION_SUPPORT_FIELDS = {
    "relationship_type": "choice",
    "closeness_ring": "ring",
    "current_status": "choice",
    "expectations_reciprocity": "choice",
    "mutual_expectations": "text",  # only whether something is written, never what
}


@cache
def get() -> Protocol:
    """The shipped protocol, loaded and checked once."""
    return load(DATA_DIR)


def load(directory: Path) -> Protocol:
    roots = {name: load_yaml(directory / f"{name}.yaml") for name in FILES}
    variants, provides = _variants(roots["variants"])
    variant_ids = [variant.id for variant in variants]
    phases_root = roots["phases"].mapping(
        {"version", "phases", "schedules", "session_templates", "session_record", "notes"}
    )
    phases = _phases(phases_root.child("phases"), variant_ids)
    phase_ids = [phase.id for phase in phases]
    record_fields, record_provenance = _session_record(phases_root.child("session_record"))
    templates = _templates(phases_root.child("session_templates"), phase_ids, variants, record_fields)
    schedules = _schedules(phases_root.child("schedules"), variants, phases)
    _check_specific_content(roots["variants"], variants, provides, phases, templates)

    inventory = _inventory(roots["inventory"])
    timeline = _timeline(roots["timeline"])
    focus, areas, names_provenance = _problem_areas(roots["problem_areas"])
    area_ids = [area.id for area in areas]
    for variant, node in zip(variants, roots["variants"].child("variants").elements(), strict=True):
        # Every area must have a name in the style each variant shows.
        for area in areas:
            if variant.problem_area_names not in area.names:
                node.child("problem_area_names").fail(f"problem area {area.id!r} has no such name")
    techniques = _techniques(roots["techniques"], area_ids)
    relapse = _relapse_prevention(roots["relapse_prevention"], variant_ids)
    rules = suggestion_rules(roots["suggestion_rules"], areas, inventory, timeline)

    return Protocol(
        versions={name: root.child("version").required_text() for name, root in roots.items()},
        variants=variants,
        phases=phases,
        schedules=schedules,
        session_templates=templates,
        session_record=record_fields,
        session_record_provenance=record_provenance,
        inventory=inventory,
        timeline=timeline,
        focus=focus,
        problem_areas=areas,
        problem_area_names_provenance=names_provenance,
        techniques=techniques,
        relapse_prevention=relapse,
        suggestion_rules=rules,
        notes={name: root.child("notes", required=False).text_list() for name, root in roots.items()},
        variants_by_id={variant.id: variant for variant in variants},
        phases_by_id={phase.id: phase for phase in phases},
        areas_by_id={area.id: area for area in areas},
        techniques_by_id={technique.id: technique for technique in techniques},
    )


# variants.yaml


def _variants(root: Node) -> tuple[tuple[Variant, ...], list[tuple[Node, str, str]]]:
    root.mapping({"version", "variants", "notes"})
    list_node = root.child("variants")
    nodes = list_node.elements(allow_empty=False)
    unique_ids(list_node, nodes, "variant")
    variants = []
    provides: list[tuple[Node, str, str]] = []  # (node, reference, variant id), checked against phases.yaml
    for node in nodes:
        node.mapping(
            {
                "id", "name", "population", "format", "ages", "sessions", "frequency",
                "session_minutes", "pre_group_sessions", "problem_area_names", "delivered_by",
                "exclusions", "specific_content", "provenance", "notes",
            }
        )  # fmt: skip
        variant_id = node.child("id").required_text()
        ages = node.child("ages")
        age_range = None
        if ages.value is not None:
            ages.mapping({"min", "max"})
            age_range = (positive(ages.child("min")), positive(ages.child("max")))
            if age_range[0] > age_range[1]:
                ages.fail(f"min {age_range[0]} is above max {age_range[1]}")
        exclusions = node.child("exclusions")
        specific = []
        content_node = node.child("specific_content")
        content_nodes = content_node.elements()
        unique_ids(content_node, content_nodes, "specific content")
        for element in content_nodes:
            element.mapping(with_provenance("id", "description", "provides"))
            refs = element.child("provides").text_list()
            for index, ref in enumerate(refs):
                provides.append((element.child("provides").elements()[index], ref, variant_id))
            specific.append(
                SpecificContent(
                    id=element.child("id").required_text(),
                    description=element.child("description").required_text(),
                    provides=refs,
                    provenance=provenance(element),
                )
            )
        variants.append(
            Variant(
                id=variant_id,
                name=node.child("name").required_text(),
                population=node.child("population").required_text(),
                format=node.child("format").choice(FORMATS),
                ages=age_range,
                sessions=_session_range(node.child("sessions")),
                frequency=_frequency(node.child("frequency")),
                session_minutes=_session_minutes(node.child("session_minutes")),
                pre_group_sessions=positive(node.child("pre_group_sessions"), zero=True),
                problem_area_names=node.child("problem_area_names").choice(NAME_STYLES),
                delivered_by=node.child("delivered_by").required_text(),
                exclusions=labels(exclusions, "text", "exclusion") if exclusions.value else (),
                specific_content=tuple(specific),
                provenance=provenance(node.child("provenance").mapping(PROVENANCE_KEYS)),
                notes=node.child("notes").text_list(),
            )
        )
    for variant, node in zip(variants, nodes, strict=True):
        if variant.format == "individual" and variant.pre_group_sessions:
            node.child("pre_group_sessions").fail("only a group variant has pre-group sessions")
    return tuple(variants), provides


def _session_range(node: Node) -> SessionRange:
    node.mapping(with_provenance("min", "max", "default"))
    low = positive(node.child("min"))
    high = positive(node.child("max"))
    if low > high:
        node.fail(f"min {low} is above max {high}")
    default = node.child("default").integer(nullable=True)
    if default is not None and not low <= default <= high:
        node.child("default").fail(f"{default} is outside the range {low}-{high}")
    return SessionRange(min=low, max=high, default=default, provenance=provenance(node))


def _frequency(node: Node) -> Frequency:
    node.mapping(with_provenance("default", "allowed"))
    allowed = id_list(node.child("allowed"), FREQUENCIES, allow_empty=False)
    default = node.child("default").choice(allowed)
    return Frequency(default=default, allowed=allowed, provenance=provenance(node))


def _session_minutes(node: Node) -> SessionMinutes:
    node.mapping(with_provenance("default", "first_session"))
    values = []
    for key in ("default", "first_session"):
        value = node.child(key).integer(nullable=True)
        if value is not None and value < 1:
            node.child(key).fail(f"must be at least 1 minute, got {value}")
        values.append(value)
    return SessionMinutes(default=values[0], first_session=values[1], provenance=provenance(node))


# phases.yaml


def _phases(node: Node, variant_ids: list[str]) -> tuple[Phase, ...]:
    nodes = node.elements(allow_empty=False)
    unique_ids(node, nodes, "phase")
    phases = []
    for phase_node in nodes:
        phase_node.mapping(with_provenance("id", "name", "purpose", "tasks"))
        phase_id = phase_node.child("id").required_text()
        tasks_node = phase_node.child("tasks")
        task_nodes = tasks_node.elements(allow_empty=False)
        unique_ids(tasks_node, task_nodes, "task")
        tasks = []
        for task_node in task_nodes:
            task_node.mapping(
                with_provenance("id", "name", "description", "software_note", "when", "variants", "replaces")
            )
            variants = task_node.child("variants", required=False)
            tasks.append(
                Task(
                    id=task_node.child("id").required_text(),
                    phase=phase_id,
                    name=task_node.child("name").required_text(),
                    description=task_node.child("description").required_text(),
                    software_note=task_node.child("software_note", required=False).text(nullable=True),
                    when=task_node.child("when", required=False).text(nullable=True),
                    variants=(
                        id_list(variants, variant_ids, allow_empty=False)
                        if variants.value is not None
                        else None
                    ),
                    replaces=task_node.child("replaces", required=False).text(nullable=True),
                    provenance=provenance(task_node),
                )
            )
        _check_replacements(tasks, task_nodes, variant_ids)
        phases.append(
            Phase(
                id=phase_id,
                name=phase_node.child("name").required_text(),
                purpose=phase_node.child("purpose").required_text(),
                tasks=tuple(tasks),
                provenance=provenance(phase_node),
            )
        )
    return tuple(phases)


def _check_replacements(tasks: list[Task], nodes: list[Node], variant_ids: list[str]) -> None:
    """A task that replaces another (IPT-A's limited sick role) is never offered beside it (spec 5)."""
    by_id = {task.id: task for task in tasks}
    for task, node in zip(tasks, nodes, strict=True):
        if task.replaces is None:
            continue
        replaced = by_id.get(task.replaces)
        if replaced is None or replaced is task:
            node.child("replaces").fail(f"no other task {task.replaces!r} in this phase")
        both = [v for v in variant_ids if task.offered_to(v) and replaced.offered_to(v)]
        if both:
            node.child("replaces").fail(
                f"{', '.join(both)} would be offered both {task.id!r} and {replaced.id!r}"
            )


def _schedules(node: Node, variants: tuple[Variant, ...], phases: tuple[Phase, ...]) -> dict[str, Schedule]:
    schedules: dict[str, Schedule] = {}
    by_id = {variant.id: variant for variant in variants}
    phase_ids = [phase.id for phase in phases]
    for schedule_node in node.elements(allow_empty=False):
        schedule_node.mapping(
            {"variant", "initial", "body", "termination", "termination_reminder", "joint_sessions"}
        )
        variant_id = schedule_node.child("variant").choice(list(by_id))
        if variant_id in schedules:
            schedule_node.child("variant").fail(f"a second schedule for {variant_id!r}")
        parts = {}
        for key in ("initial", "termination"):
            part = schedule_node.child(key).mapping(with_provenance("sessions"))
            parts[key] = (positive(part.child("sessions"), zero=True), provenance(part))
            if parts[key][0] and key not in phase_ids:
                part.child("sessions").fail(f"there is no {key!r} phase in phases")
        reminder_node = schedule_node.child("termination_reminder").mapping(
            with_provenance("sessions_before_end")
        )
        reminder = positive(reminder_node.child("sessions_before_end"))
        body = schedule_node.child("body").choice(phase_ids)
        if body in ("initial", "termination"):
            schedule_node.child("body").fail(
                f"{body!r} cannot be the phase between the first and last sessions"
            )
        initial, termination = parts["initial"][0], parts["termination"][0]
        shortest = by_id[variant_id].sessions.min
        # Even the shortest contract the variant allows must keep every phase apart.
        if initial + termination >= shortest:
            schedule_node.fail(
                f"{initial} initial and {termination} termination sessions leave no {body} session "
                f"in the shortest contract ({shortest} sessions)"
            )
        if reminder < termination:
            reminder_node.child("sessions_before_end").fail(
                f"the reminder must cover every termination session ({termination}), got {reminder}"
            )
        if initial and shortest - reminder < initial:
            reminder_node.child("sessions_before_end").fail(
                f"in a {shortest}-session contract the reminder would start in the initial phase"
            )
        schedule = Schedule(
            variant=variant_id,
            initial_sessions=initial,
            body=body,
            termination_sessions=termination,
            reminder_sessions_before_end=reminder,
            provenance={
                "initial": parts["initial"][1],
                "termination": parts["termination"][1],
                "termination_reminder": provenance(reminder_node),
            },
        )
        if schedule_node.has("joint_sessions"):
            schedule = _joint_sessions(
                schedule_node.child("joint_sessions"), schedule, by_id[variant_id], phases
            )
        schedules[variant_id] = schedule
    missing = [variant.id for variant in variants if variant.id not in schedules]
    if missing:
        node.fail(f"no schedule for variant(s) {', '.join(missing)}")
    return schedules


def _joint_sessions(node: Node, schedule: Schedule, variant: Variant, phases: tuple[Phase, ...]) -> Schedule:
    """Each joint session names a task as `<phase>.<task>`; in every contract length the variant
    allows, the session must fall in that phase and the task be offered to the variant."""
    node.mapping(with_provenance("sessions"))
    tasks = {task.ref.removeprefix("task:"): task for phase in phases for task in phase.tasks}
    joint, numbers = [], set()
    for item in node.child("sessions").elements(allow_empty=False):
        item.mapping({"task", "at"})
        task = tasks.get(item.child("task").required_text())
        if task is None or not task.offered_to(variant.id):
            item.child("task").fail(f"no such task offered to {variant.id!r}")
        at = item.child("at").choice(list(JOINT_SESSION_POINTS))
        joint.append(JointSession(phase=task.phase, task=task.id, at=at))
        for planned in range(variant.sessions.min, variant.sessions.max + 1):
            number = schedule.session_at(at, planned)
            if schedule.phase_at(number, planned) != task.phase:
                item.child("at").fail(
                    f"in a {planned}-session contract this session is not in {task.phase!r}"
                )
            if (planned, number) in numbers:
                item.child("at").fail(f"a second joint session at session {number} of {planned}")
            numbers.add((planned, number))
    return replace(
        schedule,
        joint_sessions=tuple(joint),
        provenance={**schedule.provenance, "joint_sessions": provenance(node)},
    )


def _session_record(node: Node) -> tuple[tuple[RecordField, ...], Provenance]:
    node.mapping(with_provenance("fields"))
    fields_node = node.child("fields")
    nodes = fields_node.elements(allow_empty=False)
    unique_ids(fields_node, nodes, "session record field")
    fields = []
    for field_node in nodes:
        field_node.mapping({"id", "type", "description", "min", "max"})
        kind = field_node.child("type").choice(RECORD_FIELD_TYPES)
        low = high = None
        if kind == "scale":
            low = field_node.child("min").required_integer()
            high = field_node.child("max").required_integer()
            if low >= high:
                field_node.fail(f"min {low} must be below max {high}")
        else:
            for key in ("min", "max"):
                if field_node.has(key):
                    field_node.child(key).fail("only a scale has a range")
        fields.append(
            RecordField(
                id=field_node.child("id").required_text(),
                type=kind,
                description=field_node.child("description").required_text(),
                min=low,
                max=high,
            )
        )
    return tuple(fields), provenance(node)


def _templates(
    node: Node, phase_ids: list[str], variants: tuple[Variant, ...], record_fields: tuple[RecordField, ...]
) -> tuple[SessionTemplate, ...]:
    nodes = node.elements(allow_empty=False)
    unique_ids(node, nodes, "session template")
    variant_ids = [variant.id for variant in variants]
    record_ids = [record.id for record in record_fields]
    templates = []
    taken: dict[tuple[str, str, bool], str] = {}
    for template_node in nodes:
        template_node.mapping(with_provenance("id", "name", "phases", "variants", "pre_group", "steps"))
        template_id = template_node.child("id").required_text()
        steps_node = template_node.child("steps")
        step_nodes = steps_node.elements(allow_empty=False)
        unique_ids(steps_node, step_nodes, "step")
        steps = []
        for step_node in step_nodes:
            step_node.mapping({"id", "name", "description", "records"})
            steps.append(
                AgendaStep(
                    id=step_node.child("id").required_text(),
                    name=step_node.child("name").required_text(),
                    description=step_node.child("description").required_text(),
                    records=id_list(step_node.child("records"), record_ids),
                )
            )
        template = SessionTemplate(
            id=template_id,
            name=template_node.child("name").required_text(),
            phases=id_list(template_node.child("phases"), phase_ids, allow_empty=False),
            variants=id_list(template_node.child("variants"), variant_ids, allow_empty=False),
            pre_group=template_node.child("pre_group", required=False).boolean(default=False),
            steps=tuple(steps),
            provenance=provenance(template_node),
        )
        # One agenda per phase, variant and kind of session, so the lookup never depends on order.
        for phase_id in template.phases:
            for variant_id in template.variants:
                key = (phase_id, variant_id, template.pre_group)
                if key in taken:
                    template_node.fail(f"{taken[key]!r} is already the agenda for {phase_id} in {variant_id}")
                taken[key] = template_id
        if template.pre_group:
            for variant_id in template.variants:
                if not next(v for v in variants if v.id == variant_id).pre_group_sessions:
                    template_node.child("variants").fail(f"{variant_id!r} has no pre-group sessions")
        templates.append(template)
    for variant in variants:
        if variant.pre_group_sessions and not any(
            t.pre_group and variant.id in t.variants for t in templates
        ):
            node.fail(f"variant {variant.id!r} has pre-group sessions but no pre-group agenda")
    return tuple(templates)


def _check_specific_content(
    root: Node,
    variants: tuple[Variant, ...],
    provides: list[tuple[Node, str, str]],
    phases: tuple[Phase, ...],
    templates: tuple[SessionTemplate, ...],
) -> None:
    """Content one variant calls its own is offered to it alone, and vice versa (spec 5)."""
    items: dict[str, tuple[str, ...] | None] = {
        task.ref: task.variants for phase in phases for task in phase.tasks
    }
    items.update({template.ref: template.variants for template in templates})
    claimed: dict[str, str] = {}
    for node, ref, variant_id in provides:
        if ref not in items:
            node.fail(f"no such task or agenda {ref!r}")
        if items[ref] != (variant_id,):
            node.fail(
                f"{ref!r} is offered to {', '.join(items[ref] or ['every variant'])}, not only {variant_id!r}"
            )
        claimed[ref] = variant_id
    for ref, offered in items.items():
        if offered is not None and len(offered) == 1 and ref not in claimed:
            root.child("variants").fail(
                f"{ref!r} is offered only to {offered[0]!r}; list it in that variant's specific_content"
            )


# inventory.yaml and timeline.yaml


def _inventory(root: Node) -> Inventory:
    root.mapping({"version", "closeness_circle", "relationship", "whole_inventory", "notes"})
    circle = root.child("closeness_circle").mapping(with_provenance("rings"))
    rings = circle.child("rings").required_integer()
    if rings < 2:
        circle.child("rings").fail(f"a closeness circle needs at least 2 rings, got {rings}")
    relationship = _inventory_fields(root.child("relationship"))
    # Decision support reads these fields from each entry (suggestions.InventoryEntry).
    types = {item.id: item.type for item in relationship}
    for field_id, kind in DECISION_SUPPORT_FIELDS.items():
        if types.get(field_id) != kind:
            root.child("relationship").fail(
                f"needs the {kind} field {field_id!r}, which decision support reads"
            )
    whole = _inventory_fields(root.child("whole_inventory"))
    for item, item_node in zip(whole, root.child("whole_inventory").child("fields").elements(), strict=True):
        if item.type == "ring":
            item_node.child("type").fail("only a relationship is placed on the closeness circle")
    return Inventory(
        rings=rings,
        rings_provenance=provenance(circle),
        relationship_fields=relationship,
        whole_inventory_fields=whole,
        notes=root.child("notes", required=False).text_list(),
    )


def _inventory_fields(group: Node) -> tuple[InventoryField, ...]:
    group.mapping(with_provenance("fields"))
    group_provenance = provenance(group)
    fields_node = group.child("fields")
    nodes = fields_node.elements(allow_empty=False)
    unique_ids(fields_node, nodes, "field")
    fields = []
    for node in nodes:
        node.mapping(
            with_provenance("id", "type", "label", "description", "required", "choices", "added_by_rapport")
        )
        kind = node.child("type").choice(FIELD_TYPES)
        choices: tuple[Label, ...] = ()
        if kind == "choice":
            choices = labels(node.child("choices"), "label", "choice")
        elif node.has("choices"):
            node.child("choices").fail("only a choice field has choices")
        added = node.child("added_by_rapport", required=False).boolean(default=False)
        own = node.has("verified") or node.has("confidence") or node.has("source")
        if added and not own:
            node.fail("a field added by Rapport needs its own verified, confidence and source")
        fields.append(
            InventoryField(
                id=node.child("id").required_text(),
                type=kind,
                label=node.child("label").required_text(),
                description=node.child("description").required_text(),
                required=node.child("required", required=False).boolean(default=False),
                choices=choices,
                added_by_rapport=added,
                provenance=provenance(node) if own else group_provenance,
            )
        )
    return tuple(fields)


def _timeline(root: Node) -> Timeline:
    root.mapping({"version", "format", "mood_scale", "event_kinds", "whose", "notes"})
    format_node = root.child("format").mapping(with_provenance("fields"))
    fields_node = format_node.child("fields")
    mood = root.child("mood_scale").mapping(with_provenance("min", "max"))
    low = mood.child("min").required_integer()
    high = mood.child("max").required_integer()
    if low >= high:
        mood.fail(f"min {low} must be below max {high}")
    kinds = root.child("event_kinds").mapping(with_provenance("kinds"))
    whose_node = root.child("whose").mapping(with_provenance("choices", "added_by_rapport"))
    whose = labels(whose_node.child("choices"), "label", "whose choice")
    # An event with nothing recorded is the client's own, so that choice must exist and come first.
    if whose[0].id != "client":
        whose_node.child("choices").fail(f"the first choice must be 'client', got {whose[0].id!r}")
    return Timeline(
        fields=labels(fields_node, "description", "timeline field"),
        fields_provenance=provenance(format_node),
        mood_min=low,
        mood_max=high,
        mood_provenance=provenance(mood),
        event_kinds=labels(kinds.child("kinds"), "label", "event kind"),
        event_kinds_provenance=provenance(kinds),
        whose=whose,
        whose_provenance=provenance(whose_node),
        notes=root.child("notes", required=False).text_list(),
    )


# problem_areas.yaml and techniques.yaml


def _problem_areas(root: Node) -> tuple[Focus, tuple[ProblemArea, ...], Provenance]:
    root.mapping({"version", "focus", "names", "areas", "notes"})
    focus_node = root.child("focus").mapping(with_provenance("preferred", "max"))
    focus = Focus(
        preferred=positive(focus_node.child("preferred")),
        max=positive(focus_node.child("max")),
        provenance=provenance(focus_node),
    )
    if focus.preferred > focus.max:
        focus_node.fail(f"preferred {focus.preferred} is above max {focus.max}")
    names_provenance = provenance(root.child("names").mapping(PROVENANCE_KEYS))
    list_node = root.child("areas")
    nodes = list_node.elements(allow_empty=False)
    unique_ids(list_node, nodes, "problem area")
    areas = []
    for node in nodes:
        node.mapping(
            {
                "id", "names", "fallback", "cues", "goals", "strategies", "stages",
                "therapist_neutral_on_outcome", "caution", "mid_course_prompt", "notes",
            }
        )  # fmt: skip
        names_node = node.child("names").mapping({*NAME_STYLES, "other"})
        names = {style: names_node.child(style).required_text() for style in NAME_STYLES}
        stages_node = node.child("stages", required=False)
        stages: tuple[DisputeStage, ...] = ()
        stages_provenance = None
        if stages_node.value is not None:
            stages_node.mapping(with_provenance("items"))
            stage_nodes = stages_node.child("items").elements(allow_empty=False)
            unique_ids(stages_node.child("items"), stage_nodes, "stage")
            for stage in stage_nodes:
                stage.mapping({"id", "name", "recognition", "direction"})
            stages = tuple(
                DisputeStage(
                    id=stage.child("id").required_text(),
                    name=stage.child("name").required_text(),
                    recognition=stage.child("recognition").required_text(),
                    direction=stage.child("direction").required_text(),
                )
                for stage in stage_nodes
            )
            stages_provenance = provenance(stages_node)
        neutral = node.child("therapist_neutral_on_outcome", required=False)
        neutral_value, neutral_provenance = False, None
        if neutral.value is not None:
            neutral.mapping(with_provenance("value"))
            neutral_value, neutral_provenance = neutral.child("value").boolean(), provenance(neutral)
        areas.append(
            ProblemArea(
                id=node.child("id").required_text(),
                names=names,
                other_names=names_node.child("other").text_list(),
                cues=_checklist(node.child("cues")),
                goals=_checklist(node.child("goals")),
                strategies=_checklist(node.child("strategies")),
                stages=stages,
                stages_provenance=stages_provenance,
                therapist_neutral_on_outcome=neutral_value,
                neutral_provenance=neutral_provenance,
                fallback=node.child("fallback", required=False).boolean(default=False),
                caution=_caution(node.child("caution", required=False)),
                mid_course_prompt=_caution(node.child("mid_course_prompt", required=False)),
                notes=node.child("notes", required=False).text_list(),
            )
        )
    if all(area.fallback for area in areas):
        list_node.fail("at least one problem area must not be a fallback")
    return focus, tuple(areas), names_provenance


def _checklist(node: Node) -> Checklist:
    node.mapping(with_provenance("items"))
    return Checklist(items=labels(node.child("items"), "text", "statement"), provenance=provenance(node))


def _caution(node: Node) -> Caution | None:
    if node.value is None:
        return None
    node.mapping(with_provenance("text"))
    return Caution(text=node.child("text").required_text(), provenance=provenance(node))


def _techniques(root: Node, area_ids: list[str]) -> tuple[Technique, ...]:
    root.mapping({"version", "techniques", "notes"})
    list_node = root.child("techniques")
    nodes = list_node.elements(allow_empty=False)
    unique_ids(list_node, nodes, "technique")
    techniques = []
    for node in nodes:
        node.mapping(with_provenance("id", "name", "description", "typical_use", "problem_areas", "optional"))
        techniques.append(
            Technique(
                id=node.child("id").required_text(),
                name=node.child("name").required_text(),
                description=node.child("description").required_text(),
                typical_use=node.child("typical_use").required_text(),
                problem_areas=id_list(node.child("problem_areas"), area_ids),
                optional=node.child("optional", required=False).boolean(default=False),
                provenance=provenance(node),
            )
        )
    return tuple(techniques)


# relapse_prevention.yaml


def _relapse_prevention(root: Node, variant_ids: list[str]) -> RelapsePrevention:
    root.mapping({"version", "plan_sections", "endings", "notes"})
    sections_node = root.child("plan_sections")
    section_nodes = sections_node.elements(allow_empty=False)
    unique_ids(sections_node, section_nodes, "plan section")
    sections = []
    for node in section_nodes:
        node.mapping(with_provenance("id", "name", "description", "client_prompt"))
        sections.append(
            PlanSection(
                id=node.child("id").required_text(),
                name=node.child("name").required_text(),
                description=node.child("description").required_text(),
                client_prompt=node.child("client_prompt").required_text(),
                provenance=provenance(node),
            )
        )
    endings_node = root.child("endings")
    ending_nodes = endings_node.elements(allow_empty=False)
    unique_ids(endings_node, ending_nodes, "ending")
    endings = []
    for node in ending_nodes:
        node.mapping(with_provenance("id", "name", "description", "offers", "new_contract_variant"))
        offers = node.child("offers")
        new_contract = node.child("new_contract_variant", required=False)
        endings.append(
            Ending(
                id=node.child("id").required_text(),
                name=node.child("name").required_text(),
                description=node.child("description").required_text(),
                offers=labels(offers, "name", "offer") if offers.value else (),
                new_contract_variant=new_contract.choice(variant_ids)
                if new_contract.value is not None
                else None,
                provenance=provenance(node),
            )
        )
    return RelapsePrevention(
        sections=tuple(sections),
        endings=tuple(endings),
        notes=root.child("notes", required=False).text_list(),
    )
