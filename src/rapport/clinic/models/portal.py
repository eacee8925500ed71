"""What the client portal keeps: invitations, scheduled check-ins and their drafts, the
"since we last met" notes, how a between-session task went, and messages from the clinic."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.clinic.models.clients import ClinicalRecord


class Invitation(models.Model):
    """A single-use, expiring invitation to open a client account. Only a digest of the secret
    is kept; the secret travels once, by e-mail or on paper."""

    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField(blank=True)  # empty for a printed code
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"invitation {self.pk}"

    def usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.revoked_at is None and self.expires_at > now


class Cadence(models.TextChoices):
    BEFORE_SESSION = "before_session", _("Before every session")
    WEEKLY = "weekly", _("Every week")
    FORTNIGHTLY = "fortnightly", _("Every other week")


class CheckInSchedule(models.Model):
    """A questionnaire the clinician asks the client to answer between sessions."""

    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="check_in_schedules")
    instrument = models.CharField(max_length=32)
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.BEFORE_SESSION)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["instrument"]
        constraints = [
            models.UniqueConstraint(fields=["client", "instrument"], name="check_in_schedule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.cadence}"


class CheckInDraft(models.Model):
    """Answers saved one question at a time, so that nothing is lost if the connection drops."""

    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="check_in_drafts")
    instrument = models.CharField(max_length=32)
    answers = models.JSONField(default=dict)  # item id -> option code
    declined = models.JSONField(default=list)  # item ids answered "prefer not to say"
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # When a positive risk answer was first saved: if the draft is still unsent a while later,
    # the answer raises an alert anyway (clinic.alert_chain.alert_unsent_drafts).
    risk_answered_at = models.DateTimeField(null=True, blank=True)
    response = models.OneToOneField(
        "clinic.Response", null=True, blank=True, on_delete=models.PROTECT, related_name="draft"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "instrument"], condition=Q(response__isnull=True), name="one_open_draft"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} draft {self.pk}"


class MoodChange(models.IntegerChoices):
    MUCH_WORSE = -2, _("Much worse")
    WORSE = -1, _("A bit worse")
    SAME = 0, _("About the same")
    BETTER = 1, _("A bit better")
    MUCH_BETTER = 2, _("Much better")


class Preparation(ClinicalRecord):
    """ "Since we last met": the client's notes before a session, shown at the top of the
    clinician's next session note. Saved as the client types; `shared_at` when they send it."""

    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="preparations")
    course = models.ForeignKey("clinic.Course", on_delete=models.PROTECT, related_name="preparations")
    what_happened = models.TextField(_("What has happened since we last met?"), blank=True)
    who_involved = models.TextField(_("Who was involved?"), blank=True)
    mood_change = models.SmallIntegerField(
        _("How has your mood moved?"), choices=MoodChange.choices, null=True, blank=True
    )
    topics = models.TextField(_("What would you like to talk about?"), blank=True)
    questions = models.TextField(_("Any questions?"), blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["course", "-created_at"], name="preparation_latest")]

    def __str__(self) -> str:
        return f"preparation {self.pk}"

    TEXT_FIELDS = ("what_happened", "who_involved", "topics", "questions")


class TaskOutcome(models.TextChoices):
    DONE = "done", _("I did it")
    PARTLY = "partly", _("I did some of it")
    NOT_YET = "not_yet", _("I have not done it yet")


class TaskReport(ClinicalRecord):
    """The client's own account of an agreed between-session task (one per session)."""

    session = models.OneToOneField("clinic.Session", on_delete=models.PROTECT, related_name="task_report")
    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="task_reports")
    outcome = models.CharField(_("Did you do it?"), max_length=10, choices=TaskOutcome.choices, blank=True)
    how_it_went = models.TextField(_("How did it go?"), blank=True)

    def __str__(self) -> str:
        return f"task report {self.pk}"


class ClinicMessage(models.Model):
    """A short message from the client's clinician, shown on the portal home page."""

    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"message {self.pk}"
