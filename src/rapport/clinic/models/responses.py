"""A questionnaire as answered: the answers as given, the definition version, and the results
computed from them by rapport.core.scoring at the time."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.clinic.models.clients import ClinicalRecord


class Respondent(models.TextChoices):
    CLIENT = "client", _("The client")
    CLINICIAN = "clinician", _("A clinician")


class Response(ClinicalRecord):
    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="responses")
    course = models.ForeignKey("clinic.Course", on_delete=models.PROTECT, related_name="responses")
    session_number = models.PositiveSmallIntegerField(null=True, blank=True)
    instrument = models.CharField(max_length=32)
    instrument_version = models.CharField(max_length=32)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    respondent = models.CharField(max_length=10, choices=Respondent.choices)
    answered_at = models.DateTimeField(default=timezone.now)
    answers = models.JSONField(default=dict)  # item id -> option code, as given
    complete = models.BooleanField()
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=32, blank=True)
    risk_flags = models.JSONField(default=list)
    unanswered_risk_items = models.JSONField(default=list)
    risk_level = models.CharField(max_length=10, default="none")
    declined_items = models.JSONField(default=list, blank=True)  # "prefer not to say", as chosen

    class Meta:
        ordering = ["answered_at", "id"]
        indexes = [models.Index(fields=["client", "instrument", "answered_at"], name="response_series")]

    def __str__(self) -> str:
        return f"{self.instrument} response {self.pk}"
