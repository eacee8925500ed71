"""The client's safety plan (spec 3.3): six sections, each an ordered list of
{text, phone, available_hours}, with every saved version kept."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from rapport.clinic.models.clients import ClinicalRecord


class SafetyPlan(ClinicalRecord):
    client = models.OneToOneField("clinic.Client", on_delete=models.PROTECT, related_name="safety_plan")
    sections = models.JSONField(default=dict)  # section id -> [{text, phone, available_hours}]
    template_version = models.CharField(max_length=32, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_reviewed_with_clinician_at = models.DateTimeField(null=True, blank=True)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"safety plan {self.pk}"


class SafetyPlanVersion(models.Model):
    """A copy of the plan as it was after each save, oldest first."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    sections = models.JSONField(default=dict)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)
    reviewed_together = models.BooleanField(default=False)

    class Meta:
        ordering = ["version"]
        constraints = [models.UniqueConstraint(fields=["plan", "version"], name="safety_plan_version_unique")]

    def __str__(self) -> str:
        return f"safety plan {self.plan_id} v{self.version}"
