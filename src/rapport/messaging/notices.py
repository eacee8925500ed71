"""Telling clinicians what their clients did: in-app notices of new check-ins, "since we last met"
notes, task reports and messages (and, from the daily digest, check-ins missed before a session),
and the e-mail that says a message is waiting, without its content.

Check-ins, notes and task reports are written by the clinic's services, which this package sits
beside and cannot be imported by. Each of those writes is audited in its own transaction, so the
notices follow the audit trail: a row written by a client about one of those records schedules
the notice for after the commit. A notice that fails is logged and never undoes the client's write.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from rapport.accounts.models import Role, User
from rapport.audit.models import Action, AuditEvent
from rapport.clinic.models import Client, Notification, Preparation
from rapport.messaging import access

log = logging.getLogger(__name__)

# What a notice is about; the kind is stored on the notification so that the page can link to
# the right place. Subjects name the client by number only, as alert notices do.
MESSAGE = "message"
CHECK_IN = "check_in"
PREPARATION = "preparation"
TASK_REPORT = "task_report"
MISSED_CHECK_IN = "missed_check_in"
KINDS = (MESSAGE, CHECK_IN, PREPARATION, TASK_REPORT, MISSED_CHECK_IN)

SUBJECTS = {
    MESSAGE: "New message from client #%(client)s",
    CHECK_IN: "New check-in from client #%(client)s",
    PREPARATION: "Notes for the next session from client #%(client)s",
    TASK_REPORT: "Between-session task report from client #%(client)s",
    MISSED_CHECK_IN: "Check-in not done before today's session: client #%(client)s",
}
BODIES = {
    MESSAGE: "Open the client's messages to read it.",
    CHECK_IN: "Open the client's record to see the answers.",
    PREPARATION: "Open the client's record to read their notes before the session.",
    TASK_REPORT: "Open the client's record to read how the task went.",
    MISSED_CHECK_IN: "The check-in due before the session has not been answered.",
}


def notify_care_team(client: Client, kind: str) -> int:
    """One unread notice per person, client and kind: a second message before the first notice
    is read adds nothing (the unread count says how many)."""
    made = 0
    subject = _(SUBJECTS[kind]) % {"client": client.pk}
    for person in access.care_team(client):
        exists = Notification.objects.filter(
            recipient=person, client=client, kind=kind, read_at__isnull=True
        ).exists()
        if not exists:
            Notification.objects.create(
                recipient=person, client=client, kind=kind, subject=subject, body=_(BODIES[kind])
            )
            made += 1
    return made


def message_sent(message) -> None:
    """After the message commits: tell the other side in the app (a client's message) and by an
    e-mail job with no content."""

    def tell() -> None:
        if message.from_client:
            notify_care_team(message.client, MESSAGE)
        send_message_email.enqueue(message.pk)

    transaction.on_commit(tell, robust=True)


# --- Following the audit trail ----------------------------------------------------------------

FOLLOWED = {"Response": CHECK_IN, "Preparation": PREPARATION, "TaskReport": TASK_REPORT}


def _audited(sender, instance: AuditEvent, created: bool, **kwargs) -> None:
    if not created or instance.actor_role != Role.CLIENT or instance.client_id is None:
        return
    kind = FOLLOWED.get(instance.object_type)
    if kind is None or instance.action not in (Action.CREATE, Action.UPDATE):
        return
    created_record = instance.action == Action.CREATE
    # Notes are saved as the client types: only sending them tells the clinician (an update
    # marked shared, or a note created already sent, checked after the commit). A check-in or a
    # task report tells them once, when it is first written.
    shared = bool((instance.detail or {}).get("shared"))
    if not created_record and not (kind == PREPARATION and shared):
        return
    client_id, object_id = instance.client_id, instance.object_id
    check_sent = kind == PREPARATION and created_record

    def tell() -> None:
        if check_sent and not Preparation.objects.filter(pk=object_id, shared_at__isnull=False).exists():
            return
        client = Client.objects.select_related("responsible_clinician").get(pk=client_id)
        notify_care_team(client, kind)

    transaction.on_commit(tell, robust=True)


def connect() -> None:
    post_save.connect(_audited, sender=AuditEvent, dispatch_uid="messaging-notices")


# --- E-mail that a message is waiting -----------------------------------------------------------


def recipients_of(message) -> list[User]:
    """Who is e-mailed about a message: the care team for a client's, the client for the team's."""
    if message.from_client:
        return access.care_team(message.client)
    account = message.client.user
    return [account] if account is not None and account.is_active else []


def email_about(message_id: int) -> int:
    """E-mail each recipient who has not read the message yet. No content, no client name, no
    clinician's surname: only that a message is waiting, and where to sign in."""
    from rapport.messaging.models import Message, ReadMark

    message = (
        Message.objects.select_related("client__user", "client__responsible_clinician")
        .filter(pk=message_id)
        .first()
    )
    if message is None or message.retracted_at is not None:
        return 0
    sent = 0
    for person in recipients_of(message):
        if not person.email:
            continue
        read = ReadMark.objects.filter(
            thread_id=message.thread_id, user=person, last_read_id__gte=message.pk
        ).exists()
        if read:
            continue
        page = reverse("my_messages") if person.role == Role.CLIENT else reverse("messages_inbox")
        link = settings.RAPPORT_BASE_URL.rstrip("/") + page
        send_mail(
            _("Rapport: you have a new message"),
            _(
                "A new secure message is waiting for you in Rapport. Sign in to read it:\n\n%(link)s\n\n"
                "This e-mail holds no message content on purpose. Secure messages are not a crisis "
                "service: if you need help now, call your local emergency number."
            )
            % {"link": link},
            None,
            [person.email],
        )
        sent += 1
    return sent


@task()
def send_message_email(message_id: int) -> int:
    return email_about(message_id)
