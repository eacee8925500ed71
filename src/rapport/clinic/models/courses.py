"""A course of IPT: its variant, format and contract, and its sessions with their notes.

What the protocol says (phases, checklists, agendas, techniques) comes from rapport.core.protocol;
these records hold what happened in this course."""

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


class CourseFormat(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    CONJOINT = "conjoint", _("Conjoint (couple)")
    GROUP = "group", _("Group")


class EndingReason(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    REFERRED_ON = "referred_on", _("Referred on")


class CourseQuerySet(models.QuerySet):
    def current_first(self):
        """Open courses before ended ones, then the latest started: the first is a client's
        current course. A back-dated historical course, or an edited date, never displaces an
        open course."""
        ended = models.Case(models.When(status=CourseStatus.ENDED, then=1), default=0)
        return self.filter(entered_in_error_at__isnull=True).order_by(ended, "-started_on", "-id")


class Course(ClinicalRecord):
    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="courses")
    variant = models.CharField(_("variant"), max_length=32, default="ipt_individual")
    format = models.CharField(_("format"), max_length=12, choices=CourseFormat.choices, default="individual")
    status = models.CharField(
        _("status"), max_length=20, choices=CourseStatus.choices, default=CourseStatus.REFERRED
    )
    ending_reason = models.CharField(
        _("ending reason"), max_length=20, choices=EndingReason.choices, blank=True
    )
    started_on = models.DateField(_("start date"), default=timezone.localdate)
    planned_end_on = models.DateField(_("planned end date"), null=True, blank=True)
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    planned_sessions = models.PositiveSmallIntegerField(_("planned sessions"), default=16)
    frequency = models.CharField(_("frequency"), max_length=40, default="weekly", blank=True)
    session_minutes = models.PositiveSmallIntegerField(_("session length (minutes)"), null=True, blank=True)
    missed_session_policy = models.TextField(_("missed-session policy"), blank=True)
    # The policy's structured part, which appointments apply. [U] The spec asks only that the
    # contract states a policy (treatment_contract task): a cancellation under 24 hours before is
    # late, and a late cancellation or a did-not-attend uses one of the contract's sessions.
    late_cancel_hours = models.PositiveSmallIntegerField(
        _("a cancellation is late under this many hours before"), default=24
    )
    late_cancel_counts = models.BooleanField(_("a late cancellation uses one of the sessions"), default=True)
    no_show_counts = models.BooleanField(_("a session not attended uses one of the sessions"), default=True)
    contract_goals = models.TextField(_("goals agreed in the contract"), blank=True)
    agreed_on = models.DateField(_("date the client agreed the contract"), null=True, blank=True)
    # The whole-inventory notes of inventory.yaml (past patterns, social support, ...), by field id.
    inventory_notes = models.JSONField(default=dict, blank=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["client", "started_on", "id"]
        indexes = [models.Index(fields=["client", "-started_on"], name="course_client_latest")]

    def __str__(self) -> str:
        return f"course {self.pk} of client {self.client_id}"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    ATTENDED = "attended", _("Attended")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


class Session(ClinicalRecord):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("session number"))
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=12, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    # The phase is derived from the number and the contract; an override needs a reason.
    phase_override = models.CharField(_("phase (override)"), max_length=20, blank=True)
    phase_override_reason = models.TextField(_("why the phase differs"), blank=True)
    tasks_done = models.JSONField(default=list, blank=True)  # protocol task ids ticked off
    step_notes = models.JSONField(default=dict, blank=True)  # agenda step id -> note
    techniques = models.JSONField(default=list, blank=True)  # protocol technique ids used
    problem_area_progress = models.PositiveSmallIntegerField(null=True, blank=True)
    goal_ratings = models.JSONField(default=dict, blank=True)  # goal id -> progress 0 to 10
    between_session_task = models.TextField(_("between-session task"), blank=True)
    # How the task agreed at the previous session went, reviewed at this one (optional, never graded).
    task_review = models.TextField(_("how the last between-session task went"), blank=True)
    note = models.TextField(_("session note"), blank=True)

    class Meta:
        ordering = ["course", "number"]
        constraints = [models.UniqueConstraint(fields=["course", "number"], name="session_number_unique")]

    def __str__(self) -> str:
        return f"session {self.number} of course {self.course_id}"
