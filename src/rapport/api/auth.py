"""API authentication: the browser's session, or a personal access token sent as a Bearer."""

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, OuterRef
from ninja.security import HttpBearer, SessionAuth

from rapport.accounts.models import ApiToken, normalise_email
from rapport.common.access import two_factor_step


class VerifiedSession(SessionAuth):
    """The signed-in browser session (with CSRF); anyone with two-factor set up, and staff where
    it is required, must have passed it."""

    def _get_key(self, request):
        # Without a session cookie there is no one whose session could be forged: answer 401 (not
        # the CSRF check's 403) to a caller who is simply not signed in, whatever other cookies
        # (a csrftoken from an earlier visit) it sends.
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None or two_factor_step(user) is not None:
            return None
        return user


def user_for_token(request, secret: str):
    """The active account whose live token this is, unless its sign-in is paused; None otherwise.

    One query: the token with its user and organisation, and whether any failed sign-in is on
    record for the account. Only then is django-axes asked whether the account is locked (a
    paused sign-in pauses the account's tokens too; a deactivated account is refused by the
    query). Kept on the request, since the idempotency middleware asks before the API does."""
    cache = request.__dict__.setdefault("_rapport_tokens", {})
    if secret in cache:
        return cache[secret]
    found = (
        ApiToken.objects.active()
        .select_related("user", "user__organisation")
        .filter(digest=ApiToken.digest_of(secret), user__is_active=True)
        .annotate(failed_sign_ins=Exists(AccessAttempt.objects.filter(username=OuterRef("user__email"))))
        .first()
    )
    user = None
    if found is not None:
        user = found.user
        # axes counts failures under the normalised address; an address stored in another
        # spelling, or a limit that locks at once, goes to axes whatever the query found.
        ask_axes = (
            found.failed_sign_ins
            or user.email != normalise_email(user.email)
            or settings.AXES_FAILURE_LIMIT < 1
        )
        if ask_axes and AxesProxyHandler.is_locked(request, {"username": user.email}):
            user = None
    cache[secret] = user
    return user


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(request, token)
        if user is not None:
            # Services read request.user, whichever way the caller signed in.
            request.user = user
        return user


session_or_token = [BearerToken(), VerifiedSession()]
