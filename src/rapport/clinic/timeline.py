"""The interpersonal timeline of a course (spec 1.10): life events and periods, the people involved
from the course's inventory, the mood at the time and a problem-area hint.

Every change checks access, validates against the protocol data (event kinds, mood scale, problem
areas), refuses a stale edit, and is audited with field names only: what happened in a client's
life never goes into the audit trail.

The services take an `Event` (typed values) and check it here (`check_event`), so that a page and
the API meet the same rules with the same messages; `EventForm` only reads what a page posts.
"""

from dataclasses import dataclass, field, replace
from datetime import date
from typing import cast

from django import forms
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic.client_records import get_client_for
from rapport.clinic.measurement import current_course
from rapport.clinic.models import Client, Course, Formulation, InventoryEntry, Response, TimelineEvent
from rapport.common.checks import Problems
from rapport.common.errors import InvalidInput, invalid
from rapport.common.forms import DATE_INPUT
from rapport.common.records import EnteredInError, deny, enter_in_error, save_versioned
from rapport.core import protocol

FIELDS = [
    "start",
    "end",
    "event",
    "kind",
    "whose",
    "whose_person",
    "people",
    "mood_rating",
    "problem_area_hint",
]


class RecordChoices(forms.ModelMultipleChoiceField):
    """Record ids from a form: anything but a plausible id is refused before the database sees it
    (an id beyond 64 bits would otherwise overflow the query)."""

    def clean(self, value):
        for item in value or ():
            if not str(item).isdigit() or len(str(item)) > 18:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().clean(value)


class RecordChoice(forms.ModelChoiceField):
    """One record id from a form, refused like RecordChoices before the database sees it."""

    def clean(self, value):
        if value not in self.empty_values and (not str(value).isdigit() or len(str(value)) > 18):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().clean(value)


def mood_label(value: int, scale) -> str:
    """The mood as the table and the form show it: a sign on good moods, words at the ends."""
    shown = f"+{value}" if value > 0 else str(value)
    if value == scale.mood_min:
        return str(_("%s (lowest)")) % shown
    if value == scale.mood_max:
        return str(_("%s (best)")) % shown
    if value == 0:
        return str(_("0 (neither low nor good)"))
    return shown


class EventForm(forms.ModelForm):
    class Meta:
        model = TimelineEvent
        fields = FIELDS
        widgets = {"start": DATE_INPUT, "end": DATE_INPUT}
        labels = {"start": _("Date, or the start of a period")}
        help_texts = {
            "end": _("Only for a period, such as months of caring for someone; leave empty for one date."),
            "event": _("As the client puts it."),
        }

    def __init__(self, *args, course: Course, **kwargs):
        super().__init__(*args, **kwargs)
        timeline = protocol.get().timeline
        self.scale = timeline
        self.fields["kind"] = forms.ChoiceField(
            label=_("Kind of event"),
            choices=[("", _("Choose a kind"))] + [(k.id, k.text) for k in timeline.event_kinds],
            error_messages={
                "required": _("Choose the kind of event."),
                "invalid_choice": _("Choose one of the kinds of event listed."),
            },
        )
        self.fields["whose"] = forms.ChoiceField(
            label=_("Whose event is it?"),
            choices=[(c.id, c.text) for c in timeline.whose],
            initial=timeline.whose[0].id,
            required=False,
            help_text=_(
                "A partner's diagnosis is the partner's event: it is not the client's own life change, "
                "though caring for them may be."
            ),
            error_messages={
                "invalid_choice": _("Choose one of the answers listed for whose event it is."),
            },
        )
        inventory = InventoryEntry.objects.filter(course=course, entered_in_error_at__isnull=True)
        self.fields["whose_person"] = RecordChoice(
            label=_("The person it happened to"),
            queryset=inventory,
            required=False,
            empty_label=_("Not in the inventory, or the client's own"),
            help_text=_("For someone else's event: who, from the inventory."),
            error_messages={"invalid_choice": _("Choose a person from this course's inventory only.")},
        )
        self.fields["people"] = RecordChoices(
            label=_("People involved"),
            # Only this course's inventory: a person from another client or course is refused.
            queryset=inventory,
            widget=forms.CheckboxSelectMultiple,
            required=False,
            error_messages={"invalid_choice": _("Choose people from this course's inventory only.")},
        )
        self.fields["mood_rating"] = forms.IntegerField(
            label=_("Mood at the time"),
            required=False,
            widget=forms.Select(
                choices=[("", _("Not rated"))]
                + [(v, mood_label(v, timeline)) for v in range(timeline.mood_max, timeline.mood_min - 1, -1)]
            ),
            help_text=_("From %(min)s (lowest) to +%(max)s (best), as the client rates it.")
            % {"min": timeline.mood_min, "max": timeline.mood_max},
        )
        spec = protocol.get()
        self.fields["problem_area_hint"] = forms.ChoiceField(
            label=_("Problem-area hint"),
            choices=[("", _("None"))]
            + [(a.id, spec.problem_area_name(a.id, course.variant)) for a in spec.problem_areas],
            required=False,
            help_text=_("A note for the formulation, not a decision."),
            error_messages={"invalid_choice": _("Choose one of the problem areas listed.")},
        )
        self.fields["event"].error_messages["required"] = _("Say what happened.")
        self.fields["start"].error_messages["required"] = _("Enter the date, or the start of the period.")

    def clean_whose(self):
        # Nothing said means the client's own, as for every event recorded before this question.
        return self.cleaned_data.get("whose") or self.scale.whose[0].id

    # What an event may say (not in the future, mood on the scale, ...) is check_event's to say.


@dataclass(frozen=True)
class Event:
    """A life event or period as a page or the API gives it; people by their inventory ids."""

    start: date
    end: date | None
    event: str
    kind: str
    whose: str = "client"
    whose_person: int | None = None
    people: list[int] = field(default_factory=list)
    mood_rating: int | None = None
    problem_area_hint: str = ""


def event_from(form: EventForm) -> Event:
    """The typed event a page's form read, or InvalidInput with the form's own messages."""
    if not form.is_valid():
        raise invalid(form)
    data = form.cleaned_data
    person = data["whose_person"]
    return Event(
        **{name: data[name] for name in ("start", "end", "event", "kind", "whose", "mood_rating")},
        whose_person=person.pk if person else None,
        people=[p.pk for p in data["people"]],
        problem_area_hint=data["problem_area_hint"],
    )


@dataclass(frozen=True)
class Checked:
    event: Event
    whose_person: InventoryEntry | None
    people: list[InventoryEntry]


def check_event(given: Event, course: Course) -> Checked:
    """The event as it will be stored, with the inventory entries it names, or InvalidInput keyed
    by its fields. People come only from this course's inventory."""
    spec = protocol.get()
    scale = spec.timeline
    problems = Problems()
    future = _("The timeline holds what has happened: this date is in the future.")
    today = timezone.localdate()
    for name in ("start", "end"):
        day = getattr(given, name)
        if day and day > today:
            problems.add(name, future)
    if given.start and given.end and given.end < given.start and "end" not in problems:
        problems.add("end", _("The end of a period cannot be before its start."))
    text = problems.text(
        "event", given.event, limit=300, required=True, required_message=_("Say what happened.")
    )
    if not given.kind:
        problems.add("kind", _("Choose the kind of event."))
    else:
        problems.choice("kind", given.kind, scale.kind_ids(), _("Choose one of the kinds of event listed."))
    whose = given.whose or scale.whose[0].id
    problems.choice(
        "whose", whose, scale.whose_ids(), _("Choose one of the answers listed for whose event it is.")
    )
    inventory = {
        e.pk: e for e in InventoryEntry.objects.filter(course=course, entered_in_error_at__isnull=True)
    }
    person = None
    if given.whose_person is not None:
        person = inventory.get(given.whose_person)
        if person is None:
            problems.add("whose_person", _("Choose a person from this course's inventory only."))
        elif whose == "client":
            problems.add(
                "whose_person",
                _("The client's own event happened to no one else: choose someone else's or leave it empty."),
            )
    if any(pk not in inventory for pk in given.people):
        problems.add("people", _("Choose people from this course's inventory only."))
    mood = given.mood_rating
    if mood is not None and not scale.mood_min <= mood <= scale.mood_max:
        problems.add(
            "mood_rating",
            _("The mood rating runs from %(min)s to %(max)s.")
            % {"min": scale.mood_min, "max": scale.mood_max},
        )
    areas = ["", *(a.id for a in spec.problem_areas)]
    problems.choice(
        "problem_area_hint", given.problem_area_hint, areas, _("Choose one of the problem areas listed.")
    )
    problems.raise_any()
    people = [inventory[pk] for pk in dict.fromkeys(given.people)]
    checked = replace(given, event=text, whose=whose, people=[p.pk for p in people])
    return Checked(checked, person, people)


def _stored(checked: Checked) -> dict:
    """The event's columns as saved (people apart: they are a many-to-many)."""
    values = {name: getattr(checked.event, name) for name in FIELDS if name not in ("people", "whose_person")}
    return {**values, "whose_person": checked.whose_person}


@dataclass
class Timeline:
    client: Client
    course: Course | None
    events: list[TimelineEvent] = field(default_factory=list)  # oldest first
    scores: list[Response] = field(default_factory=list)  # the course's PHQ-9 totals, oldest first
    onset: date | None = None  # from the formulation, once the therapist has recorded it


def timeline_for(request, client_id: int) -> Timeline:
    """The current course's timeline with what the chart sets beside it; the page's one read is
    audited."""
    client = get_client_for(request, client_id, "clinic.view_client", audit=False)
    found = Timeline(client=client, course=current_course(client))
    if found.course is not None:
        people = InventoryEntry.objects.filter(entered_in_error_at__isnull=True)
        found.events = list(
            found.course.timeline.filter(entered_in_error_at__isnull=True)
            .select_related("whose_person")
            .prefetch_related(Prefetch("people", queryset=people))
            .order_by("start", "id")
        )
        found.scores = list(
            Response.objects.filter(
                course=found.course, instrument="phq9", total__isnull=False, entered_in_error_at__isnull=True
            ).order_by("answered_at", "id")
        )
        found.onset = (
            Formulation.objects.filter(course=found.course, entered_in_error_at__isnull=True)
            .values_list("onset", flat=True)
            .first()
        )
    trail.record(
        request,
        Action.READ,
        client=client,
        detail={"object_type": "TimelineEvent", "count": len(found.events)},
    )
    return found


def get_event(
    request, client_id: int, event_id: int, perm: str = "clinic.view_client", *, audit: bool = False
):
    client = get_client_for(request, client_id, perm, audit=False)
    event = (
        TimelineEvent.objects.select_related("course")
        .filter(
            pk=event_id,
            course__client=client,
            course__entered_in_error_at__isnull=True,
            entered_in_error_at__isnull=True,
        )
        .first()
    )
    if event is None:
        deny(request, client_id=client.pk, detail={"object_type": "TimelineEvent"})
    if audit:
        trail.record(request, Action.READ, client=client, obj=event)
    return client, event


def _refuse_earlier_course(client, event) -> None:
    # An earlier course's timeline is history: it can be read, not changed.
    if event.course_id != cast(Course, current_course(client)).pk:
        raise InvalidInput(
            {"__all__": [str(_("This event belongs to an earlier course: it can be read, not changed."))]}
        )


def add_event(request, client_id: int, given: Event) -> TimelineEvent:
    client = get_client_for(request, client_id, "clinic.change_client", audit=False)
    course = current_course(client)
    if course is None:
        deny(request, client_id=client.pk, detail={"object_type": "Course"})
    checked = check_event(given, course)
    values = _stored(checked)
    with transaction.atomic():
        event = TimelineEvent.objects.create(course=course, **values)
        event.people.set(checked.people)
        recorded = [name for name in FIELDS if name != "people" and values[name] not in (None, "")]
        # `whose` always has a value; it is only news when it is someone else's.
        recorded = [name for name in recorded if name != "whose" or values[name] != "client"]
        if checked.people:
            recorded.append("people")
        trail.record(request, Action.CREATE, client=client, obj=event, detail={"fields": recorded})
    return event


def update_event(request, client_id: int, event_id: int, given: Event, version: int) -> TimelineEvent:
    """Save an edit begun at `version`; a save by someone else in between raises EditConflict."""
    client, event = get_event(request, client_id, event_id, "clinic.change_client")
    _refuse_earlier_course(client, event)
    checked = check_event(given, event.course)
    values = _stored(checked)
    # Only a real change is named in the audit.
    changed = [name for name in values if getattr(event, name) != values[name]]
    if {p.pk for p in event.people.all()} != set(checked.event.people):
        changed.insert(FIELDS.index("people"), "people")
    with transaction.atomic():
        save_versioned(TimelineEvent, event.pk, version, **values)
        event.people.set(checked.people)
        trail.record(request, Action.UPDATE, client=client, obj=event, detail={"fields": changed})
    return TimelineEvent.objects.get(pk=event.pk)


def mark_event_entered_in_error(request, client_id: int, event_id: int, given: EnteredInError) -> None:
    """Hide the event from the timeline and the chart; the record and the reason are kept."""
    client, event = get_event(request, client_id, event_id, "clinic.change_client")
    _refuse_earlier_course(client, event)
    marked = enter_in_error(request, event, given, client=client)
    if not marked:
        # Marked in another tab a moment ago: answer as for any event that is not there.
        deny(request, client_id=client.pk, detail={"object_type": "TimelineEvent"})
