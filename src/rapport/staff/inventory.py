"""The interpersonal inventory pages: the inventory of the current course with its closeness
circle, a person's entry, the notes on the inventory as a whole, and the circle as shown to
the client (names only, nothing clinical)."""

from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.clinic import inventory as inv
from rapport.clinic import rules
from rapport.clinic.courses import course_for
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput, invalid, messages_of
from rapport.common.forms import posted_version, show_refusal
from rapport.common.records import EnteredInError
from rapport.core import protocol
from rapport.drawings.circle import Person, Status, closeness_circle

# The first card of the entry form: who the person is and where they stand; the rest of the
# protocol's fields, in its order, follow in a second card.
ABOUT_THE_PERSON = (
    "person_label",
    "relationship_type",
    "closeness_ring",
    "current_status",
    "contact_frequency",
)


def _field(field_id: str):
    try:
        return protocol.get().inventory.field(field_id)
    except protocol.UnknownProtocolItem:
        return None


def _shown(entry, field_id: str) -> str:
    item = _field(field_id)
    if item is None:
        return ""
    stored = {"person_label": entry.person_label, "closeness_ring": entry.closeness_ring, **entry.values}
    return inv.shown_value(item, stored.get(field_id), protocol.get().inventory.rings)


def circle_for(entries, *, centre: str, for_client: bool):
    spec = protocol.get().inventory
    status_field = _field("current_status")
    statuses = [Status(c.id, c.text) for c in status_field.choices] if status_field else []
    names = {s.id: s.label for s in statuses}
    people = []
    for entry in entries:
        title = entry.person_label
        if not for_client and entry.closeness_ring:
            title = _("%(person)s: ring %(ring)s, %(status)s") % {
                "person": entry.person_label,
                "ring": entry.closeness_ring,
                "status": names.get(entry.values.get("current_status"), _("status not recorded")),
            }
        people.append(
            Person(entry.person_label, entry.closeness_ring, entry.values.get("current_status", ""), title)
        )
    placed = sum(1 for p in people if p.ring)
    if for_client:
        label = ngettext(
            "Your closeness circle: you are in the middle and %(placed)s person is around you; "
            "the people you feel closest to are on the inner ring.",
            "Your closeness circle: you are in the middle and %(placed)s people are around you; "
            "the people you feel closest to are on the inner ring.",
            placed,
        ) % {"placed": placed}
    else:
        label = ngettext(
            "Closeness circle: %(placed)s of %(total)s person placed on %(rings)s rings, ring 1 the "
            "closest. The table below lists the same people.",
            "Closeness circle: %(placed)s of %(total)s people placed on %(rings)s rings, ring 1 the "
            "closest. The table below lists the same people.",
            len(people),
        ) % {"placed": placed, "total": len(people), "rings": spec.rings}
    return closeness_circle(
        people,
        rings=spec.rings,
        label=label,
        centre=centre,
        statuses=statuses,
        show_status=not for_client,
        not_recorded=_("Not recorded"),
        large=for_client,
    )


def _person(entry):
    recorded, missing = inv.describe(entry)
    # "Do their expectations of each other match?" reads oddly inside a list of what is still to explore.
    return entry, recorded, [item.label.rstrip("?").lower() for item in missing]


def first_name(client) -> str:
    return client.preferred_name or (client.full_name.split() or [""])[0]


@signed_in(rules.is_clinical_staff)
@require_GET
def inventory(request, pk: int):
    found = inv.read_inventory(request, pk)
    client, course = found.client, found.course
    context = {
        "client": client,
        "course": course,
        "can_change": request.user.has_perm("clinic.change_client", client),
    }
    if course is not None:
        spec = protocol.get().inventory
        context.update(
            circle=circle_for(found.entries, centre=first_name(client), for_client=False),
            rows=[
                {
                    "entry": entry,
                    "relationship": _shown(entry, "relationship_type"),
                    "ring": _shown(entry, "closeness_ring"),
                    "status": _shown(entry, "current_status"),
                    "confiding": _shown(entry, "confiding"),
                }
                for entry in found.entries
            ],
            unplaced=[entry for entry in found.entries if not entry.closeness_ring],
            people=[_person(entry) for entry in found.entries],
            notes=[(item, course.inventory_notes.get(item.id, "")) for item in spec.whole_inventory_fields],
            rings=spec.rings,
        )
    return render(request, "staff/inventory.html", context)


@signed_in(rules.is_clinical_staff)
@require_GET
def inventory_circle(request, pk: int):
    found = inv.read_inventory(request, pk, circle=True)
    context: dict[str, Any] = {"client": found.client, "course": found.course}
    if found.course is not None:
        context["circle"] = circle_for(found.entries, centre=_("You"), for_client=True)
        context["unplaced"] = [e for e in found.entries if not e.closeness_ring]
    return render(request, "staff/inventory_circle.html", context)


def _groups(form):
    first = [form[name] for name in ABOUT_THE_PERSON if name in form.fields]
    rest = [form[name] for name in form.fields if name not in ABOUT_THE_PERSON]
    return [(_("Who they are"), first), (_("The relationship"), rest)]


# The service names the protocol's other fields "values.<id>"; the page's form names them by id.
VALUES = {f"values.{item.id}": item.id for item in protocol.get().inventory.relationship_fields}


def _entry_url(pk: int, entry_id: int) -> str:
    return reverse("inventory", args=[pk]) + f"#person-{entry_id}"


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def entry_add(request, pk: int):
    client, course = course_for(request, pk, "clinic.change_client", audit=request.method == "GET")
    if course is None:
        messages.info(request, _("Start a course before recording the inventory."))
        return redirect("course_detail", pk=pk)
    form = inv.EntryForm(request.POST or None)
    if request.method == "POST":
        try:
            entry = inv.add_entry(request, pk, inv.entry_from(form))
        except InvalidInput as exc:
            show_refusal(form, exc, VALUES)
        else:
            messages.success(
                request, _("%(person)s was added to the inventory.") % {"person": entry.person_label}
            )
            return redirect(_entry_url(pk, entry.pk))
    context = {"client": client, "course": course, "form": form, "groups": _groups(form), "entry": None}
    return render(request, "staff/inventory_entry_form.html", context)


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def entry_edit(request, pk: int, eid: int):
    client, entry = inv.get_entry(request, pk, eid, "clinic.change_client", audit=request.method == "GET")
    conflict, version = None, entry.version
    form = inv.EntryForm(initial=inv.initial_of(entry))
    if request.method == "POST":
        version = posted_version(request)
        form = inv.EntryForm(request.POST, initial=inv.initial_of(entry))
        try:
            inv.update_entry(request, pk, eid, inv.entry_from(form), version)
        except InvalidInput as exc:
            show_refusal(form, exc, VALUES)
        except EditConflict as exc:
            conflict, version = exc.current, exc.current.version
        else:
            messages.success(request, _("The entry was saved."))
            return redirect(_entry_url(pk, eid))
    context = {
        "client": client,
        "course": entry.course,
        "entry": entry,
        "form": form,
        "groups": _groups(form),
        "version": version,
        "conflict": conflict,
    }
    return render(request, "staff/inventory_entry_form.html", context)


@signed_in(rules.is_clinician)
@require_POST
def entry_entered_in_error(request, pk: int, eid: int):
    try:
        entry = inv.mark_entry_entered_in_error(
            request, pk, eid, EnteredInError(request.POST.get("reason", ""))
        )
    except InvalidInput as exc:
        messages.error(request, " ".join(messages_of(exc)))
        return redirect(_entry_url(pk, eid))
    except EditConflict:
        messages.error(request, _("This entry had already been marked as entered in error."))
        return redirect("inventory", pk=pk)
    messages.success(
        request,
        _("%(person)s was marked as entered in error. The entry and your reason are kept.")
        % {"person": entry.person_label},
    )
    return redirect("inventory", pk=pk)


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def notes_edit(request, pk: int):
    client, course = course_for(request, pk, "clinic.change_client", audit=request.method == "GET")
    if course is None:
        messages.info(request, _("Start a course before recording the inventory."))
        return redirect("course_detail", pk=pk)
    conflict, version = None, course.version
    form = inv.NotesForm(initial=inv.notes_initial(course))
    if request.method == "POST":
        version = posted_version(request)
        form = inv.NotesForm(request.POST, initial=inv.notes_initial(course))
        try:
            if not form.is_valid():
                raise invalid(form)
            inv.update_notes(request, pk, form.cleaned_data, version)
        except InvalidInput as exc:
            show_refusal(form, exc, {f"notes.{name}": name for name in form.fields})
        except EditConflict as exc:
            conflict, version = exc.current, exc.current.version
        else:
            messages.success(request, _("The notes on the inventory were saved."))
            return redirect(reverse("inventory", args=[pk]) + "#whole-inventory")
    context = {"client": client, "course": course, "form": form, "version": version, "conflict": conflict}
    return render(request, "staff/inventory_notes_form.html", context)
