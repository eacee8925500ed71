"""The client's appointments: confirm, ask to reschedule from the therapist's free times, cancel,
join a video session; their reminder choices; what they consented to. Also the public one-time
check-in link and the calendar feed, where the token is the credential."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.clinic import portal, rules
from rapport.clinic.measurement import current_course
from rapport.common.access import public, signed_in
from rapport.common.errors import EditConflict, InvalidInput
from rapport.common.forms import posted_version
from rapport.scheduling import booking, calendar, links, missed_sessions, reminders, video
from rapport.scheduling.middleware import SCOPE
from rapport.scheduling.models import HOLDING, Consent, ReminderChoice


@signed_in(rules.is_client_user)
@require_GET
def my_appointments(request):
    client = portal.my_record(request)
    now = timezone.now()
    rows = []
    for appt in booking.upcoming_for_client(client, now):
        is_open = appt.status in HOLDING and appt.starts_at > now
        policy = missed_sessions.policy_of(appt.course)
        rows.append(
            {
                "appt": appt,
                "open": is_open,
                "join": video.join_url(appt) if video.can_join(appt, now) else "",
                # Said before the client presses Cancel, in plain words, once it would be late.
                "late": missed_sessions.late_warning(policy)
                if is_open and missed_sessions.is_late(appt, now, policy)
                else "",
            }
        )
    course = current_course(client)
    context = {
        "client": client,
        "rows": rows,
        "choice": ReminderChoice.objects.filter(client=client).first() or ReminderChoice(client=client),
        "consents": Consent.objects.filter(client=client),
        "feed": calendar.current_feed(client=client),
        "policy": getattr(course, "missed_session_policy", ""),
        "policy_words": missed_sessions.in_plain_words(
            missed_sessions.policy_of(course), getattr(course, "planned_sessions", None)
        ),
    }
    return render(request, "portal/appointments.html", context)


def _act(request, action, aid):
    try:
        action(request, aid, posted_version(request))
    except InvalidInput as exc:
        for errors in exc.errors.values():
            for message in errors:
                messages.error(request, message)
    except EditConflict:
        messages.error(
            request, _("This appointment changed in the meantime: nothing was changed. Look again.")
        )
    else:
        messages.success(request, _("Done. Your therapist has been told."))
    return redirect("portal_appointments")


@signed_in(rules.is_client_user)
@require_POST
def my_appointment_confirm(request, aid: int):
    return _act(request, booking.confirm, aid)


@signed_in(rules.is_client_user)
@require_POST
def my_appointment_cancel(request, aid: int):
    return _act(request, booking.cancel, aid)


@signed_in(rules.is_client_user)
@require_http_methods(["GET", "POST"])
def my_appointment_reschedule(request, aid: int):
    client, appt = booking._mine(request, aid)
    errors = {}
    if request.method == "POST":
        try:
            booking.ask_reschedule(request, aid, posted_version(request), request.POST.get("choice", ""))
        except InvalidInput as exc:
            errors = exc.errors
        except EditConflict:
            errors = {"choice": [_("This appointment changed in the meantime: nothing was changed.")]}
        else:
            messages.success(request, _("Your request is sent. Your therapist will confirm the new time."))
            return redirect("portal_appointments")
    times = [(t.isoformat(), timezone.localtime(t)) for t in booking.free_times(appt)]
    context = {"client": client, "appt": appt, "times": times, "errors": errors}
    return render(request, "portal/appointment_reschedule.html", context)


@signed_in(rules.is_client_user)
@require_POST
def my_calendar_feed(request):
    """A new address of the client's own feed (the old one stops), shown once; or stop it."""
    client = portal.my_record(request)
    if request.POST.get("action") == "stop":
        calendar.revoke_feeds(client=client)
        messages.success(request, _("Your calendar address no longer works."))
        return redirect("portal_appointments")
    _feed, token = calendar.issue_feed(client=client)
    address = settings.RAPPORT_BASE_URL.rstrip("/") + reverse("calendar_feed", args=[token])
    messages.success(
        request,
        _("Your calendar address (copy it now; it is shown only once): %(address)s") % {"address": address},
    )
    return redirect("portal_appointments")


@signed_in(rules.is_client_user)
@require_POST
def my_reminders(request):
    client = portal.my_record(request)
    try:
        reminders.choose(
            request,
            client,
            by_email=request.POST.get("by_email") == "on",
            by_sms=request.POST.get("by_sms") == "on",
            phone=request.POST.get("phone", ""),
            stopped=request.POST.get("stopped") == "on",
        )
    except InvalidInput as exc:
        for errors in exc.errors.values():
            for message in errors:
                messages.error(request, message)
    else:
        messages.success(request, _("Your reminder choices are saved."))
    return redirect("portal_appointments")


REFUSALS = {
    "unknown": _("This link is not valid."),
    "used": _("This link has already been used."),
    "expired": _("This link has expired."),
    "inactive": _("This link can no longer be used."),
    "other_account": _("This link is for someone else's check-in; you stay signed in as you are."),
}


@public
@require_http_methods(["GET", "POST"])
def check_in_link(request, token: str):
    """GET only shows a button (mail scanners that open links must not spend it); POST signs the
    client in, once, and opens that check-in."""
    try:
        if request.method == "POST":
            link = links.use(token, request.user)
            user = link.client.user
            if not request.user.is_authenticated:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                # Only this check-in: anything else ends the session (scheduling.middleware).
                request.session[SCOPE] = link.instrument
            return redirect("my_check_in", instrument=link.instrument)
        links.peek(token)
    except links.LinkRefused as exc:
        return render(request, "portal/check_in_link.html", {"refused": REFUSALS[exc.reason]}, status=410)
    return render(request, "portal/check_in_link.html", {"refused": ""})


@public
@require_GET
def calendar_feed(request, token: str):
    body = calendar.feed_body(token)
    if body is None:
        raise Http404("No such feed")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
