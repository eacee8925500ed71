"""Invitations to the client portal: a single-use secret that expires, sent by e-mail as a link
or printed as a code. Only its digest is stored; whoever holds the secret may open the account
of that one client record, once."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.accounts.models import Role, User
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic.client_records import get_client_for
from rapport.clinic.models import Client, Invitation
from rapport.common.errors import InvalidInput

# Crockford's base32 without the letters people misread (I, L, O, U): 12 characters, 60 bits.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(code: str) -> str:
    """What the person typed, as stored: spaces and dashes dropped, O read as 0, I and L as 1."""
    cleaned = "".join(ch for ch in (code or "").upper() if ch not in " -\t")
    return cleaned.translate(str.maketrans("OIL", "011"))


def formatted(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def invite(request, client_id: int, email: str = "") -> tuple[Invitation, str]:
    """A new invitation (earlier unused ones stop working). With an e-mail address the link is
    sent; without, the caller shows the code once for printing. Returns (invitation, code)."""
    client = get_client_for(request, client_id, "clinic.change_client", audit=False)
    return issue(request, client, email)


def issue(request, client: Client, email: str = "") -> tuple[Invitation, str]:
    """`invite` for a caller whose right to act for `client` is already settled: the intake team
    offering the portal as it makes the person a client (rapport.intake.triage.accept)."""
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput({"email": [_("Enter a valid e-mail address.")]}) from None
        if User.objects.filter(email__iexact=email).exists():
            raise InvalidInput({"email": [_("This e-mail address already has an account.")]})
    if client.user_id is not None:
        raise InvalidInput({"__all__": [_("This client already has an account.")]})
    code = new_code()
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(client=client, used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now
        )
        invitation = Invitation.objects.create(
            client=client,
            email=email,
            digest=digest(code),
            created_by=request.user,
            created_at=now,
            expires_at=now + timedelta(days=settings.RAPPORT_INVITATION_DAYS),
        )
        trail.record(request, Action.CREATE, client=client, obj=invitation, detail={"by_email": bool(email)})
        if email:
            link = settings.RAPPORT_BASE_URL.rstrip("/") + reverse("invitation_link", args=[code])
            _send(email, link, invitation)
    return invitation, code


def _send(email: str, link: str, invitation: Invitation) -> None:
    # Inside invite's transaction: a mail server that refuses the message undoes the invitation
    # (and keeps the earlier one usable) instead of leaving a link nobody received.
    try:
        send_mail(
            _("Your invitation to Rapport"),
            _(
                "Your clinic has invited you to Rapport, where you can prepare for your sessions, "
                "answer check-ins and keep your safety plan.\n\nOpen this link to set your password "
                "(it works once, until %(expires)s):\n\n%(link)s\n\nRapport is not a crisis service. "
                "If you are in immediate danger, call your local emergency number."
            )
            % {"link": link, "expires": timezone.localtime(invitation.expires_at).strftime("%d %B %Y")},
            None,
            [email],
        )
    except Exception:  # any failure of the mail path
        raise InvalidInput(
            {"email": [_("The e-mail could not be sent just now. Try again later, or print a code instead.")]}
        ) from None


def find(code: str) -> Invitation | None:
    """The usable invitation for a code, or None (unknown, used, revoked, expired: the same)."""
    invitation = Invitation.objects.select_related("client").filter(digest=digest(code)).first()
    if invitation is None or not invitation.usable() or invitation.client.user_id is not None:
        return None
    return invitation


def accept(request, code: str, email: str, password: str, password_again: str) -> User:
    """Open the client's account: the invitation is used up in the same transaction."""
    invitation = find(code)
    if invitation is None:
        raise InvalidInput(
            {"__all__": [_("This invitation has expired or been used. Ask your clinic for a new one.")]}
        )
    email = (invitation.email or email or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address.")]
    if password != password_again:
        errors["password_again"] = [_("The two passwords are not the same.")]
    client: Client = invitation.client
    candidate = User(email=email, full_name=client.full_name, role=Role.CLIENT)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise InvalidInput(errors)
    try:
        with transaction.atomic():
            used = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
                used_at=timezone.now()
            )
            if used != 1:
                raise InvalidInput({"__all__": [_("This invitation has just been used.")]})
            user = User.objects.create_user(
                email=email,
                password=password,
                full_name=client.full_name,
                role=Role.CLIENT,
                organisation_id=client.organisation_id,
            )
            if Client.objects.filter(pk=client.pk, user__isnull=True).update(user=user) != 1:
                raise InvalidInput({"__all__": [_("This client already has an account.")]})
            trail.record(
                request,
                Action.CREATE,
                client=client,
                obj=user,
                actor=user,
                detail={"step": "invitation_accepted"},
            )
    except IntegrityError:
        raise InvalidInput({"email": [_("This e-mail address already has an account.")]}) from None
    return user
