""" "Since we last met": the client's preparation for the next session, autosaved."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rapport.clinic import measurement, portal, rules
from rapport.clinic.models import (
    MoodChange,
    Preparation,
)
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.forms import posted_version
from rapport.portal.shared import crisis_context, open_free_text_alert


def _prep_values(prep) -> dict:
    if prep is None:
        return {name: "" for name in Preparation.TEXT_FIELDS} | {"mood_change": ""}
    values = {name: getattr(prep, name) for name in Preparation.TEXT_FIELDS}
    values["mood_change"] = "" if prep.mood_change is None else str(prep.mood_change)
    return values


def _autosaved_key(prep_id) -> str:
    return f"rapport_prep_autosaved_{prep_id}"


@signed_in(rules.is_client_user)
@require_http_methods(["GET", "POST"])
def my_preparation(request):
    """Notes for the next session. An htmx request on every change keeps them as the client
    types; the Save and Send buttons are ordinary form posts, so it works without script."""
    client = portal.my_record(request)
    course = measurement.current_course(client)
    # Opening the page reads the saved notes; a save writes its own row.
    prep = (
        portal.read_preparation(request, client, course)
        if request.method == "GET"
        else portal.current_preparation(client, course)
    )
    values, version = _prep_values(prep), prep.version if prep else 0
    errors, conflict, saved, saved_now = {}, False, None, None
    if request.method == "POST":
        data = {name: request.POST.get(name, "") for name in (*Preparation.TEXT_FIELDS, "mood_change")}
        version = posted_version(request)
        share = request.POST.get("action") == "share"
        try:
            try:
                saved = portal.save_preparation(request, data, version, share=share)
            except EditConflict:
                # The only change since this page was loaded was this browser's own autosave,
                # which raced the button: that is not somebody else's edit, so save over it.
                current = portal.current_preparation(client, course)
                if (
                    request.htmx
                    or current is None
                    or request.session.get(_autosaved_key(current.pk)) != (current.version)
                ):
                    raise
                saved = portal.save_preparation(request, data, current.version, share=share)
        except InvalidInput as exc:
            errors, values = exc.errors, data
        except EditConflict:
            conflict, values = True, data
            current = portal.current_preparation(client, course)
            if not request.htmx:
                # The next press of Save keeps what is on the screen, knowingly.
                version = current.version if current else 0
                prep = saved_now = current
        else:
            if request.htmx:
                request.session[_autosaved_key(saved.pk)] = saved.version
                context = {"version": saved.version, "saved_at": saved.updated_at, "prep": saved}
                context["support"] = open_free_text_alert(client, saved)
                return render(request, "portal/_preparation_status.html", context)
            request.session.pop(_autosaved_key(saved.pk), None)
            if share:
                messages.success(
                    request,
                    _(
                        "Sent to your clinician. They will see your notes before your next session, "
                        "but may not read them straight away."
                    ),
                )
            else:
                messages.success(request, _("Your notes are saved."))
            return redirect("my_preparation")
        if request.htmx:
            context = {"version": version, "errors": errors, "conflict": conflict}
            return render(request, "portal/_preparation_status.html", context)
    context = {
        "client": client,
        "course": course,
        "prep": prep,
        "values": values,
        "version": version,
        "errors": errors,
        "conflict": conflict,
        "moods": MoodChange.choices,
        "support": open_free_text_alert(client, prep),
        "fields": [
            (name, Preparation._meta.get_field(name).verbose_name, values.get(name, ""), errors.get(name, []))
            for name in Preparation.TEXT_FIELDS
        ],
        "saved_now": saved_now,
        "saved_fields": [
            (name, Preparation._meta.get_field(name).verbose_name, getattr(saved_now, name))
            for name in Preparation.TEXT_FIELDS
        ]
        if saved_now is not None
        else [],
        **(crisis_context(client, tier="T1", with_plan=False) if prep is not None else {}),
    }
    return render(request, "portal/preparation.html", context)
