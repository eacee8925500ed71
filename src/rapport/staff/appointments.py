"""Clinicians' appointment pages: the client's appointments (book one, book the contract's weekly
series, change one, record consent), and the clinician's own schedule (working hours, absences,
calendar feed address)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rapport.clinic import rules
from rapport.clinic.measurement import current_course
from rapport.common.access import signed_in
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.forms import posted_version, show_refusal
from rapport.scheduling import booking, calendar, consents, missed_sessions, schedule, video
from rapport.scheduling.models import ConsentKind


def _initial(client):
    course = current_course(client)
    return {
        "time_zone": client.time_zone,
        "minutes": course.session_minutes if course and course.session_minutes else booking.DEFAULT_MINUTES,
        "count": booking.series_count(client),
        "format": "in_person",
    }


@signed_in(rules.is_clinical_staff)
@require_http_methods(["GET", "POST"])
def appointments(request, pk: int):
    errors: dict = {}
    form_kind = request.POST.get("form", "")
    if request.method == "POST":
        try:
            if form_kind == "series":
                form = booking.SeriesForm(request.POST)
                done = booking.book_series(request, pk, booking.slot_from(form), form.cleaned_data["count"])
            elif form_kind == "consent":
                consents.record(request, pk, consents.consent_from(consents.ConsentForm(request.POST)))
                messages.success(request, _("Consent recorded."))
                return redirect("appointments", pk=pk)
            else:
                done = booking.book(request, pk, booking.slot_from(booking.AppointmentForm(request.POST)))
        except InvalidInput as exc:
            errors = exc.errors
        else:
            messages.success(request, _("%(n)s appointment(s) booked.") % {"n": len(done.appointments)})
            for warning in done.warnings:
                messages.warning(request, warning)
            return redirect("appointments", pk=pk)
    client, found = booking.appointments_of(request, pk)
    _client, given = consents.consents_of(request, pk, audit=False)  # one read row for the page
    now = timezone.now()
    course = current_course(client)
    context = {
        "client": client,
        "course": course,
        "usage": missed_sessions.usage(course) if course else None,
        "rows": [
            {"appt": a, "join": video.join_url(a, moderator=True) if video.can_join(a, now) else ""}
            for a in found
        ],
        "book": booking.AppointmentForm(
            request.POST if form_kind == "one" else None, initial=_initial(client)
        ),
        "series": booking.SeriesForm(
            request.POST if form_kind == "series" else None, initial=_initial(client), auto_id="series_%s"
        ),
        "consent_form": consents.ConsentForm(
            request.POST if form_kind == "consent" else None,
            auto_id="consent_%s",
            initial={"given_on": timezone.localdate(), "wording_version": "1", "kind": ConsentKind.TREATMENT},
        ),
        "consents": given,
        "errors": errors,
        "form_kind": form_kind,
        "can_change": request.user.has_perm("clinic.change_client", client),
    }
    return render(request, "staff/appointments.html", context)


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def appointment_edit(request, pk: int, aid: int):
    client, appt = booking.get_appointment(request, pk, aid, "clinic.change_client")
    form = booking.RescheduleForm(
        request.POST or None,
        initial={
            "day": appt.local_date,
            "at": appt.local_time,
            "time_zone": appt.time_zone,
            "minutes": appt.minutes,
            "format": appt.format,
            "place": appt.place,
            "status": appt.status,
        },
    )
    conflict = False
    if request.method == "POST":
        try:
            slot = booking.slot_from(form)
            status = form.cleaned_data["status"]
            done = booking.update(request, pk, aid, slot, status, posted_version(request))
        except InvalidInput as exc:
            show_refusal(form, exc)
        except EditConflict:
            conflict = True
        else:
            messages.success(request, _("The appointment is changed; the client has been told."))
            for warning in done.warnings:
                messages.warning(request, warning)
            return redirect("appointments", pk=pk)
    context = {"client": client, "appt": appt, "form": form, "conflict": conflict}
    return render(request, "staff/appointment_edit.html", context)


@signed_in(rules.is_clinician)
@require_POST
def appointment_accept(request, pk: int, aid: int):
    """One click: the appointment moves to the time the client asked for, if it is still free."""
    try:
        booking.accept_reschedule(request, pk, aid, posted_version(request))
    except InvalidInput as exc:
        for problems in exc.errors.values():
            for problem in problems:
                messages.error(request, problem)
        return redirect("appointment_edit", pk=pk, aid=aid)
    except EditConflict:
        messages.error(request, _("Someone changed this appointment meanwhile; here it is as it is now."))
        return redirect("appointment_edit", pk=pk, aid=aid)
    messages.success(
        request, _("The appointment is moved to the time the client asked for; they have been told.")
    )
    return redirect("appointments", pk=pk)


@signed_in(rules.is_clinician)
@require_POST
def consent_withdraw(request, pk: int, cid: int):
    try:
        consents.withdraw(request, pk, cid)
    except InvalidInput as exc:
        for problems in exc.errors.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(request, _("The consent is marked withdrawn."))
    return redirect("appointments", pk=pk)


@signed_in(rules.is_clinician)
@require_http_methods(["GET", "POST"])
def my_schedule(request):
    errors: dict = {}
    token = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "hours":
                schedule.add_hours(request, request.POST)
            elif action == "remove_hours":
                schedule.remove_hours(request, request.POST.get("id", ""))
            elif action == "absence":
                schedule.add_absence(request, request.POST)
            elif action == "feed":
                _feed, token = calendar.issue_feed(
                    clinician=request.user, show_names=request.POST.get("show_names") == "on"
                )
            elif action == "revoke":
                calendar.revoke_feeds(clinician=request.user)
                messages.success(request, _("The feed address no longer works."))
        except InvalidInput as exc:
            errors = exc.errors
        else:
            if not token:
                return redirect("my_schedule")
    context = {
        **schedule.of(request.user),
        "feed": calendar.current_feed(clinician=request.user),
        "feed_url": settings.RAPPORT_BASE_URL.rstrip("/") + reverse("calendar_feed", args=[token])
        if token
        else "",
        "errors": errors,
        "weekdays": schedule.WEEKDAYS,
    }
    return render(request, "staff/my_schedule.html", context)
