"""API authentication: the browser's session, or a personal access token sent as a Bearer."""

from axes.handlers.proxy import AxesProxyHandler
from ninja.security import HttpBearer, SessionAuth

from rapport.accounts.models import ApiToken
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


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        found = (
            ApiToken.objects.active()
            .select_related("user", "user__organisation")
            .filter(digest=ApiToken.digest_of(token), user__is_active=True)
            .first()
        )
        if found is None:
            return None
        # A paused sign-in pauses the account's tokens too: a lockout stops every way in (a
        # deactivated account is refused by the query above).
        if AxesProxyHandler.is_locked(request, {"username": found.user.email}):
            return None
        # Services read request.user, whichever way the caller signed in.
        request.user = found.user
        return found.user


session_or_token = [BearerToken(), VerifiedSession()]
