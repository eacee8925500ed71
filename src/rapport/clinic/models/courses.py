"""A course of IPT. This holds what measurement needs (which course a score belongs to);
the contract, phases and sessions arrive with the course-of-IPT work."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.clinic.models.clients import ClinicalRecord


class CourseStatus(models.TextChoices):
    REFERRED = "referred", _("Referred")
    ASSESSMENT = "assessment", _("Assessment")
    ACTIVE = "active", _("Active")
    MAINTENANCE = "maintenance", _("Maintenance")
    ENDED = "ended", _("Ended")


class Course(ClinicalRecord):
    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="courses")
    status = models.CharField(max_length=20, choices=CourseStatus.choices, default=CourseStatus.REFERRED)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    planned_sessions = models.PositiveSmallIntegerField(default=16)

    class Meta:
        ordering = ["client", "started_on", "id"]
        indexes = [models.Index(fields=["client", "-started_on"], name="course_client_latest")]

    def __str__(self) -> str:
        return f"course {self.pk} of client {self.client_id}"
