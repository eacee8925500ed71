"""Secure messages: the thread of a client and their care team, sending, retracting, reading,
unread counts and the staff inbox. Every write checks access, validates, writes and audits in one
transaction; jobs (e-mails) are queued on commit.

A client's message is screened for risk phrases as their other free text is (clinic.alerts
.screen_text) and raises its alert in the same transaction, so the message and the alert exist
together or not at all.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.accounts import organisation
from rapport.accounts.models import User
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic import alerts
from rapport.clinic.client_records import get_client_for
from rapport.clinic.models import AlertSource, AlertStatus, Client, RiskAlert
from rapport.clinic.rules import is_client_user, sees_risk_triage
from rapport.common.errors import InvalidInput
from rapport.common.records import save_versioned
from rapport.core import hours
from rapport.core import messaging as messaging_rules
from rapport.messaging import access, consent, notices
from rapport.messaging.models import Message, MessageKind, ReadMark, Thread
from rapport.scheduling import online_settings

REASON_LIMIT = 500


def client_id_of(request) -> int:
    """The signed-in client's own record id (404 when the account is not linked to one)."""
    pk = (
        Client.objects.visible_to(request.user).filter(user=request.user).values_list("pk", flat=True).first()
    )
    if pk is None:
        raise Http404("No record linked to this account")
    return pk


def _client(request, client_id: int, perm: str) -> Client:
    client = get_client_for(request, client_id, perm, audit=False)
    return client


def _thread(client: Client) -> Thread:
    thread, _created = Thread.objects.get_or_create(client=client)
    return thread


@dataclass
class Note:
    """The automatic note under the thread: when messages are read, that this is not a crisis
    service, and whether the clinic is open now (outside its hours the crisis lines are shown)."""

    within_hours: int
    opening_hours: list[tuple[str, str]]
    open_now: bool


def note_for(client: Client, now: datetime | None = None) -> Note:
    org = client.organisation
    return Note(
        within_hours=online_settings.reply_within(org),
        opening_hours=hours.describe(org.opening_hours),
        open_now=organisation.is_open(org, now),
    )


@dataclass
class ThreadView:
    client: Client
    thread: Thread
    messages: list[Message]
    first_unread_id: int | None
    can_write: bool
    consented: bool
    note: Note
    errors: dict = field(default_factory=dict)


def read_thread(request, client_id: int, *, mark_read: bool = True) -> ThreadView:
    """The thread as one person sees it (an audited read); opening it marks it read for them."""
    client = _client(request, client_id, "messaging.read_thread")
    # Reading writes nothing until there is something to mark read: the thread itself is made
    # by the first message.
    thread = Thread.objects.filter(client=client).first() or Thread(client=client)
    found: list[Message] = []
    mark = None
    if thread.pk:
        found = list(
            Message.objects.filter(thread=thread, entered_in_error_at__isnull=True).select_related(
                "author", "retracted_by"
            )
        )
        mark = (
            ReadMark.objects.filter(thread=thread, user=request.user)
            .values_list("last_read_id", flat=True)
            .first()
        )
    if found and sees_risk_triage(request.user):
        # Staff see which message raised a risk alert, with a link to it; a client never does.
        raised = RiskAlert.objects.filter(
            client=client, source=AlertSource.FREE_TEXT, source_record__type="Message"
        ).values_list("source_record__id", "pk", "tier")
        by_message = {message_id: (pk, tier) for message_id, pk, tier in raised}
        for m in found:
            m.raised_alert = by_message.get(m.pk)  # type: ignore[attr-defined]
    unread = [
        m
        for m in found
        if m.pk > (mark or 0) and m.author_id != request.user.pk and m.kind == MessageKind.MESSAGE
    ]
    trail.record(request, Action.READ, client=client, object_type="Thread", detail={"count": len(found)})
    if mark_read and found and found[-1].pk > (mark or 0):
        _mark_read(thread, request.user, found[-1].pk)
    return ThreadView(
        client=client,
        thread=thread,
        messages=found,
        first_unread_id=unread[0].pk if unread else None,
        can_write=request.user.has_perm("messaging.write", client),
        consented=consent.consents_to_messages(client),
        note=note_for(client),
    )


def _mark_read(thread: Thread, user: User, last_id: int) -> None:
    now = timezone.now()
    mark, created = ReadMark.objects.get_or_create(
        thread=thread, user=user, defaults={"last_read_id": last_id, "read_at": now}
    )
    if not created:
        # Never backwards: a tab opened earlier must not make read messages unread again.
        ReadMark.objects.filter(pk=mark.pk, last_read_id__lt=last_id).update(
            last_read_id=last_id, read_at=now
        )


# What the client is told when a message of theirs raised a review: the page shows it with the
# crisis lines, and the API returns it with the same lines (api/messages.py).
RISK_REPLY = (
    "Your message is sent. Some of what you wrote sounds as if things are very hard right now: "
    "your clinician will see it, but may not read it straight away. If you need help now, use "
    "the numbers below."
)


def risk_reply() -> str:
    return _(RISK_REPLY)


@dataclass
class Sent:
    message: Message
    alert: RiskAlert | None  # raised by a risk phrase in a client's message


def send(request, client_id: int, body: str) -> Sent:
    client = _client(request, client_id, "messaging.read_thread")
    if not request.user.has_perm("messaging.write", client):
        # A supervisor, or a clinician under emergency access: they read, the care team writes.
        raise PermissionDenied("Only the client and their care team write in this thread.")
    if not consent.consents_to_messages(client):
        raise InvalidInput({"body": [_("Messages are closed: there is no consent to secure messages.")]})
    body = (body or "").strip()
    limit = messaging_rules.rules().max_length
    if not body:
        raise InvalidInput({"body": [_("Write the message.")]})
    if len(body) > limit:
        raise InvalidInput(
            {"body": [_("Keep the message under %(limit)s characters.") % {"limit": f"{limit:,}"}]}
        )
    from_client = is_client_user(request.user)
    now = timezone.now()
    with transaction.atomic():
        thread = _thread(client)
        message = Message.objects.create(
            thread=thread,
            client=client,
            author=request.user,
            from_client=from_client,
            body=body,
            created_at=now,
        )
        Thread.objects.filter(pk=thread.pk).update(last_message_at=now)
        trail.record(request, Action.CREATE, client=client, obj=message)
        # The writer has read everything up to their own message.
        _mark_read(thread, request.user, message.pk)
        alert = alerts.screen_text(request, client, message, [body]) if from_client else None
        notices.message_sent(message)
    return Sent(message=message, alert=alert)


def retract(request, client_id: int, message_id: int, version: int, reason: str) -> Message:
    """Withdraw one's own message. The text stays in the record (and any alert it raised stays
    open); the thread shows it as withdrawn."""
    client = _client(request, client_id, "messaging.read_thread")
    message = Message.objects.filter(
        pk=message_id, client=client, author=request.user, entered_in_error_at__isnull=True
    ).first()
    if message is None:
        raise Http404("No such message")
    reason = (reason or "").strip()
    if message.retracted_at is not None:
        raise InvalidInput({"__all__": [_("This message has already been withdrawn.")]})
    if len(reason) > REASON_LIMIT:
        raise InvalidInput({"reason": [_("Keep the reason under 500 characters.")]})
    with transaction.atomic():
        save_versioned(
            Message,
            message.pk,
            version,
            retracted_at=timezone.now(),
            retracted_by=request.user,
            retraction_reason=reason,
        )
        message.refresh_from_db()
        trail.record(request, Action.UPDATE, client=client, obj=message, detail={"retracted": True})
    return message


def _unread_filter(user: User):
    """Messages by someone else after this person's read mark, not withdrawn. A clinic notice is
    never unread: it is shown on the client's home page and opens no conversation."""
    mark = ReadMark.objects.filter(thread_id=OuterRef("thread_id"), user=user).values("last_read_id")[:1]
    return (
        Message.objects.filter(
            entered_in_error_at__isnull=True, retracted_at__isnull=True, kind=MessageKind.MESSAGE
        )
        .exclude(author=user)
        .annotate(mark=Coalesce(Subquery(mark), Value(0), output_field=IntegerField()))
        .filter(id__gt=F("mark"))
    )


def unread_count(user: User) -> int:
    """Unread messages for the portal badge (a client) or the staff menu (their care-team
    clients). Zero for anyone else. The same count as `unread_queryset`, which defines it."""
    if not user.is_authenticated or not user.is_active:
        return 0
    if is_client_user(user):
        scope, params = _CLIENT_SCOPE, [False, user.pk]
    elif user.role == "clinician":
        scope, params = _CARE_TEAM_SCOPE, [user.organisation_id, user.pk, user.pk]
    else:
        return 0
    return _count_unread(user, scope, params)


def unread_queryset(user: User):
    """The messages unread_count counts, as a queryset: the definition it is tested against."""
    if is_client_user(user):
        return _unread_filter(user).filter(client__user=user, from_client=False)
    return _unread_filter(user).filter(client__in=care_team_clients(user))


def _count_unread(user: User, scope: str, params: list) -> int:
    # The badge is on every page. The ORM took 3 to 7 ms a page to build this query and the
    # database 0.1 ms to answer it (#17), so it is written once here; the tests hold it to
    # unread_queryset and _unread_filter for every persona. The care team comes through indexes
    # (own caseload UNION co-clinician links), as in visible_to: an OR of the two made SQLite
    # walk every client of the organisation, 25 ms at 100,000 clients.
    with connection.cursor() as cursor:
        cursor.execute(_UNREAD_SQL + scope, [MessageKind.MESSAGE.value, user.pk, user.pk, *params])
        return cursor.fetchone()[0]


_UNREAD_SQL = f"""
    SELECT COUNT(*) FROM {Message._meta.db_table} m
    WHERE m.entered_in_error_at IS NULL AND m.retracted_at IS NULL AND m.kind = %s AND m.author_id <> %s
      AND m.id > COALESCE(
        (SELECT r.last_read_id FROM {ReadMark._meta.db_table} r
         WHERE r.thread_id = m.thread_id AND r.user_id = %s), 0)
      AND """  # noqa: S608 (table names from the models; every value a parameter)
_CLIENT_SCOPE = (
    f"m.from_client = %s AND m.client_id IN (SELECT c.id FROM {Client._meta.db_table} c WHERE c.user_id = %s)"  # noqa: S608
)
_CARE_TEAM_SCOPE = f"""m.client_id IN (
    SELECT c.id FROM {Client._meta.db_table} c
    WHERE c.organisation_id = %s AND c.entered_in_error_at IS NULL
      AND c.id IN (SELECT o.id FROM {Client._meta.db_table} o WHERE o.responsible_clinician_id = %s
                   UNION
                   SELECT cc.client_id FROM {Client.co_clinicians.through._meta.db_table} cc WHERE cc.user_id = %s))"""  # noqa: S608, E501


def care_team_clients(user: User):
    """Clients this clinician is responsible or co-clinician for (not emergency access)."""
    return Client.objects.visible_to(user).filter(Q(responsible_clinician=user) | Q(co_clinicians=user))


@dataclass
class InboxRow:
    client: Client
    last_message_at: datetime | None
    unread: int


def inbox(request) -> list[InboxRow]:
    """Threads of the clients this person sees, unread first then newest; no message content.
    The listing is audited with its size, as the caseload is."""
    visible = Client.objects.visible_to(request.user)
    unread = (
        _unread_filter(request.user)
        .filter(thread_id=OuterRef("pk"))
        .order_by()
        .values("thread_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    threads = (
        Thread.objects.filter(client__in=visible, last_message_at__isnull=False)
        .select_related("client")
        .annotate(unread=Coalesce(Subquery(unread), Value(0), output_field=IntegerField()))
        .order_by("-unread", "-last_message_at")
    )
    rows = [InboxRow(t.client, t.last_message_at, t.unread) for t in threads[:500]]
    trail.record(request, Action.LIST, object_type="MessageInbox", detail={"count": len(rows)})
    return rows


def care_team_names(client: Client) -> list[str]:
    return [person.full_name for person in access.care_team(client)]


def support_needed(client: Client) -> bool:
    """Whether something the client wrote in a message raised a review that is still open: their
    thread then offers help at once, as the preparation page does."""
    return RiskAlert.objects.filter(
        client=client, source=AlertSource.FREE_TEXT, source_record__type="Message", status=AlertStatus.OPEN
    ).exists()


def unread_for_client(user: User, client: Client) -> int:
    """Unread messages in one client's thread for this person (the client page's button)."""
    return _count_unread(user, "m.client_id = %s", [client.pk])
