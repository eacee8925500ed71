"""Who is who: organisations, teams, people with one role each, and API tokens."""

import hashlib
import secrets
import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.common.roles import Role
from rapport.core import retention


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


def default_retention_years() -> int:
    return retention.default_years()


def default_opening_hours() -> dict:
    # Mirrors rapport.core.hours.DEFAULT; kept here so old migrations never import the core.
    weekday = [["09:00", "17:00"]]
    return {
        "mon": weekday,
        "tue": weekday,
        "wed": weekday,
        "thu": weekday,
        "fri": weekday,
        "sat": [],
        "sun": [],
    }


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    # When a clinician may see a message; outside these, T2 and T3 messages to clients say so.
    opening_hours = models.JSONField(_("opening hours"), default=default_opening_hours)
    # Years a closed client's record is kept before the purge job removes it (core/retention.yaml,
    # whose default is unconfirmed [U]).
    retention_years = models.PositiveSmallIntegerField(
        _("retention period (years)"), default=default_retention_years
    )

    def __str__(self) -> str:
        return self.name


STAFF_ROLES = frozenset({Role.CLINICIAN, Role.SUPERVISOR, Role.PROGRAMME_LEAD, Role.ADMINISTRATOR})


def normalise_email(value: str) -> str:
    """The one spelling of an address: e-mail addresses compare case-insensitively everywhere."""
    return (value or "").strip().lower()


def axes_username(request, credentials) -> str:
    """django-axes counts failures per account: every spelling of an address shares one counter."""
    return normalise_email((credentials or {}).get("username") or (credentials or {}).get("email") or "")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Sign-in (Django's ModelBackend) looks accounts up here.
        return self.get(email__iexact=normalise_email(username))

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=normalise_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # Lay counsellors deliver IPT under supervision; the title is shown, access is the same.
    clinician_title = models.CharField(_("title"), max_length=100, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="users", verbose_name=_("organisation")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    # Django's own admin site is not mounted: nobody is "staff" in Django's sense.
    @property
    def is_staff(self) -> bool:
        return False


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("name"), max_length=200)
    members = models.ManyToManyField(User, related_name="teams", blank=True)
    supervisors = models.ManyToManyField(User, related_name="supervised_teams", blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique")]

    def __str__(self) -> str:
        return self.name


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal access token. Only its SHA-256 digest is kept; the token is shown once."""

    PREFIX = "rpt_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def new_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)
