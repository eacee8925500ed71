"""The scheduling records. An appointment belongs to a client and a clinician and, when it is a
session of the course, points at that course's Session record (clinic) rather than copying it:
the session holds what happened, the appointment holds when and where."""

import uuid
from datetime import time

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.accounts.models import validate_time_zone
from rapport.clinic.models import ClinicalRecord


class Format(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video")
    PHONE = "phone", _("Phone")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CONFIRMED = "confirmed", _("Confirmed")
    RESCHEDULE_ASKED = "reschedule_asked", _("Client asked to reschedule")
    CANCELLED = "cancelled", _("Cancelled")
    LATE_CANCELLED = "late_cancelled", _("Cancelled late")
    NO_SHOW = "no_show", _("Did not attend")
    ATTENDED = "attended", _("Attended")


# The statuses that hold a time in the diary (and so can clash with another booking).
HOLDING = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED, AppointmentStatus.RESCHEDULE_ASKED)


def new_room() -> str:
    """An unguessable video room name that names no one: 128 random bits."""
    return "rapport-" + uuid.uuid4().hex


class Appointment(ClinicalRecord):
    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="appointments")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    course = models.ForeignKey(
        "clinic.Course", null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    session = models.OneToOneField(
        "clinic.Session", null=True, blank=True, on_delete=models.PROTECT, related_name="appointment"
    )
    # The instant in UTC, and the wall time it was booked at in its zone: a weekly series keeps
    # its local time across a daylight-saving change because each start is made from these two.
    starts_at = models.DateTimeField(_("start"))
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    local_date = models.DateField(_("local date"))
    local_time = models.TimeField(_("local time"))
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"))
    format = models.CharField(_("format"), max_length=12, choices=Format.choices, default=Format.IN_PERSON)
    place = models.CharField(_("place or phone number"), max_length=200, blank=True)
    room = models.CharField(max_length=64, blank=True)  # video room name, see new_room()
    status = models.CharField(
        _("status"), max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    series = models.UUIDField(null=True, blank=True)
    # iCalendar identity: the UID never changes, SEQUENCE counts significant revisions.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    reschedule_to = models.DateTimeField(null=True, blank=True)  # a free time the client chose
    status_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["clinician", "starts_at"], name="appointment_clinician"),
            models.Index(fields=["client", "starts_at"], name="appointment_client"),
        ]

    def __str__(self) -> str:
        return f"appointment {self.pk} of client {self.client_id}"

    @property
    def ends_at(self):
        return self.starts_at + timezone.timedelta(minutes=self.minutes)


class WorkingHours(models.Model):
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("day"))  # 0 Monday .. 6 Sunday
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        ordering = ["clinician", "weekday", "starts"]

    def __str__(self) -> str:
        return f"working hours {self.pk} of user {self.clinician_id}"


class Absence(models.Model):
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences")
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["clinician", "first_day"]

    def __str__(self) -> str:
        return f"absence {self.pk} of user {self.clinician_id}"


def default_lead_hours() -> list[int]:
    """[U] A day before and two hours before: the clinical spec names no lead times."""
    return [24, 2]


class VideoKind(models.TextChoices):
    JITSI = "jitsi", _("Self-hosted Jitsi Meet")
    LINK = "link", _("Another service that takes a room link")


class OrganisationScheduling(models.Model):
    """An organisation's choices for therapy online: its video service, reminder lead times and
    quiet hours, and the reply time the messaging note promises. Edited by an administrator on
    one page, so one version covers the whole row (scheduling.online_settings)."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="scheduling"
    )
    # Empty: the deployment's RAPPORT_VIDEO_BASE_URL.
    video_base_url = models.URLField(_("video service address"), blank=True)
    video_kind = models.CharField(
        _("video service"), max_length=8, choices=VideoKind.choices, default=VideoKind.JITSI
    )
    # Jitsi's lobby: the client waits until the clinician lets them in (set in the room link).
    video_lobby = models.BooleanField(_("waiting room (lobby)"), default=True)
    lead_hours = models.JSONField(_("reminder lead times (hours)"), default=default_lead_hours)
    quiet_from = models.TimeField(_("quiet hours from"), default=time(21, 0))
    quiet_until = models.TimeField(_("quiet hours until"), default=time(8, 0))
    # Empty: messaging.yaml's reply_within.working_hours.
    reply_within_hours = models.PositiveSmallIntegerField(
        _("reply within (working hours)"), null=True, blank=True
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"scheduling settings of organisation {self.organisation_id}"


class ReminderChoice(models.Model):
    """What a client chose: which channels, and whether reminders stop altogether."""

    client = models.OneToOneField("clinic.Client", on_delete=models.CASCADE, related_name="reminder_choice")
    by_email = models.BooleanField(_("by e-mail"), default=True)
    by_sms = models.BooleanField(_("by text message"), default=False)
    phone = models.CharField(_("mobile number"), max_length=32, blank=True)
    stopped = models.BooleanField(_("stop all reminders"), default=False)

    def __str__(self) -> str:
        return f"reminder choice of client {self.client_id}"


class Reminder(models.Model):
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    channel = models.CharField(max_length=8)  # email or sms
    lead_hours = models.PositiveSmallIntegerField(default=0)
    send_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["send_at"]

    def __str__(self) -> str:
        return f"reminder {self.pk} of appointment {self.appointment_id}"


class SignInLink(models.Model):
    """A one-time link into one check-in: single use, short-lived, only its digest stored."""

    client = models.ForeignKey("clinic.Client", on_delete=models.CASCADE, related_name="sign_in_links")
    instrument = models.CharField(max_length=32)
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sign-in link {self.pk}"


class CalendarFeed(models.Model):
    """A secret, revocable feed address of a clinician's or a client's appointments."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="feeds"
    )
    client = models.ForeignKey(
        "clinic.Client", null=True, blank=True, on_delete=models.CASCADE, related_name="feeds"
    )
    digest = models.CharField(max_length=64, unique=True)
    show_names = models.BooleanField(_("show client names"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar feed {self.pk}"


class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", _("Treatment")
    ONLINE = "online", _("Online sessions")
    MESSAGES = "messages", _("Messages")
    REMINDERS = "reminders", _("Reminders")


class Consent(models.Model):
    """One consent given, kept when withdrawn. Online-session consent carries the telehealth
    details: the dropped-call plan and the emergency plan with the client's location."""

    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(_("consent to"), max_length=12, choices=ConsentKind.choices)
    wording_version = models.CharField(_("wording version"), max_length=20)
    given_on = models.DateField(_("date given"))
    given_by = models.CharField(_("given by"), max_length=12, default="client")  # client | caregiver
    caregiver_name = models.CharField(_("caregiver's name"), max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    class Meta:
        ordering = ["client", "kind", "-given_on", "-id"]

    def __str__(self) -> str:
        return f"consent {self.pk} of client {self.client_id}"
