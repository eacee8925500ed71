"""The problem-area formulation and the goals of a course.

The services take typed values (FormulationValues, GoalValues) and check them here, so that a page
and the API meet the same rules with the same messages; the forms only read what a page posts.

Decision support (rapport.core.protocol.suggest_problem_areas) points at candidate areas from the
inventory and the timeline and says why; the therapist chooses. Nothing here picks an area."""

from dataclasses import dataclass, replace
from datetime import date

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic.client_records import get_client_for
from rapport.clinic.courses import DATE_INPUT
from rapport.clinic.measurement import current_course
from rapport.clinic.models import Formulation, Goal
from rapport.common.checks import Problems
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.records import deny, save_versioned
from rapport.core import protocol
from rapport.core.protocol import suggestions


@dataclass(frozen=True)
class FormulationValues:
    onset: date | None
    cues: dict[str, list[str]]  # problem area id -> the ids of its cues that apply
    primary_area: str  # a problem area id, or empty until chosen
    secondary_area: str
    dispute_stage: str  # for a role dispute: its stage id
    text: str
    shared_on: date | None
    agreed_on: date | None


FIELDS = ["onset", "primary_area", "secondary_area", "dispute_stage", "text", "shared_on", "agreed_on"]


@dataclass(frozen=True)
class GoalValues:
    text: str
    strategies: str


def check_formulation(given: FormulationValues) -> FormulationValues:
    """The formulation as it will be stored (text trimmed, cues sorted), or InvalidInput keyed by
    its fields ("cues.<area>" for a problem area's cues)."""
    spec = protocol.get()
    problems = Problems()
    areas = {a.id: a for a in spec.problem_areas}
    primary = problems.choice("primary_area", given.primary_area, ["", *areas])
    secondary = problems.choice("secondary_area", given.secondary_area, ["", *areas])
    stages = [s.id for s in spec.problem_area("role_dispute").stages]
    stage = problems.choice("dispute_stage", given.dispute_stage, ["", *stages])
    text = problems.text("text", given.text)
    cues = {}
    for area_id, ticked in given.cues.items():
        key = f"cues.{area_id}"
        if area_id not in areas:
            problems.add(key, _("Not one of the protocol's problem areas."))
            continue
        unknown = set(ticked) - set(areas[area_id].cues.ids())
        if unknown:
            problems.add(key, _("Unknown cue: %s") % ", ".join(sorted(unknown)))
        elif ticked:
            cues[area_id] = sorted(set(ticked))
    if "primary_area" not in problems and "secondary_area" not in problems:
        if secondary and not primary:
            problems.add("secondary_area", _("Choose the primary area first."))
        if secondary and secondary == primary:
            problems.add("secondary_area", _("The secondary area must differ from the primary one."))
        dispute = "role_dispute" in (primary, secondary)
        if dispute and not stage and "dispute_stage" not in problems:
            problems.add("dispute_stage", _("Record the stage of the role dispute."))
        if not dispute and stage:
            problems.add("dispute_stage", _("A stage belongs to a role dispute."))
    today = timezone.localdate()
    for name in ("onset", "shared_on", "agreed_on"):
        day = getattr(given, name)
        if day and day > today:
            problems.add(name, _("This date is in the future."))
    if given.agreed_on and not given.shared_on:
        problems.add("shared_on", _("A formulation is shared before it is agreed."))
    if given.agreed_on and given.shared_on and given.agreed_on < given.shared_on:
        problems.add("agreed_on", _("The agreement cannot come before the formulation was shared."))
    problems.raise_any()
    return replace(given, text=text, cues=cues)


def check_goal(given: GoalValues) -> GoalValues:
    problems = Problems()
    text = problems.text("text", given.text, required=True)
    strategies = problems.text("strategies", given.strategies)
    problems.raise_any()
    return GoalValues(text=text, strategies=strategies)


class FormulationForm(forms.ModelForm):
    class Meta:
        model = Formulation
        fields = [
            "onset",
            "primary_area",
            "secondary_area",
            "dispute_stage",
            "text",
            "shared_on",
            "agreed_on",
        ]
        widgets = {
            "onset": DATE_INPUT,
            "shared_on": DATE_INPUT,
            "agreed_on": DATE_INPUT,
            "text": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, variant: str, **kwargs):
        super().__init__(*args, **kwargs)
        spec = protocol.get()
        areas = [(a.id, spec.problem_area_name(a.id, variant)) for a in spec.problem_areas]
        self.fields["primary_area"] = forms.ChoiceField(
            label=_("Primary problem area"), choices=[("", _("Not chosen yet")), *areas], required=False
        )
        self.fields["secondary_area"] = forms.ChoiceField(
            label=_("Secondary problem area (optional)"), choices=[("", _("None")), *areas], required=False
        )
        stages = spec.problem_area("role_dispute").stages
        self.fields["dispute_stage"] = forms.ChoiceField(
            label=_("Stage of the role dispute"),
            choices=[("", _("Not a role dispute"))] + [(s.id, s.name) for s in stages],
            required=False,
        )

    # What a formulation may say is the service's to check (check_formulation), for pages and API.


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["text", "strategies"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "strategies": forms.Textarea(attrs={"rows": 3})}


def load(request, client_id: int, perm: str = "clinic.view_client", *, audit: bool = True):
    """The client, the current course and its formulation (unsaved and empty if none yet). A read
    is audited as a read of the course's formulation, whether it exists yet or not."""
    client = get_client_for(request, client_id, perm, audit=False)
    course = current_course(client)
    if course is None:
        deny(request, client_id=client.pk, detail={"object_type": "Course"})
    formulation = Formulation.objects.filter(course=course).first() or Formulation(course=course)
    if audit:
        trail.record(request, Action.READ, client=client, obj=course, object_type="Formulation")
    return client, course, formulation


def list_goals(request, client_id: int) -> list[Goal]:
    """The current course's goals; the read is audited as one, with their number."""
    client, course, _formulation = load(request, client_id, audit=False)
    goals = list(course.goals.filter(entered_in_error_at__isnull=True))
    trail.record(
        request, Action.READ, client=client, obj=course, object_type="Goal", detail={"count": len(goals)}
    )
    return goals


def facts_for(course, onset) -> suggestions.Facts:
    """What is recorded for the course, in the shape decision support reads."""
    inventory = [
        suggestions.InventoryEntry(
            ref=f"inventory:{e.pk}",
            label=e.person_label,
            relationship_type=e.values.get("relationship_type") or None,
            closeness_ring=e.closeness_ring,
            current_status=e.values.get("current_status") or None,
            expectations_reciprocity=e.values.get("expectations_reciprocity") or None,
            # Only whether something is written: decision support never reads the text's meaning.
            expectations_written=bool(str(e.values.get("mutual_expectations") or "").strip()),
        )
        for e in course.inventory.filter(entered_in_error_at__isnull=True)
    ]
    timeline = [
        suggestions.TimelineEvent(
            ref=f"timeline:{ev.pk}",
            kind=ev.kind,
            label=ev.event,
            start=ev.start,
            end=ev.end,
            people=tuple(p.person_label for p in ev.people.all()),
            whose=ev.whose,
            whose_label=ev.whose_person.person_label if ev.whose_person else None,
        )
        for ev in course.timeline.filter(entered_in_error_at__isnull=True)
        .select_related("whose_person")
        .prefetch_related("people")
    ]
    return suggestions.Facts(onset=onset, timeline=tuple(timeline), inventory=tuple(inventory))


def review(course, formulation) -> suggestions.Review:
    """The suggestions with what was set aside and why, and the answers worth recording."""
    try:
        return protocol.review(facts_for(course, formulation.onset))
    except suggestions.InvalidFacts:
        # A stored entry the protocol no longer knows must not hide the page: no suggestion then.
        return suggestions.Review(suggestions=(), set_aside=(), questions=())


def suggest(course, formulation) -> list:
    return list(review(course, formulation).suggestions)


def update(request, client_id: int, given: FormulationValues, version: int) -> Formulation:
    client, course, formulation = load(request, client_id, "clinic.change_client", audit=False)
    checked = check_formulation(given)
    values = {name: getattr(checked, name) for name in FIELDS}
    changed = [name for name in FIELDS if getattr(formulation, name) != values[name]]
    if formulation.cues != checked.cues:
        changed.append("cues")
    with transaction.atomic():
        if formulation.pk is None:
            if version != 0:
                raise EditConflict(formulation)
            formulation = Formulation.objects.create(course=course, cues=checked.cues, **values)
            trail.record(request, Action.CREATE, client=client, obj=formulation)
        else:
            save_versioned(Formulation, formulation.pk, version, **values, cues=checked.cues)
            trail.record(request, Action.UPDATE, client=client, obj=formulation, detail={"fields": changed})
    return Formulation.objects.get(pk=formulation.pk)


def start_goals(request, client_id: int) -> list[Goal]:
    """The chosen areas' goals and strategies from the protocol, as a list the therapist then edits."""
    client, course, formulation = load(request, client_id, "clinic.change_client", audit=False)
    areas = [a for a in (formulation.primary_area, formulation.secondary_area) if a]
    if not areas:
        raise InvalidInput({"goals": [str(_("Choose the primary problem area first."))]})
    spec = protocol.get()
    created = []
    with transaction.atomic():
        have = set(course.goals.filter(entered_in_error_at__isnull=True).values_list("text", flat=True))
        order = course.goals.count()
        for area_id in areas:
            area = spec.problem_area(area_id)
            strategies = "\n".join(s.text for s in area.strategies.items)
            for goal in area.goals.items:
                if goal.text in have:
                    continue
                order += 1
                created.append(
                    Goal.objects.create(
                        course=course,
                        problem_area=area_id,
                        text=goal.text,
                        strategies=strategies,
                        order=order,
                    )
                )
        for new_goal in created:
            trail.record(request, Action.CREATE, client=client, obj=new_goal)
    return created


def get_goal(request, client_id: int, goal_id: int, perm: str, *, audit: bool = False):
    client, course, _formulation = load(request, client_id, perm, audit=False)
    goal = course.goals.filter(pk=goal_id, entered_in_error_at__isnull=True).first()
    if goal is None:
        deny(request, client_id=client.pk, detail={"object_type": "Goal"})
    if audit:
        trail.record(request, Action.READ, client=client, obj=goal)
    return client, goal


def update_goal(request, client_id: int, goal_id: int, given: GoalValues, version: int) -> Goal:
    client, goal = get_goal(request, client_id, goal_id, "clinic.change_client")
    checked = check_goal(given)
    changed = [name for name in ("text", "strategies") if getattr(goal, name) != getattr(checked, name)]
    with transaction.atomic():
        save_versioned(Goal, goal.pk, version, text=checked.text, strategies=checked.strategies)
        trail.record(request, Action.UPDATE, client=client, obj=goal, detail={"fields": changed})
    return Goal.objects.get(pk=goal.pk)
