"""Sign-in with an optional (in production, required) one-time password for staff."""

from base64 import b32encode
from functools import wraps

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from rapport.accounts.forms import SignInForm, TokenForm
from rapport.accounts.models import Role
from rapport.audit import trail
from rapport.audit.models import Action, Outcome
from rapport.common.access import public, signed_in

PENDING_KEY = "rapport_pending_totp_key"


def _safe_next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


sign_in = public(
    auth_views.LoginView.as_view(
        template_name="accounts/sign_in.html",
        authentication_form=SignInForm,
        redirect_authenticated_user=True,
    )
)


def _forget_device(view):
    """Signing out tells the browser to empty this site's storage on the device: the offline group
    screen's copy (its cache, the service worker, the sealed entries in IndexedDB). A header, so it
    works even when no script of ours is loaded on the page someone signs out from."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method == "POST":
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response

    return wrapped


sign_out = signed_in(two_factor=False)(_forget_device(auth_views.LogoutView.as_view()))
password_reset = public(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        email_template_name="accounts/password_reset_email.txt",
        subject_template_name="accounts/password_reset_subject.txt",
    )
)
password_reset_done = public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm = public(
    auth_views.PasswordResetConfirmView.as_view(template_name="accounts/password_reset_confirm.html")
)
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")
)


@signed_in(two_factor=False)
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    if not user_has_device(request.user, confirmed=True):
        return redirect("two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            trail.record(request, Action.TWO_FACTOR, detail={"event": "verified"})
            return redirect(_safe_next(request))
        trail.record(request, Action.TWO_FACTOR, outcome=Outcome.FAILURE, detail={"event": "verify_failed"})
        form.add_error("token", _("That code is not right or has expired. Try the newest code."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _safe_next(request, "")})


# Required for staff where the deployment says so; optional for clients.
@signed_in(two_factor=False)
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    if user_has_device(request.user, confirmed=True):
        messages.info(request, _("Two-factor sign-in is already set up for your account."))
        return redirect("home")
    # The new key waits in the session until a code proves the phone has it: no GET writes a row.
    key = request.session.get(PENDING_KEY) or random_hex(20)
    request.session[PENDING_KEY] = key
    device = TOTPDevice(user=request.user, name="authenticator", key=key, confirmed=True)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if TOTP(device.bin_key, device.step, device.t0, device.digits).verify(
            int(form.cleaned_data["token"]), tolerance=device.tolerance
        ):
            with transaction.atomic():
                device.save()
                trail.record(request, Action.TWO_FACTOR, detail={"event": "enrolled"})
            del request.session[PENDING_KEY]
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is set up."))
            return redirect("home")
        form.add_error(
            "token", _("That code is not right. Check the time on your phone and try the newest code.")
        )
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1b2a3a")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr": qr,
            "secret": b32encode(device.bin_key).decode(),
            "required": settings.RAPPORT_REQUIRE_STAFF_2FA and request.user.is_staff_role,
        },
    )


@signed_in(two_factor=False)
@require_POST
def keep_alive(request):
    # The idle middleware has already noted this request; nothing else to do.
    return HttpResponse(status=204)


@signed_in()
@require_GET
def home(request):
    role = request.user.role
    if role == Role.CLIENT:
        return redirect("my_home")
    if role == Role.ADMINISTRATOR:
        return redirect("administration")
    if role == Role.SUPERVISOR:
        return redirect("supervision_home")
    if role == Role.PROGRAMME_LEAD:
        return redirect("programme")
    return redirect("caseload")
