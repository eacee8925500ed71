"""Sign-in, sign-out, failed sign-in and lockout go to the audit trail."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from rapport.audit import trail
from rapport.audit.models import Action, Outcome


def _account_named(credentials: dict):
    # The typed name is never stored; an existing account is referred to by its id.
    name = (credentials or {}).get("username") or (credentials or {}).get("email") or ""
    return get_user_model().objects.filter(email__iexact=name.strip()).first() if name else None


@receiver(user_logged_in)
def audit_sign_in(sender, request, user, **kwargs):
    trail.record(request, Action.SIGN_IN, actor=user)


@receiver(user_logged_out)
def audit_sign_out(sender, request, user, **kwargs):
    if user is not None:
        trail.record(request, Action.SIGN_OUT, actor=user, detail=getattr(request, "sign_out_detail", None))


@receiver(user_login_failed)
def audit_failed_sign_in(sender, credentials, request=None, **kwargs):
    trail.record(request, Action.SIGN_IN_FAILED, outcome=Outcome.FAILURE, actor=_account_named(credentials))


@receiver(user_locked_out)
def audit_lockout(sender, request, username=None, **kwargs):
    trail.record(
        request, Action.LOCKED_OUT, outcome=Outcome.DENIED, actor=_account_named({"username": username})
    )
