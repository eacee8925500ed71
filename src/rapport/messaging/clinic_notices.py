"""The one-way "From your clinic" message, now a notice in the client's thread.

Before, a clinician's note to the client was a `clinic.ClinicMessage` beside the thread: shown on
the portal home page only, missing from the thread and from the client's copy of their data. It is
now a `Message` of kind "notice": written by `send` (no consent to messages needed, as before; it
opens no conversation), shown in the thread and on the home page, never counted unread (it was
never announced), retained like every message. The data migration messaging/0003 copied each old
record into its client's thread as a notice with the same author, text and time; the old rows
stay readable where they are (nothing writes them any more)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic.client_records import get_client_for
from rapport.common.errors import InvalidInput
from rapport.core import messaging as messaging_rules
from rapport.messaging.models import Message, MessageKind, Thread


def send(request, client_id: int, body: str) -> Message:
    """A clinician's notice to the client (the client's portal page, "Message on the home page")."""
    client = get_client_for(request, client_id, "clinic.change_client", audit=False)
    body = (body or "").strip()
    limit = messaging_rules.rules().max_length
    if not body:
        raise InvalidInput({"body": [_("Write the message.")]})
    if len(body) > limit:
        raise InvalidInput(
            {"body": [_("Keep the message under %(limit)s characters.") % {"limit": f"{limit:,}"}]}
        )
    now = timezone.now()
    with transaction.atomic():
        thread, _created = Thread.objects.get_or_create(client=client)
        notice = Message.objects.create(
            thread=thread,
            client=client,
            author=request.user,
            from_client=False,
            kind=MessageKind.NOTICE,
            body=body,
            created_at=now,
        )
        Thread.objects.filter(pk=thread.pk).update(last_message_at=now)
        trail.record(request, Action.CREATE, client=client, obj=notice, detail={"kind": MessageKind.NOTICE})
    return notice


def latest(client) -> Message | None:
    """The notice the client's home page shows: the newest still standing."""
    return (
        Message.objects.filter(
            client=client,
            kind=MessageKind.NOTICE,
            entered_in_error_at__isnull=True,
            retracted_at__isnull=True,
        )
        .select_related("author")
        .order_by("-created_at", "-id")
        .first()
    )


def sent_to(client, limit: int = 20) -> list[Message]:
    return list(
        Message.objects.filter(client=client, kind=MessageKind.NOTICE, entered_in_error_at__isnull=True)
        .select_related("author")
        .order_by("-created_at", "-id")[:limit]
    )
