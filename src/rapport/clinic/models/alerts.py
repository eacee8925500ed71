"""Risk alerts. One is written in the same transaction as the answer that raised it."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")


class RiskAlert(models.Model):
    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="alerts")
    response = models.OneToOneField(
        "clinic.Response", null=True, blank=True, on_delete=models.PROTECT, related_name="alert"
    )
    tier = models.CharField(max_length=4)  # T1..T3, from core/triage_rules.yaml
    risk_level = models.CharField(max_length=10)
    reasons = models.JSONField(default=list)  # the rules that fired, by id and description
    status = models.CharField(max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "-created_at"], name="alert_client_latest")]

    def __str__(self) -> str:
        return f"{self.tier} alert {self.pk}"
