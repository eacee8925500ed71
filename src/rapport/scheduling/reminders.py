"""Appointment reminders, sent by jobs on the database worker (django-tasks, `rapport db_worker`).

Planning writes a Reminder row per lead time and channel the client chose (none once they stopped
reminders or withdrew consent to them), moved out of the organisation's quiet hours, and queues
a job at its time. The job reads the database, so a reminder of a cancelled or moved appointment
is simply not sent. Reminders carry no clinical content and the therapist's first name only. A
check-in due before the session comes with a one-time link (links.issue)."""

from datetime import datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from rapport.scheduling import times
from rapport.scheduling.models import (
    HOLDING,
    Appointment,
    OrganisationScheduling,
    Reminder,
    ReminderChoice,
    default_lead_hours,
)
from rapport.scheduling.wording import first_name, when


def settings_of(organisation) -> OrganisationScheduling:
    found = OrganisationScheduling.objects.filter(organisation=organisation).first()
    return found or OrganisationScheduling(organisation=organisation, lead_hours=default_lead_hours())


def _quiet(at: time, start: time, until: time) -> bool:
    if start <= until:
        return start <= at < until
    return at >= start or at < until


def out_of_quiet_hours(moment: datetime, zone: str, quiet_from: time, quiet_until: time) -> datetime:
    """A send time in quiet hours moves earlier, to just before they begin, so that the reminder
    still comes before the session."""
    local = times.local(moment, zone)
    if not _quiet(local.time(), quiet_from, quiet_until):
        return moment
    day = local.date() if local.time() >= quiet_from else local.date() - timedelta(days=1)
    return times.instant(day, quiet_from, zone) - timedelta(minutes=1)


def account_closed(client) -> bool:
    """A closed account (or a deactivated sign-in) is told nothing more: no reminder reveals that a
    client whose account was closed still has appointments on the books."""
    from rapport.retention.models import AccountClosure

    if client.user_id and not client.user.is_active:
        return True
    return AccountClosure.objects.filter(client_ref=client.pk).exists()


def channels(client) -> list[str]:
    from rapport.scheduling.consents import has_consent

    choice = ReminderChoice.objects.filter(client=client).first() or ReminderChoice(client=client)
    if choice.stopped or not has_consent(client, "reminders"):
        return []
    found = []
    if choice.by_email and client.user_id:
        found.append("email")
    if choice.by_sms and choice.phone:
        found.append("sms")
    return found


def plan(appt: Appointment, now=None) -> list[Reminder]:
    """(Re)write the unsent reminders of an appointment and queue their jobs."""
    now = now or timezone.now()
    Reminder.objects.filter(appointment=appt, sent_at__isnull=True).delete()
    if appt.status not in HOLDING:
        return []
    chosen = channels(appt.client)
    if not chosen:
        return []
    org = settings_of(appt.client.organisation)
    made = []
    for lead in org.lead_hours:
        at = out_of_quiet_hours(
            appt.starts_at - timedelta(hours=lead), appt.client.time_zone, org.quiet_from, org.quiet_until
        )
        if at <= now:
            continue
        for channel in chosen:
            made.append(
                Reminder.objects.create(appointment=appt, channel=channel, lead_hours=lead, send_at=at)
            )
    for at in sorted({r.send_at for r in made}):
        transaction.on_commit(partial(_queue, at))
    return made


def _queue(at: datetime) -> None:
    send_reminders.using(run_after=at).enqueue()


def text_of(reminder: Reminder, link: str) -> str:
    appt = reminder.appointment
    text = _("Reminder: your appointment with %(name)s is on %(when)s.") % {
        "name": first_name(appt.clinician),
        "when": when(appt, appt.client.time_zone),
    }
    if link:
        text += " " + _("A check-in is due before it: %(link)s") % {"link": link}
    return text


def deliver_due(now=None) -> int:
    """Send every reminder now due whose appointment still holds; each is claimed first, so two
    workers never send one twice."""
    from rapport.clinic.portal import due_check_ins
    from rapport.scheduling import links
    from rapport.scheduling.sms import backend

    now = now or timezone.now()
    sent = 0
    due = Reminder.objects.filter(sent_at__isnull=True, send_at__lte=now).select_related(
        "appointment__client__user", "appointment__clinician"
    )
    for reminder in due:
        appt = reminder.appointment
        if not Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(sent_at=now):
            continue
        if appt.status not in HOLDING or appt.starts_at <= now or appt.entered_in_error_at:
            Reminder.objects.filter(pk=reminder.pk).update(outcome="not needed")
            continue
        if account_closed(appt.client):
            Reminder.objects.filter(pk=reminder.pk).update(outcome="account closed")
            continue
        if reminder.channel not in channels(appt.client):
            Reminder.objects.filter(pk=reminder.pk).update(outcome="stopped by the client")
            continue
        link = ""
        checks = due_check_ins(appt.client, today=times.local(now, appt.client.time_zone).date())
        if checks:
            token = links.issue(appt.client, checks[0].schedule.instrument, until=appt.starts_at, now=now)
            link = settings.RAPPORT_BASE_URL.rstrip("/") + reverse("check_in_link", args=[token])
        text = text_of(reminder, link)
        user = appt.client.user
        if reminder.channel == "email" and user is not None:
            send_mail(_("Appointment reminder"), text, settings.DEFAULT_FROM_EMAIL, [user.email])
        elif reminder.channel == "sms":
            choice = ReminderChoice.objects.get(client=appt.client)
            backend().send(choice.phone, text)
        Reminder.objects.filter(pk=reminder.pk).update(outcome="sent")
        sent += 1
    return sent


@task()
def send_reminders() -> int:
    return deliver_due()


def replan_organisation(organisation_id: int, now=None) -> int:
    """Plan again the unsent reminders of every coming appointment of an organisation, after its
    lead times or quiet hours changed. Sent reminders are kept; returns the appointments replanned."""
    now = now or timezone.now()
    coming = Appointment.objects.filter(
        client__organisation_id=organisation_id,
        status__in=HOLDING,
        entered_in_error_at__isnull=True,
        starts_at__gt=now,
    ).select_related("client__organisation")
    count = 0
    for appt in coming.iterator():
        with transaction.atomic():
            plan(appt, now)
        count += 1
    return count


@task()
def replan_reminders(organisation_id: int) -> int:
    return replan_organisation(organisation_id)


def choose(request, client, *, by_email: bool, by_sms: bool, phone: str, stopped: bool) -> ReminderChoice:
    """The client's choice of channels; unsent reminders are planned again to match."""
    from rapport.audit import trail
    from rapport.audit.models import Action
    from rapport.common.errors import InvalidInput

    phone = phone.strip()
    if by_sms and not phone:
        raise InvalidInput({"phone": [_("Give the mobile number for text messages.")]})
    if len(phone) > 32 or (phone and not all(c.isdigit() or c in "+ -()" for c in phone)):
        raise InvalidInput({"phone": [_("Enter a phone number: digits, spaces and a leading +.")]})
    with transaction.atomic():
        choice, _created = ReminderChoice.objects.update_or_create(
            client=client,
            defaults={"by_email": by_email, "by_sms": by_sms, "phone": phone, "stopped": stopped},
        )
        trail.record(request, Action.UPDATE, client=client, obj=choice)
        for appt in Appointment.objects.filter(
            client=client, status__in=HOLDING, starts_at__gt=timezone.now()
        ):
            plan(appt)
    return choice
