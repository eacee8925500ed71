"""Referrals, who does intake, the waiting list's re-checks, and the stamps the rate limit counts.

A referral is a clinical record (versioned, never deleted, entered in error at most): what a person
told us about themselves before they were anyone's client. The waiting-list fields live on the
referral itself, because a person waits at most once per referral and every change to the place
is a change of the referral, compare-and-set like any other."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from rapport.clinic.models import ClinicalRecord


class IntakeWorker(models.Model):
    """A member of staff an administrator chose to read and triage referrals (a clinician or a
    supervisor); the choice is kept, and ended rather than deleted."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="intake")
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    chosen_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"intake: {self.user}"


class ReferredBy(models.TextChoices):
    SELF = "self", _("The person themselves")
    PROFESSIONAL = "professional", _("A GP or another service")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    WAITING = "waiting", _("On the waiting list")
    SIGNPOSTED = "signposted", _("Signposted elsewhere")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled by the person")


OPEN_STATUSES = (Status.NEW, Status.WAITING)


class Referral(ClinicalRecord):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    # What the person and the intake team quote; never a database id, never personal data.
    reference = models.CharField(max_length=12, unique=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    referred_by = models.CharField(max_length=12, choices=ReferredBy.choices, default=ReferredBy.SELF)
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_role = models.CharField(max_length=200, blank=True)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_email = models.EmailField(blank=True)
    referrer_phone = models.CharField(max_length=40, blank=True)

    full_name = models.CharField(max_length=200)
    # Empty only on an incomplete referral (below): the intake team completes it.
    date_of_birth = models.DateField(null=True, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    contact_by = models.JSONField(default=list)  # "email", "phone", "text"
    may_leave_message = models.BooleanField(default=False)
    country = CountryField()
    language = models.CharField(max_length=10, default="en")
    format = models.CharField(max_length=20, blank=True)  # as the directory's formats name them
    preferred_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    concern = models.TextField()  # what is wrong, in their own words
    consent_contact = models.BooleanField()
    consent_data = models.BooleanField()
    consent_wording_version = models.CharField(max_length=20)

    # The screening as answered (item id -> option code; skipped items absent) and as scored.
    phq9_answers = models.JSONField(default=dict)
    gad7_answers = models.JSONField(default=dict)
    phq9_total = models.PositiveSmallIntegerField(null=True, blank=True)
    phq9_band = models.CharField(max_length=32, blank=True)
    gad7_total = models.PositiveSmallIntegerField(null=True, blank=True)
    gad7_band = models.CharField(max_length=32, blank=True)
    risk_flags = models.JSONField(default=list)  # "phq9.item9"
    urgent = models.BooleanField(default=False)
    # A form refused for another reason whose valid answers carried risk and which gave a way to
    # reach the person: kept with only what was valid, urgent, and the refused fields named
    # ("date_of_birth", "email", ...) until the intake team completes it.
    incomplete = models.BooleanField(default=False)
    missing = models.JSONField(default=list, blank=True)
    alert = models.OneToOneField(
        "clinic.RiskAlert", null=True, blank=True, on_delete=models.PROTECT, related_name="referral"
    )

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)  # the reason declined, or the signposting letter
    assigned_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    client = models.OneToOneField(
        "clinic.Client", null=True, blank=True, on_delete=models.PROTECT, related_name="referral"
    )

    # The waiting list: for a clinician or a team; higher priority first, then the longest waiting.
    waiting_since = models.DateTimeField(null=True, blank=True)
    waiting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    waiting_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    priority = models.PositiveSmallIntegerField(default=0)
    left_list_at = models.DateTimeField(null=True, blank=True)
    link_digest = models.CharField(max_length=64, blank=True, db_index=True)  # the private link's
    next_recheck_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-urgent", "submitted_at", "id"]
        indexes = [
            models.Index(fields=["organisation", "status", "-urgent"], name="referral_inbox"),
            models.Index(fields=["status", "waiting_for", "waiting_team"], name="referral_waiting"),
            models.Index(fields=["status", "next_recheck_at"], name="referral_recheck_due"),
        ]

    def __str__(self) -> str:
        return f"referral {self.reference}"


class Recheck(models.Model):
    """A PHQ-9 answered through the private link while waiting."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="rechecks")
    answered_at = models.DateTimeField(default=timezone.now)
    answers = models.JSONField(default=dict)
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=32, blank=True)
    risk_flags = models.JSONField(default=list)
    moved_up = models.BooleanField(default=False)

    class Meta:
        ordering = ["answered_at", "id"]

    def __str__(self) -> str:
        return f"re-check {self.pk}"


class Stamp(models.Model):
    """One accepted public submission, counted by the rate limit: the caller's address only as a
    keyed digest, kept for the limit's window and then swept."""

    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)
    # Taken by a referral with a risk answer: counted against the higher urgent caps too.
    urgent = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["key", "at"], name="stamp_key_at"),
            models.Index(fields=["at"], name="stamp_at"),
        ]

    def __str__(self) -> str:
        return f"stamp {self.pk}"
