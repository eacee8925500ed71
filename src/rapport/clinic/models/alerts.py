"""Risk alerts and the e-mails that tell people about them.

An alert is written in the same transaction as whatever raised it (an answer, the help button,
a clinician, a phrase in free text), together with its notifications and the jobs that send and
escalate them, so that no path can keep the signal and lose the alert or the other way round.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Resolved")


class AlertSource(models.TextChoices):
    QUESTIONNAIRE = "questionnaire", _("A questionnaire answer")
    HELP_BUTTON = "help_button", _("The client pressed “I need help now”")
    CLINICIAN = "clinician", _("Raised by a clinician")
    FREE_TEXT = "free_text", _("Words in the client's notes")
    REFERRAL = "referral", _("A risk answer in a referral's screening")


class ResolutionAction(models.TextChoices):
    # The alert -> acknowledgement -> action chain of spec 3.1 (actions as in the S72 example).
    CONTACTED = "contacted", _("Contacted the client; risk assessed")
    SAFETY_PLAN = "safety_plan", _("Safety plan made or reviewed with the client")
    EMERGENCY = "emergency", _("Emergency services or crisis team involved")
    REFERRED = "referred", _("Referred for urgent care")
    NEXT_SESSION = "next_session", _("Reviewed; to be discussed at the next session")
    NO_RISK = "no_risk", _("Reviewed; no current risk found")


class RiskAlert(models.Model):
    # None only for a referral's alert (source "referral"): the person is nobody's client yet,
    # and the intake team is told instead (rapport.intake.team).
    client = models.ForeignKey(
        "clinic.Client", null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    response = models.OneToOneField(
        "clinic.Response", null=True, blank=True, on_delete=models.PROTECT, related_name="alert"
    )
    source = models.CharField(max_length=20, choices=AlertSource.choices, default=AlertSource.QUESTIONNAIRE)
    # For free-text alerts: {"type": "Preparation", "id": 3}; the text itself stays in its record.
    source_record = models.JSONField(default=dict, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tier = models.CharField(max_length=4)  # T1..T3, from core/triage_rules.yaml
    risk_level = models.CharField(max_length=10)
    reasons = models.JSONField(default=list)  # the rules that fired, by id and description
    note = models.TextField(blank=True)  # a clinician's reason when raising by hand
    status = models.CharField(max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    # Escalation: 0 the client's clinicians, 1 the team's supervisors, 2 the administrators.
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalate_at = models.DateTimeField(null=True, blank=True)  # None once acknowledged or at the top
    escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledgement_note = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution_action = models.CharField(max_length=20, choices=ResolutionAction.choices, blank=True)
    resolution_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["client", "-created_at"], name="alert_client_latest"),
            models.Index(fields=["status", "client"], name="alert_status_client"),
            models.Index(fields=["escalate_at"], name="alert_escalate_at"),
        ]

    def __str__(self) -> str:
        return f"{self.tier} alert {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == AlertStatus.OPEN


class AlertTrigger(models.Model):
    """A later trigger of the same risk episode, added to the open alert instead of opening a
    second one (a C-SSRS after a positive PHQ-9 item 9 or EPDS item 10 in the same check-in or
    visit). The alert's first trigger is the alert itself (its response and first reasons)."""

    alert = models.ForeignKey(RiskAlert, on_delete=models.PROTECT, related_name="triggers")
    response = models.OneToOneField(
        "clinic.Response", null=True, blank=True, on_delete=models.PROTECT, related_name="alert_trigger"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    risk_level = models.CharField(max_length=10)
    tier = models.CharField(max_length=4)  # this trigger's own tier
    tier_before = models.CharField(max_length=4)  # the alert's tier when it arrived
    tier_after = models.CharField(max_length=4)  # never lower than tier_before
    reasons = models.JSONField(default=list)  # this trigger's reasons, also appended to the alert's
    # An acknowledged alert whose tier rose is open again: the acknowledgement it had, kept here.
    reopened = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"trigger {self.pk} of alert {self.alert_id}"

    @property
    def raised_tier(self) -> bool:
        return self.tier_after != self.tier_before


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")


class AlertDelivery(models.Model):
    """One e-mail about one alert to one person. Written with the alert; a job sends it and
    retries; a failure is kept here and never touches the alert."""

    alert = models.ForeignKey(RiskAlert, on_delete=models.PROTECT, related_name="deliveries")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    escalation_level = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=200, blank=True)  # the exception's class, never its text
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"alert delivery {self.pk}"
