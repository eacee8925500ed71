"""One-time sign-in links into one check-in. The token is random, only its digest is stored; a
link is used once, expires soon (at the session, and never later than LIFETIME), and signs in only
its own client's account. Anything else changes nothing and says why; the usual sign-in remains."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from rapport.scheduling.models import SignInLink

# [U] The spec says "short-lived" without a figure.
LIFETIME = timedelta(hours=12)


class LinkRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # used, expired, unknown, other_account, inactive


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(client, instrument: str, *, until=None, now=None) -> str:
    now = now or timezone.now()
    expires = min(until, now + LIFETIME) if until else now + LIFETIME
    token = secrets.token_urlsafe(32)
    SignInLink.objects.create(client=client, instrument=instrument, digest=_digest(token), expires_at=expires)
    return token


def peek(token: str, now=None) -> SignInLink:
    """The link if it could be used now (nothing changes), else LinkRefused."""
    now = now or timezone.now()
    link = SignInLink.objects.filter(digest=_digest(token)).select_related("client__user").first()
    if link is None:
        raise LinkRefused("unknown")
    if link.used_at:
        raise LinkRefused("used")
    if link.expires_at <= now:
        raise LinkRefused("expired")
    user = link.client.user
    if user is None or not user.is_active or link.client.entered_in_error_at:
        raise LinkRefused("inactive")
    return link


def use(token: str, signed_in_user=None, now=None) -> SignInLink:
    """Spend the link: single use even when two requests race (the claim is one UPDATE)."""
    now = now or timezone.now()
    link = peek(token, now)
    if (
        signed_in_user is not None
        and signed_in_user.is_authenticated
        and signed_in_user.pk != link.client.user_id
    ):
        raise LinkRefused("other_account")
    with transaction.atomic():
        if not SignInLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now):
            raise LinkRefused("used")
    return link
