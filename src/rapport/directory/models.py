"""Provider profiles for the public directory (issue 15): what a clinician chose to publish about
themselves, their credentials with who verified each and how, and the organisation's choices.

A profile holds no client data, ever: the public pages read these tables and the schedule's
free times, and outcome figures come from the programme's summaries as counts alone.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.clinic.models import ClinicalRecord


class ProviderProfile(ClinicalRecord):
    """One per clinician, created when they opt in. Listed publicly only while the clinician
    keeps `listed` on and an administrator has published it (`published_at`)."""

    clinician = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider_profile"
    )
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    listed = models.BooleanField(_("list me in the public directory"), default=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    display_name = models.CharField(_("name as shown"), max_length=120)
    profession = models.CharField(_("profession"), max_length=120)
    languages = models.JSONField(default=list)  # language codes (settings.LANGUAGES)
    formats = models.JSONField(default=list)  # core.directory.FORMATS
    problem_areas = models.JSONField(default=list)  # protocol problem area ids; experience [U]
    place = models.CharField(_("city or area"), max_length=120, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="GBP")
    fee_from = models.PositiveIntegerField(_("fee per session from"), null=True, blank=True)
    fee_to = models.PositiveIntegerField(_("fee per session up to"), null=True, blank=True)
    sliding_scale = models.BooleanField(_("sliding scale"), default=False)
    free_places = models.BooleanField(_("free places"), default=False)
    statement = models.TextField(_("a short statement"), max_length=1000, blank=True)
    show_outcomes = models.BooleanField(_("show my outcome figures"), default=False)

    class Meta:
        indexes = [models.Index(fields=["organisation", "listed", "published_at"], name="profile_public")]

    def __str__(self) -> str:
        return f"provider profile {self.pk} of user {self.clinician_id}"

    @property
    def is_public(self) -> bool:
        return self.listed and self.published_at is not None and self.entered_in_error_at is None


class CredentialKind(models.TextChoices):
    LICENCE = "licence", _("Licence or registration")
    TRAINING = "training", _("IPT training")


class VerificationMethod(models.TextChoices):
    # How an administrator checked a credential; the evidence itself stays with them.
    REGISTER = "register", _("Checked on the issuing body's public register")
    BODY = "body", _("Confirmed in writing by the issuing body")
    CERTIFICATE = "certificate", _("Original certificate seen")


class Credential(ClinicalRecord):
    """A licence or registration (number, issuing body, country) or an IPT training (level, where,
    when, supervised cases). Self-declared until an administrator verifies it; a clinician's edit
    clears the verification, so a changed claim is never shown as verified (HAZ-240)."""

    profile = models.ForeignKey(ProviderProfile, on_delete=models.PROTECT, related_name="credentials")
    kind = models.CharField(max_length=12, choices=CredentialKind.choices)
    issuing_body = models.CharField(_("issuing body or trainer"), max_length=200)
    number = models.CharField(_("number"), max_length=80, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    level = models.CharField(_("level"), max_length=120, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    supervised_cases = models.PositiveSmallIntegerField(_("supervised cases"), null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verification_method = models.CharField(max_length=20, choices=VerificationMethod.choices, blank=True)

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return f"credential {self.pk} of profile {self.profile_id}"

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


class DirectorySettings(models.Model):
    """An organisation's choices for the directory: whether its clinicians' outcome figures may be
    shown at all (each clinician must opt in as well)."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="directory_settings"
    )
    show_outcomes = models.BooleanField(_("show clinicians' outcome figures"), default=False)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"directory settings of organisation {self.organisation_id}"
