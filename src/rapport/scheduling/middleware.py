"""A sign-in made by a one-time link reaches only its own check-in. Any other address ends that
narrow session and sends the person to the usual sign-in."""

from django.contrib.auth import logout
from django.shortcuts import redirect

SCOPE = "check_in_link_scope"  # session key: the instrument the link opened
ALLOWED_ALWAYS = ("/static/", "/sign-out/", "/session/keep-alive/", "/check-in-link/")


def allowed(path: str, instrument: str) -> bool:
    return path.startswith(ALLOWED_ALWAYS) or path.startswith(
        (f"/my/check-ins/{instrument}/", "/my/check-ins/result/")
    )


class CheckInLinkScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        instrument = request.session.get(SCOPE) if hasattr(request, "session") else None
        if instrument and not allowed(request.path, instrument):
            logout(request)
            return redirect("login")
        return self.get_response(request)
