"""Accepting an invitation to the portal (public: the code or the link is the credential)."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rapport.clinic import invitations
from rapport.common.access import public
from rapport.common.errors import InvalidInput

WRONG_CODES_ALLOWED = 10  # wrong invitation codes one browser session may try


INVITATION_KEY = "rapport_invitation_code"


WRONG_CODES_KEY = "rapport_invitation_wrong"


def _wrong_code(request) -> None:
    request.session[WRONG_CODES_KEY] = request.session.get(WRONG_CODES_KEY, 0) + 1


def _too_many(request) -> bool:
    return request.session.get(WRONG_CODES_KEY, 0) >= WRONG_CODES_ALLOWED


@public
@require_http_methods(["GET", "POST"])
def invitation_code(request):
    """The printed code, typed in. A browser session that keeps trying wrong codes is stopped."""
    error, code = None, ""
    if request.method == "POST":
        code = request.POST.get("code", "").strip()
        if _too_many(request):
            error = "too_many"
        elif not code:
            error = "empty"
        elif invitations.find(code) is None:
            _wrong_code(request)
            error = "too_many" if _too_many(request) else "wrong"
        else:
            request.session[INVITATION_KEY] = invitations.normalise(code)
            return redirect("invitation_accept")
    context = {
        "error": error,
        "code": code,
        "left": WRONG_CODES_ALLOWED - request.session.get(WRONG_CODES_KEY, 0),
    }
    return render(request, "portal/invitation_code.html", context, status=429 if error == "too_many" else 200)


@public
@require_GET
def invitation_link(request, code: str):
    """The link from the e-mail: the code moves into the session and out of the address bar."""
    if _too_many(request):
        return render(request, "portal/invitation_invalid.html", {"too_many": True}, status=429)
    if invitations.find(code) is None:
        _wrong_code(request)
        return render(request, "portal/invitation_invalid.html", {}, status=404)
    request.session[INVITATION_KEY] = invitations.normalise(code)
    return redirect("invitation_accept")


@public
@require_http_methods(["GET", "POST"])
def invitation_accept(request):
    code = request.session.get(INVITATION_KEY)
    if not code:
        return redirect("invitation_code")
    invitation = invitations.find(code)
    if invitation is None:
        request.session.pop(INVITATION_KEY, None)
        return render(request, "portal/invitation_invalid.html", {}, status=404)
    errors, email = {}, ""
    if request.method == "POST":
        email = request.POST.get("email", "")
        try:
            user = invitations.accept(
                request, code, email, request.POST.get("password", ""), request.POST.get("password_again", "")
            )
        except InvalidInput as exc:
            errors = exc.errors
        else:
            request.session.pop(INVITATION_KEY, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to Rapport. Your account is ready."))
            return redirect("my_home")
    context = {"invitation": invitation, "email": email, "errors": errors}
    return render(request, "portal/invitation_accept.html", context)
