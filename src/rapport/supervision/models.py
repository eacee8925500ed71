"""Supervision and the running of the service: sites, and the case reviews a supervisor records
with the actions agreed at them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.clinic.models import ClinicalRecord


class Site(models.Model):
    """A place the service runs from; teams work at one or more sites."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    teams = models.ManyToManyField("accounts.Team", related_name="sites", blank=True, verbose_name=_("teams"))

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="site_name_unique")]

    def __str__(self) -> str:
        return self.name


class CaseReview(ClinicalRecord):
    """A supervisor's review of one client's case, or of one clinician's caseload as a whole.
    The team is fixed when it is written, so a later transfer never moves the review out of the
    sight of the supervisor who wrote it or into another team's."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="case_reviews")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="case_reviews",
        verbose_name=_("clinician"),
    )
    client = models.ForeignKey(
        "clinic.Client",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_reviews",
        verbose_name=_("client"),
    )
    held_on = models.DateField(_("date of the review"), default=timezone.localdate)
    discussion = models.TextField(_("discussion"))

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["team", "-held_on"], name="review_team_latest")]

    def __str__(self) -> str:
        return f"case review {self.pk}"


class AgreedAction(models.Model):
    """One action agreed at a review, with its due date; done when followed up."""

    review = models.ForeignKey(CaseReview, on_delete=models.PROTECT, related_name="actions")
    text = models.CharField(_("action"), max_length=500)
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    entered_in_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["done_on", "due_on"], name="action_open_due")]

    def __str__(self) -> str:
        return f"agreed action {self.pk}"


class ClientTransfer(models.Model):
    """One move of a client to another responsible clinician, with the reason given."""

    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="transfers")
    from_clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    to_clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    to_team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"transfer {self.pk} of client {self.client_id}"
