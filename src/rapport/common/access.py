"""The decorators every page wears. Each one tags the view with its access rule, and the
access-matrix test fails for any route whose view carries no tag."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django_otp import user_has_device

from rapport.common.roles import Role


def public(view):
    """Open to anyone, signed in or not (sign-in, password reset, health)."""
    view.access_rule = "public"
    return view


def two_factor_redirect(request):
    """Where a person must go before reaching any page with records, or None: anyone who has set
    up two-factor sign-in (optional for clients) confirms a code; staff set it up where required."""
    user = request.user
    if user.is_verified():
        return None
    if user_has_device(user, confirmed=True):
        return redirect_to_login(request.get_full_path(), "two_factor_verify")
    if user.is_staff_role and settings.RAPPORT_REQUIRE_STAFF_2FA:
        return redirect("two_factor_setup")
    return None


def signed_in(*roles: Role, two_factor: bool = True):
    """Signed-in people of the given roles (all roles when none are named).

    Staff who have two-factor set up, or must have it, confirm a one-time password first.
    """

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if two_factor and (response := two_factor_redirect(request)) is not None:
                return response
            if roles and request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access_rule = "signed_in:" + (",".join(roles) if roles else "any")
        return wrapped

    return decorate


staff = (Role.CLINICIAN, Role.SUPERVISOR, Role.ADMINISTRATOR)
clinical_staff = (Role.CLINICIAN, Role.SUPERVISOR)
