"""The interpersonal timeline pages: the chart with its table, adding and editing an event, and
marking one entered in error."""

from typing import cast

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.clinic import courses, rules
from rapport.clinic import timeline as service
from rapport.clinic.models import Course
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.forms import EnteredInErrorForm, posted_version, show_refusal
from rapport.common.records import EnteredInError
from rapport.core import instruments, protocol
from rapport.drawings import timeline_chart


def _when(event) -> str:
    start = date_format(event.start, "j M Y")
    # An en dash between the two ends of a period.
    return f"{start} \u2013 {date_format(event.end, 'j M Y')}" if event.end else start


def _whose(event, timeline) -> str:
    """Empty for the client's own event; otherwise whose it is, naming the person when recorded."""
    if event.whose == "client":
        return ""
    if event.whose_person:
        return _("%(name)s's event") % {"name": event.whose_person.person_label}
    return {c.id: c.text for c in timeline.whose}.get(event.whose, event.whose)


def _rows(found: service.Timeline) -> list[dict]:
    spec = protocol.get()
    kinds = {k.id: k.text for k in spec.timeline.event_kinds}
    rows = []
    for number, event in enumerate(found.events, start=1):
        hint = event.problem_area_hint
        rows.append(
            {
                "number": number,
                "event": event,
                "when": _when(event),
                "dates": [date_format(d, "j M Y") for d in (event.start, event.end) if d],
                "kind": kinds.get(event.kind, event.kind),
                "people": ", ".join(p.person_label for p in event.people.all()),
                "whose": _whose(event, spec.timeline),
                "mood": (
                    service.mood_label(event.mood_rating, spec.timeline)
                    if event.mood_rating is not None
                    else ""
                ),
                "hint": spec.problem_area_name(hint, cast(Course, found.course).variant)  # events have one
                if hint in spec.areas_by_id
                else hint,
            }
        )
    return rows


def _chart(found: service.Timeline, rows: list[dict]):
    scale = protocol.get().timeline
    phq9 = instruments.get("phq9")
    events = [
        timeline_chart.Event(
            number=row["number"],
            start=row["event"].start,
            end=row["event"].end,
            title=" · ".join(
                part
                for part in (
                    f"{row['number']}. {row['event'].event}",
                    row["when"],
                    row["kind"],
                    _("mood %s") % row["mood"] if row["mood"] else "",
                )
                if part
            ),
            mood=row["event"].mood_rating,
        )
        for row in rows
    ]
    scores = [
        timeline_chart.Score(
            on=timezone.localdate(r.answered_at),
            total=cast(int, r.total),  # the PHQ-9 is scored
            title=f"{phq9.short_title} {r.total} · {date_format(timezone.localdate(r.answered_at), 'j M Y')}",
        )
        for r in found.scores
    ]
    return timeline_chart.timeline(
        events,
        scores,
        mood_min=scale.mood_min,
        mood_max=scale.mood_max,
        score_label=phq9.short_title,
        score_max=cast(int, phq9.scoring.max),
        label=_(
            "Mood over time through %(events)s life events, beside %(scores)s %(measure)s totals. "
            "The table below holds the same facts."
        )
        % {"events": len(events), "scores": len(scores), "measure": phq9.short_title},
        onset=found.onset,
        onset_label=_("Onset"),
        mood_title=_("Mood"),
        empty_text=_("Nothing recorded yet"),
    )


@signed_in(rules.is_clinical_staff)
@require_GET
def timeline(request, pk: int):
    found = service.timeline_for(request, pk)
    rows = _rows(found) if found.course else []
    context = {
        "client": found.client,
        "course": found.course,
        "rows": rows,
        "scores": found.scores,
        "onset": found.onset,
        "scale": protocol.get().timeline,
        "measure": instruments.get("phq9"),
        "chart": _chart(found, rows) if rows or found.scores else None,
        "can_change": request.user.has_perm("clinic.change_client", found.client),
    }
    return render(request, "staff/timeline.html", context)


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def event_add(request, pk: int):
    client, course = courses.course_for(request, pk, "clinic.change_client", audit=request.method == "GET")
    if course is None:
        return redirect("timeline", pk=pk)
    form = service.EventForm(request.POST or None, course=course)
    if request.method == "POST":
        try:
            service.add_event(request, pk, service.event_from(form))
        except InvalidInput as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The event was added to the timeline."))
            return redirect("timeline", pk=pk)
    context = {"client": client, "course": course, "form": form, "event": None}
    return render(request, "staff/timeline_event_form.html", context)


def _edit_page(request, client, event, **context):
    context.setdefault("form", service.EventForm(instance=event, course=event.course))
    context.setdefault("version", event.version)
    context.setdefault("error_form", EnteredInErrorForm())
    context.update(client=client, course=event.course, event=event)
    return render(request, "staff/timeline_event_form.html", context)


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def event_edit(request, pk: int, eid: int):
    client, event = service.get_event(request, pk, eid, "clinic.change_client", audit=request.method == "GET")
    if request.method == "GET":
        return _edit_page(request, client, event)
    version, conflict = posted_version(request), None
    form = service.EventForm(request.POST, instance=event, course=event.course)
    try:
        service.update_event(request, pk, eid, service.event_from(form), version)
    except (InvalidInput, EditConflict) as exc:
        if isinstance(exc, EditConflict):
            conflict, version = exc.current, exc.current.version
        else:
            show_refusal(form, exc)
        return _edit_page(request, client, event, form=form, version=version, conflict=conflict)
    messages.success(request, _("The event was saved."))
    return redirect("timeline", pk=pk)


@signed_in(rules.is_clinician)
@require_POST
def event_entered_in_error(request, pk: int, eid: int):
    error_form = EnteredInErrorForm(request.POST)
    try:
        if not error_form.is_valid():
            raise InvalidInput({})
        reason = EnteredInError(error_form.cleaned_data["reason"])
        service.mark_event_entered_in_error(request, pk, eid, reason)
    except InvalidInput as exc:
        show_refusal(error_form, exc)
        client, event = service.get_event(request, pk, eid, "clinic.change_client")
        return _edit_page(request, client, event, error_form=error_form)
    messages.success(request, _("The event was marked as entered in error and is no longer shown."))
    return redirect("timeline", pk=pk)
