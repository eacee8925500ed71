"""The decorators every page wears. Each one tags the view with its access rule, and the
access-matrix test fails for any route whose view carries no tag.

Who may reach a page is a named predicate of `rapport.clinic.rules` passed in by the view
(`@signed_in(rules.is_clinical_staff)`): this module sits below clinic and never imports it."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django_otp import user_has_device


def public(view):
    """Open to anyone, signed in or not (sign-in, password reset, health)."""
    view.access_rule = "public"
    return view


def has_confirmed_device(user) -> bool:
    """Whether this person has set up two-factor sign-in. Every page asks it twice (the access
    check and the menu), so the answer is kept on the request's user object: one query a page."""
    known = getattr(user, "_has_confirmed_device", None)
    if known is None:
        known = user._has_confirmed_device = user_has_device(user, confirmed=True)
    return known


def two_factor_step(user) -> str | None:
    """What a signed-in person must still do about two-factor sign-in before reaching records:
    "verify" (anyone who has set it up confirms a code; optional for clients), "setup" (staff,
    where the clinic requires it) or None. Pages and the API both ask this, and only this."""
    if user.is_verified():
        return None
    if has_confirmed_device(user):
        return "verify"
    if user.is_staff_role and settings.RAPPORT_REQUIRE_STAFF_2FA:
        return "setup"
    return None


def two_factor_redirect(request):
    """Where a person must go before reaching any page with records, or None."""
    step = two_factor_step(request.user)
    if step == "verify":
        return redirect_to_login(request.get_full_path(), "two_factor_verify")
    if step == "setup":
        return redirect("two_factor_setup")
    return None


def signed_in(rule: Callable | None = None, *, two_factor: bool = True):
    """Signed-in people for whom `rule` (a predicate on the user) holds; anyone signed in when
    there is none.

    Staff who have two-factor set up, or must have it, confirm a one-time password first.
    """

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if two_factor and (response := two_factor_redirect(request)) is not None:
                return response
            if rule is not None and not rule(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        name = getattr(rule, "name", None) or getattr(rule, "__name__", "any") if rule else "any"
        wrapped.access_rule = "signed_in:" + name
        return wrapped

    return decorate
