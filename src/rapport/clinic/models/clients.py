"""Client records and the emergency ("break-glass") grants that open one outside a caseload."""

from datetime import date

from django.conf import global_settings, settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from rapport.accounts.models import Role, validate_time_zone


class ClinicalRecord(models.Model):
    """What every clinical record shares: a version for safe concurrent edits, and
    entered-in-error instead of deletion (the record is hidden, the reason kept)."""

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_reason = models.TextField(blank=True)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class ClientStatus(models.TextChoices):
    REFERRED = "referred", _("Referred")
    ASSESSMENT = "assessment", _("Assessment")
    ACTIVE = "active", _("In a course of IPT")
    MAINTENANCE = "maintenance", _("Maintenance")
    ENDED = "ended", _("Course ended")


class ClientQuerySet(models.QuerySet):
    def visible_to(self, user, now=None):
        """The clients this person may see. Every list, detail page, API route and export
        starts here, so that they always agree."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        now = now or timezone.now()
        mine = self.filter(organisation_id=user.organisation_id, entered_in_error_at__isnull=True)
        if user.role == Role.CLINICIAN:
            # The candidates come through indexes (own caseload, co-clinician links, live grants),
            # so the database never tests every client of the organisation: an OR of EXISTS did,
            # half a second at 100,000 clients.
            own = Client.objects.filter(responsible_clinician_id=user.pk).order_by().values("pk")
            co = Client.co_clinicians.through.objects.filter(user_id=user.pk).order_by().values("client_id")
            glass = (
                BreakGlassGrant.objects.filter(clinician_id=user.pk, expires_at__gt=now)
                .order_by()
                .values("client_id")
            )
            return mine.filter(pk__in=own.union(co, glass))
        if user.role in (Role.SUPERVISOR, Role.PROGRAMME_LEAD):
            teams = user.supervised_teams.through.objects.filter(user_id=user.pk).values("team_id")
            return mine.filter(team_id__in=teams)
        if user.role == Role.CLIENT:
            return mine.filter(user_id=user.pk)
        # Administrators manage accounts and settings; they read no clinical record.
        return self.none()

    def visible_one(self, user, pk, now=None):
        """`visible_to(user).filter(pk=pk).first()` at the cost of a lookup by key: the row, then
        `may_see` decides on it. Every single-client read and access check asks this; compiling
        visible_to's UNION was most of an access check's cost (bench/access_check.py)."""
        client = self.filter(pk=pk).first()
        return client if client is not None and may_see(user, client, now) else None


def may_see(user, client, now=None) -> bool:
    """Whether `client` is among `Client.objects.visible_to(user)`: the same rule, decided on a
    row already read, so that the usual answer (own caseload, own record) needs no query and the
    others one query on an index. tests/test_access_check.py holds the two to the same answers
    for every persona and client."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if client.organisation_id != user.organisation_id or client.entered_in_error_at is not None:
        return False
    if user.role == Role.CLINICIAN:
        if client.responsible_clinician_id == user.pk:
            return True
        co = Client.co_clinicians.through.objects.filter(client_id=client.pk, user_id=user.pk)
        glass = BreakGlassGrant.objects.filter(
            clinician_id=user.pk, client_id=client.pk, expires_at__gt=now or timezone.now()
        )
        return co.exists() or glass.exists()
    if user.role in (Role.SUPERVISOR, Role.PROGRAMME_LEAD):
        return user.supervised_teams.through.objects.filter(user_id=user.pk, team_id=client.team_id).exists()
    if user.role == Role.CLIENT:
        return client.user_id == user.pk
    # Administrators manage accounts and settings; they read no clinical record.
    return False


class Client(ClinicalRecord):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="clients"
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="clients")
    responsible_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="responsible_for",
        verbose_name=_("responsible clinician"),
    )
    co_clinicians = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="co_clinician_for"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="client_record",
        verbose_name=_("client account"),
    )
    full_name = models.CharField(_("full name"), max_length=200)
    preferred_name = models.CharField(
        _("preferred name"), max_length=100, blank=True, help_text=_("What the client likes to be called.")
    )
    date_of_birth = models.DateField(_("date of birth"))
    language = models.CharField(_("language"), max_length=10, choices=global_settings.LANGUAGES, default="en")
    country = CountryField(verbose_name=_("country"), help_text=_("Crisis lines are chosen by country."))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ClientStatus.choices, default=ClientStatus.REFERRED
    )

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["full_name", "id"]
        indexes = [
            models.Index(fields=["responsible_clinician", "full_name"], name="client_caseload"),
            # A supervisor's clients (visible_to: the organisation's, in the supervised teams).
            # With the two single-column indexes alone SQLite took the organisation's and walked
            # every client of it: 17 ms a query at 100,000 clients, twice on the supervisor's home.
            models.Index(fields=["team", "organisation"], name="client_team_org"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.preferred_name and self.preferred_name != self.full_name:
            return f"{self.full_name} ({self.preferred_name})"
        return self.full_name

    def age_on(self, day: date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class BreakGlassGrant(models.Model):
    """Time-boxed emergency access to a record outside the clinician's caseload."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="break_glass_grants")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["clinician", "client", "expires_at"], name="glass_lookup")]

    def __str__(self) -> str:
        return f"emergency access {self.pk}"


class Notification(models.Model):
    """A message to a member of staff from the application: emergency access, risk alerts."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    client = models.ForeignKey(Client, null=True, on_delete=models.PROTECT, related_name="+")
    alert = models.ForeignKey(
        "clinic.RiskAlert", null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    # What an activity notice is about (messaging.notices.KINDS: a message, a check-in...); empty
    # for alerts and emergency access, which link through `alert` and `client`.
    kind = models.CharField(max_length=20, blank=True, default="")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject
