"""Idle log-off and the local time zone of whoever is signed in."""

import time
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.accounts.models import Role

SESSION_KEY = "rapport_last_seen"
STARTED_KEY = "rapport_signed_in_at"
LAST_SEEN_STEP = 30  # seconds: see IdleLogoutMiddleware


def idle_limit(user) -> int:
    return (
        settings.RAPPORT_CLIENT_IDLE_SECONDS
        if user.role == Role.CLIENT
        else settings.RAPPORT_STAFF_IDLE_SECONDS
    )


class IdleLogoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            now = time.time()
            last = request.session.get(SESSION_KEY, now)
            started = request.session.setdefault(STARTED_KEY, now)
            reason = None
            if now - last > idle_limit(user):
                reason, message = "idle", _("You were signed out after a period without activity.")
            elif now - started > settings.RAPPORT_SESSION_MAX_SECONDS:
                reason, message = "session_limit", _("You were signed out: please sign in again.")
            if reason:
                request.sign_out_detail = {"reason": reason}
                logout(request)
                messages.info(request, message)
                response = redirect(settings.LOGIN_URL)
                if getattr(request, "htmx", False):
                    response["HX-Redirect"] = response["Location"]
                return response
            # Saving the session is a database write, so a page that only reads would write it
            # every time: note the activity when it moved by a thirtieth of the limit (30 s of
            # staff's 15 minutes). Idle log-off then comes at most that much early, never late.
            if now - last >= min(LAST_SEEN_STEP, idle_limit(user) / 30) or SESSION_KEY not in request.session:
                request.session[SESSION_KEY] = now
        return self.get_response(request)


class TimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            record = getattr(user, "client_record", None) if user.role == Role.CLIENT else None
            name = record.time_zone if record is not None else user.organisation.time_zone
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        return self.get_response(request)
