"""The interpersonal inventory of a course (spec 1.4): one entry per important person, and the
notes on the inventory as a whole. The fields, their choices and the number of rings of the
closeness circle come from the protocol data (rapport.core.protocol), never from code.

Reading needs clinic.view_client (the clinicians who see the client, the team's supervisors);
changing needs clinic.change_client. Every change refuses a stale edit and is audited with the
names of the fields it touched, never their values.

The services take typed values (an `Entry`, the notes as a dict) and check them here, so that a
page and the API meet the same rules with the same messages; the forms only read what a page posts.
"""

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic.courses import course_for
from rapport.clinic.models import Client, Course, InventoryEntry
from rapport.common.checks import Problems
from rapport.common.errors import EditConflict, invalid
from rapport.common.records import EnteredInError, deny, enter_in_error, save_versioned
from rapport.core import protocol
from rapport.core.protocol.model import InventoryField

TEXT_LIMIT = 4000  # per field: room for a paragraph, not for a pasted document
YES, NO = "yes", "no"


def ring_label(ring: int, rings: int) -> str:
    if ring == 1:
        return _("%(ring)s (closest)") % {"ring": ring}
    if ring == rings:
        return _("%(ring)s (least close)") % {"ring": ring}
    return str(ring)


def _form_field(item: InventoryField, rings: int) -> forms.Field:
    common: dict[str, Any] = {"label": item.label, "help_text": item.description, "required": item.required}
    if item.type == "boolean":
        choices: list[tuple[str, Any]] = [
            ("", gettext_lazy("Not known")),
            (YES, gettext_lazy("Yes")),
            (NO, gettext_lazy("No")),
        ]
        return forms.ChoiceField(choices=choices, **common)
    if item.type == "choice":
        empty = [("", gettext_lazy("Not recorded"))]
        return forms.ChoiceField(choices=empty + [(c.id, c.text) for c in item.choices], **common)
    if item.type == "ring":
        choices = [("", gettext_lazy("Not on the circle"))] + [
            (str(ring), ring_label(ring, rings)) for ring in range(1, rings + 1)
        ]
        return forms.TypedChoiceField(choices=choices, coerce=int, empty_value=None, **common)
    if item.id == "person_label":
        field = forms.CharField(
            max_length=InventoryEntry._meta.get_field("person_label").max_length, **common
        )
        field.error_messages["required"] = gettext_lazy("Enter a name or a role for this person.")
        return field
    return forms.CharField(max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2}), **common)


class EntryForm(forms.Form):
    """One person of the inventory, with the protocol's relationship fields in its order."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        spec = protocol.get().inventory
        for item in spec.relationship_fields:
            self.fields[item.id] = _form_field(item, spec.rings)


class NotesForm(forms.Form):
    """The notes on the inventory as a whole: past patterns, social support and the like."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in protocol.get().inventory.whole_inventory_fields:
            self.fields[item.id] = forms.CharField(
                label=item.label,
                help_text=item.description,
                required=False,
                max_length=TEXT_LIMIT,
                widget=forms.Textarea(attrs={"rows": 3}),
            )


# Stored form: person_label and closeness_ring in their columns, every other field by id in
# `values`; an unanswered field is left out rather than stored empty.
COLUMNS = ("person_label", "closeness_ring")


def initial_of(entry: InventoryEntry) -> dict:
    initial: dict = {"person_label": entry.person_label, "closeness_ring": entry.closeness_ring}
    for key, value in entry.values.items():
        initial[key] = {True: YES, False: NO}.get(value, value) if isinstance(value, bool) else value
    return initial


@dataclass(frozen=True)
class Entry:
    """One person as a page or the API gives it: the protocol's other relationship fields by id
    in `values` (yes/no fields as True or False; a field left out is not known)."""

    person_label: str
    closeness_ring: int | None = None
    values: dict[str, str | bool | None] = field(default_factory=dict)


def entry_from(form: EntryForm) -> Entry:
    """The typed entry a page's form read, or InvalidInput with the form's own messages."""
    if not form.is_valid():
        raise invalid(form)
    data = form.cleaned_data
    values: dict[str, str | bool | None] = {}
    for item in protocol.get().inventory.relationship_fields:
        value = data.get(item.id)
        if item.id in COLUMNS or value in (None, ""):
            continue
        values[item.id] = (value == YES) if item.type == "boolean" else value
    return Entry(person_label=data["person_label"], closeness_ring=data["closeness_ring"], values=values)


def value_fields() -> dict[str, InventoryField]:
    """The protocol's relationship fields kept in an entry's `values`, by id."""
    return {f.id: f for f in protocol.get().inventory.relationship_fields if f.id not in COLUMNS}


def check_entry(given: Entry) -> Entry:
    """The entry as it will be stored (text trimmed, fields not known left out), or InvalidInput
    keyed by its fields ("values.<id>" for the protocol's other fields)."""
    spec = protocol.get().inventory
    problems = Problems()
    label_limit = InventoryEntry._meta.get_field("person_label").max_length
    label = problems.text(
        "person_label",
        given.person_label,
        limit=label_limit,
        required=True,
        required_message=_("Enter a name or a role for this person."),
    )
    ring = given.closeness_ring
    if ring is not None and not 1 <= ring <= spec.rings:
        problems.choice("closeness_ring", str(ring), [])
    fields = value_fields()
    values: dict[str, str | bool] = {}
    for key, value in given.values.items():
        where, item = f"values.{key}", fields.get(key)
        if item is None:
            problems.add(where, _("The protocol's inventory has no such field."))
        elif value is None or value == "":
            continue
        elif item.type == "boolean":
            if isinstance(value, bool):
                values[key] = value
            else:
                problems.choice(where, value, [])
        elif isinstance(value, bool):
            problems.add(where, _("Give text here, not true or false."))
        elif item.type == "choice":
            values[key] = problems.choice(where, value, [c.id for c in item.choices])
        else:
            values[key] = problems.text(where, value, limit=TEXT_LIMIT)
    for key, item in fields.items():
        if item.required and key not in values and f"values.{key}" not in problems:
            problems.add(f"values.{key}", forms.Field.default_error_messages["required"])
    problems.raise_any()
    return Entry(person_label=label, closeness_ring=ring, values={k: v for k, v in values.items() if v != ""})


def check_notes(notes: dict[str, str]) -> dict[str, str]:
    """The whole-inventory notes as stored (trimmed, empty ones left out), or InvalidInput keyed
    "notes.<id>"."""
    known = {item.id for item in protocol.get().inventory.whole_inventory_fields}
    problems, kept = Problems(), {}
    for key, value in notes.items():
        if key not in known:
            problems.add(f"notes.{key}", _("The protocol's inventory notes have no such field."))
            continue
        text = problems.text(f"notes.{key}", value, limit=TEXT_LIMIT)
        if text:
            kept[key] = text
    problems.raise_any()
    return kept


def _unknown_values(entry: InventoryEntry) -> dict:
    """Values of fields the protocol no longer lists: kept, so that a data update loses nothing."""
    known = {item.id for item in protocol.get().inventory.relationship_fields}
    return {key: value for key, value in entry.values.items() if key not in known}


# Reading


@dataclass
class ClientInventory:
    client: Client
    course: Course | None
    entries: list[InventoryEntry]


def current_entries(course: Course | None) -> list[InventoryEntry]:
    if course is None:
        return []
    return list(course.inventory.filter(entered_in_error_at__isnull=True))


def read_inventory(request, client_id: int, *, circle: bool = False) -> ClientInventory:
    """The inventory of the client's current course; the read is audited once, as a read of the
    inventory or of the closeness circle drawn from it (which shows less)."""
    client, course = course_for(request, client_id, audit=False)
    entries = current_entries(course)
    trail.record(
        request,
        Action.READ,
        client=client,
        obj=course,
        object_type="ClosenessCircle" if circle else "Inventory",
        detail={"count": len(entries)},
    )
    return ClientInventory(client, course, entries)


def get_entry(
    request, client_id: int, entry_id: int, perm: str = "clinic.view_client", *, audit: bool = False
) -> tuple[Client, InventoryEntry]:
    """An entry of the client's current course, so that an edit cannot land on another course."""
    client, course = course_for(request, client_id, perm, audit=False)
    entry = None
    if course is not None:
        entry = (
            InventoryEntry.objects.select_related("course")
            .filter(pk=entry_id, course=course, entered_in_error_at__isnull=True)
            .first()
        )
    if entry is None:
        deny(request, client_id=client.pk, detail={"object_type": "InventoryEntry"})
    if audit:
        trail.record(request, Action.READ, client=client, obj=entry)
    return client, entry


def _current_course_for_change(request, client_id: int) -> tuple[Client, Course]:
    client, course = course_for(request, client_id, "clinic.change_client", audit=False)
    if course is None:
        deny(request, client_id=client.pk, detail={"object_type": "Course"})
    return client, course


# Changing


def _stored_of(entry: InventoryEntry) -> dict:
    return {"person_label": entry.person_label, "closeness_ring": entry.closeness_ring, **entry.values}


def add_entry(request, client_id: int, given: Entry) -> InventoryEntry:
    client, course = _current_course_for_change(request, client_id)
    checked = check_entry(given)
    with transaction.atomic():
        entry = InventoryEntry.objects.create(
            course=course,
            person_label=checked.person_label,
            closeness_ring=checked.closeness_ring,
            values=checked.values,
        )
        stored = _stored_of(entry)
        recorded = [
            item.id
            for item in protocol.get().inventory.relationship_fields
            if stored.get(item.id) not in (None, "")
        ]
        trail.record(request, Action.CREATE, client=client, obj=entry, detail={"fields": recorded})
    return entry


def update_entry(request, client_id: int, entry_id: int, given: Entry, version: int) -> InventoryEntry:
    """Save an edit begun at `version`; a save by someone else in between raises EditConflict."""
    client, entry = get_entry(request, client_id, entry_id, "clinic.change_client")
    checked = check_entry(given)
    values = {**_unknown_values(entry), **checked.values}
    before = _stored_of(entry)
    after = {"person_label": checked.person_label, "closeness_ring": checked.closeness_ring, **values}
    changed = [
        item.id
        for item in protocol.get().inventory.relationship_fields
        if before.get(item.id) != after.get(item.id)
    ]
    with transaction.atomic():
        save_versioned(
            InventoryEntry,
            entry.pk,
            version,
            person_label=checked.person_label,
            closeness_ring=checked.closeness_ring,
            values=values,
        )
        trail.record(request, Action.UPDATE, client=client, obj=entry, detail={"fields": changed})
    return InventoryEntry.objects.get(pk=entry.pk)


def mark_entry_entered_in_error(
    request, client_id: int, entry_id: int, given: EnteredInError
) -> InventoryEntry:
    """Hide an entry that should never have been written; the entry and the reason are kept."""
    client, entry = get_entry(request, client_id, entry_id, "clinic.change_client")
    if not enter_in_error(request, entry, given, client=client):
        raise EditConflict(InventoryEntry.objects.get(pk=entry.pk))
    return InventoryEntry.objects.get(pk=entry.pk)


def notes_initial(course: Course) -> dict:
    return dict(course.inventory_notes)


def update_notes(request, client_id: int, notes: dict[str, str], version: int) -> Course:
    """Save the whole-inventory notes (each one left out is cleared); they share the course's
    version with the contract."""
    client, course = _current_course_for_change(request, client_id)
    checked = check_notes(notes)
    known = {item.id for item in protocol.get().inventory.whole_inventory_fields}
    kept = {key: value for key, value in course.inventory_notes.items() if key not in known}
    changed = [
        item.id
        for item in protocol.get().inventory.whole_inventory_fields
        if course.inventory_notes.get(item.id, "") != checked.get(item.id, "")
    ]
    with transaction.atomic():
        save_versioned(Course, course.pk, version, inventory_notes={**kept, **checked})
        trail.record(
            request,
            Action.UPDATE,
            client=client,
            obj=course,
            detail={"part": "inventory_notes", "fields": changed},
        )
    return Course.objects.get(pk=course.pk)


# Showing


def shown_value(item: InventoryField, value, rings: int) -> str:
    """A stored value as a person reads it: the choice's label, yes or no, the ring."""
    if value is None or value == "":
        return ""
    if item.type == "boolean":
        return _("Yes") if value else _("No")
    if item.type == "choice":
        return next((c.text for c in item.choices if c.id == value), str(value))
    if item.type == "ring":
        return ring_label(int(value), rings)
    return str(value)


def describe(entry: InventoryEntry) -> tuple[list[tuple[InventoryField, str]], list[InventoryField]]:
    """The fields recorded for this person, in the protocol's order, and those not yet recorded."""
    spec = protocol.get().inventory
    stored = {"person_label": entry.person_label, "closeness_ring": entry.closeness_ring, **entry.values}
    recorded, missing = [], []
    for item in spec.relationship_fields:
        if item.id == "person_label":
            continue
        text = shown_value(item, stored.get(item.id), spec.rings)
        if text:
            recorded.append((item, text))
        else:
            missing.append(item)
    return recorded, missing
