"""The daily digest: one e-mail a day to each clinician who wants it, with counts of what their
clients did since the last one (check-ins, notes for the session, task reports, messages) and
of check-ins missed before today's sessions, and a link. No client name and no content.

A job on the database worker sends it at the organisation's local digest time (messaging.yaml)
and queues the next day's run. `ensure_scheduled()` queues the first run; it is called whenever a
client does something a digest counts, and by `load_demo`, so a running worker always has one.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from rapport.accounts.models import Organisation, Role, User
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic import measurement, portal
from rapport.clinic.models import (
    Preparation,
    Respondent,
    Response,
    Session,
    SessionStatus,
    TaskReport,
)
from rapport.common.errors import EditConflict
from rapport.core import messaging as messaging_rules
from rapport.messaging import notices
from rapport.messaging.models import DigestChoice, DigestSent, Message
from rapport.messaging.threads import care_team_clients

log = logging.getLogger(__name__)


@dataclass
class Counts:
    check_ins: int = 0
    preparations: int = 0
    task_reports: int = 0
    messages: int = 0
    missed_check_ins: int = 0

    def total(self) -> int:
        return self.check_ins + self.preparations + self.task_reports + self.messages + self.missed_check_ins

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def wants_digest(user: User) -> bool:
    choice = DigestChoice.objects.filter(user=user).values_list("daily_digest", flat=True).first()
    return True if choice is None else choice


def choose(request, daily_digest: bool, version: int) -> DigestChoice:
    """A clinician turns their own digest on or off (version guards two tabs)."""
    with transaction.atomic():
        choice, created = DigestChoice.objects.get_or_create(user=request.user)
        if not created or version not in (0, None):
            updated = DigestChoice.objects.filter(pk=choice.pk, version=version).update(
                daily_digest=daily_digest, version=version + 1, updated_at=timezone.now()
            )
            if updated != 1:
                raise EditConflict(choice)
        else:
            DigestChoice.objects.filter(pk=choice.pk).update(daily_digest=daily_digest)
        choice.refresh_from_db()
        trail.record(request, Action.UPDATE, obj=choice, detail={"daily_digest": daily_digest})
    return choice


def missed_today(clients, today) -> list:
    """Clients with a session on the day (or the set days ahead) whose check-in due before it is
    still unanswered."""
    ahead = messaging_rules.rules().missed_days_before_session
    day = today + timedelta(days=ahead)
    with_session = set(
        Session.objects.filter(
            course__client__in=clients,
            date=day,
            status=SessionStatus.SCHEDULED,
            entered_in_error_at__isnull=True,
        ).values_list("course__client_id", flat=True)
    )
    missed = []
    for client in clients.filter(pk__in=with_session):
        course = measurement.current_course(client)
        if portal.due_check_ins(client, course, today):
            missed.append(client)
    return missed


def counts_for(user: User, since: datetime, now: datetime, today) -> tuple[Counts, list]:
    clients = care_team_clients(user)
    window = {"created_at__gt": since, "created_at__lte": now}
    counts = Counts(
        check_ins=Response.objects.filter(
            client__in=clients,
            respondent=Respondent.CLIENT,
            entered_in_error_at__isnull=True,
            answered_at__gt=since,
            answered_at__lte=now,
        ).count(),
        preparations=Preparation.objects.filter(
            client__in=clients, entered_in_error_at__isnull=True, shared_at__gt=since, shared_at__lte=now
        ).count(),
        task_reports=TaskReport.objects.filter(
            client__in=clients, entered_in_error_at__isnull=True, **window
        ).count(),
        messages=Message.objects.filter(client__in=clients, from_client=True, **window).count(),
    )
    missed = missed_today(clients, today)
    counts.missed_check_ins = len(missed)
    return counts, missed


def _local_now(org: Organisation, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(org.time_zone))


def _due(org: Organisation, now: datetime) -> bool:
    return _local_now(org, now).time() >= messaging_rules.rules().digest_at


def send_digest(user: User, now: datetime) -> DigestSent | None:
    """Today's digest for one clinician, once; None when already sent today."""
    org = user.organisation
    today = _local_now(org, now).date()
    if DigestSent.objects.filter(user=user, day=today).exists():
        return None
    last = DigestSent.objects.filter(user=user).order_by("-sent_at").values_list("sent_at", flat=True).first()
    since = last or now - timedelta(days=1)
    counts, missed = counts_for(user, since, now, today)
    try:
        with transaction.atomic():
            record = DigestSent.objects.create(
                user=user, day=today, since=since, sent_at=now, counts=counts.as_dict()
            )
    except IntegrityError:
        return None  # another run sent it a moment ago
    for client in missed:
        notices.notify_care_team(client, notices.MISSED_CHECK_IN)
    if counts.total() and wants_digest(user) and user.email:
        link = settings.RAPPORT_BASE_URL.rstrip("/") + reverse("caseload")
        lines = [
            _("New check-ins: %(n)s") % {"n": counts.check_ins},
            _("Notes for the next session: %(n)s") % {"n": counts.preparations},
            _("Between-session task reports: %(n)s") % {"n": counts.task_reports},
            _("Messages from clients: %(n)s") % {"n": counts.messages},
            _("Check-ins not done before today's sessions: %(n)s") % {"n": counts.missed_check_ins},
        ]
        send_mail(
            _("Rapport: your daily summary"),
            _(
                "Since your last summary, across your clients:\n\n%(lines)s\n\n"
                "Open Rapport to see them:\n%(link)s\n\n"
                "This e-mail holds no client details on purpose. You can turn it off on your messages page."
            )
            % {"lines": "\n".join(lines), "link": link},
            None,
            [user.email],
        )
    return record


def send_due(now: datetime | None = None) -> int:
    """Send every digest that is due now; returns how many clinicians were handled."""
    now = now or timezone.now()
    handled = 0
    for org in Organisation.objects.all():
        if not _due(org, now):
            continue
        for user in User.objects.filter(organisation=org, role=Role.CLINICIAN, is_active=True):
            try:
                if send_digest(user, now) is not None:
                    handled += 1
            except Exception as exc:  # one clinician's mail failing must not stop the others'
                log.warning("digest for user %s failed: %s", user.pk, type(exc).__name__)
    return handled


def next_run(now: datetime) -> datetime:
    """The next local digest time of any organisation after `now`."""
    at = messaging_rules.rules().digest_at
    times = []
    for tz in set(Organisation.objects.values_list("time_zone", flat=True)) or {"UTC"}:
        local = now.astimezone(ZoneInfo(tz))
        candidate = datetime.combine(local.date(), at, tzinfo=ZoneInfo(tz))
        if candidate <= local:
            candidate = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=ZoneInfo(tz))
        times.append(candidate)
    return min(times)


def ensure_scheduled(now: datetime | None = None) -> bool:
    """Queue the next digest run unless one is waiting; True when one was queued."""
    path = send_daily_digests.module_path
    if DBTaskResult.objects.filter(task_path=path, status=TaskResultStatus.READY).exists():
        return False
    send_daily_digests.using(run_after=next_run(now or timezone.now())).enqueue()
    return True


@task()
def send_daily_digests() -> int:
    # Tomorrow's run is queued first (this one is running, not waiting), so that a failure below
    # never stops the digests for good.
    ensure_scheduled()
    return send_due()
