"""The append-only audit trail: one row per view, change, sign-in event, denial, export or print.

Rows name people and records by id and say what happened; they never hold note text,
passwords or tokens. Nothing in the application updates or deletes a row: the model refuses,
and database triggers (see the migrations) refuse whatever goes around the model.
"""

import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    READ = "read", _("Viewed")
    LIST = "list", _("Listed")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Marked entered in error")
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_OUT = "sign_out", _("Signed out")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    LOCKED_OUT = "locked_out", _("Locked out")
    DENIED = "denied", _("Access denied")
    EXPORT = "export", _("Exported")
    PRINT = "print", _("Printed")
    BREAK_GLASS = "break_glass", _("Emergency access")
    TWO_FACTOR = "two_factor", _("Two-factor change")
    TOKEN = "token", _("API token change")
    # A closed client's record removed after the retention period: one row per class of record,
    # with its count, never its content.
    PURGE = "purge", _("Purged after retention")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    DENIED = "denied", _("Denied")
    FAILURE = "failure", _("Failure")


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit rows cannot be changed")

    def delete(self):
        raise PermissionError("audit rows cannot be deleted")

    # Refuse the raw path too (its signature differs; any call is refused either way).
    _raw_delete = delete  # type: ignore[assignment]


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # Ids without database constraints: the trail outlives whatever it names.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    client = models.ForeignKey(
        "clinic.Client",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    route = models.CharField(max_length=100, blank=True)
    ip = models.GenericIPAddressField(null=True)
    request_id = models.CharField(max_length=36, blank=True, db_index=True)
    # Structured facts only (changed field names, counts, ids), never free text from a record.
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["client", "-at"], name="audit_client_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.outcome}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit rows cannot be deleted")

    @property
    def record_label(self) -> str:
        kind = self.object_type or self.detail.get("object_type", "")
        words = str(record_words(kind)) if kind else ""
        if self.detail.get("of") == "Course" and self.object_id:
            return _("%(record)s of course %(id)s") % {"record": words, "id": self.object_id}
        return f"{words} {self.object_id}".strip()


# What the audit trail page calls each kind of record: the one place that names them in words.
# Keys are the object types written by trail.record (a model's class name, or the name of what
# a read showed when that is not one record: a course's inventory, the client's check-ins).
RECORD_WORDS = {
    "AlertDelivery": _("Alert delivery"),
    "AlertTrigger": _("Alert trigger"),
    "ApiToken": _("API token"),
    "AuditTrail": _("Audit trail"),
    "BreakGlassGrant": _("Emergency access"),
    "CheckInDraft": _("Check-in answers not yet sent"),
    "CheckInSchedule": _("Check-in schedule"),
    "CheckIns": _("Check-ins"),
    "Client": _("Client record"),
    "ClientRegister": _("Client register"),
    "ClinicMessage": _("Message from the clinic"),
    "ClosenessCircle": _("Closeness circle"),
    "Course": _("Course of IPT"),
    "DigestChoice": _("Daily digest choice"),
    "Formulation": _("Formulation"),
    "Goal": _("Goal"),
    "Inventory": _("Interpersonal inventory"),
    "InventoryEntry": _("Interpersonal inventory entry"),
    "Invitation": _("Portal invitation"),
    "Message": _("Secure message"),
    "MessageInbox": _("Messages inbox"),
    "Notification": _("Notification"),
    "Organisation": _("Organisation"),
    "Outcomes": _("Outcomes"),
    "Plan": _("Client's plan"),
    "Preparation": _("Since we last met"),
    "RelapsePreventionPlan": _("Relapse-prevention plan"),
    "Response": _("Questionnaire response"),
    "RiskAlert": _("Risk alert"),
    "SafetyPlan": _("Safety plan"),
    "SafetyPlanVersion": _("Safety plan version"),
    "Session": _("Session"),
    "TaskReport": _("Between-session task report"),
    "Team": _("Team"),
    "Thread": _("Secure messages"),
    "TimelineEvent": _("Timeline event"),
    "User": _("User account"),
}


def record_words(kind: str):
    # An unnamed kind still reads as words ("SomeRecord" -> "Some record"), never as a class name.
    if kind in RECORD_WORDS:
        return RECORD_WORDS[kind]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", kind).capitalize()
