"""All settings, read from the environment through three small typed helpers.

Defaults suit a checkout on a laptop (SQLite under var/, console e-mail); RAPPORT_ENV=production
turns on the production profile, under which `rapport check --deploy` is clean.
"""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("RAPPORT_VAR_DIR", Path.cwd() / "var"))


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


RAPPORT_ENV = env_str("RAPPORT_ENV", "development")
if RAPPORT_ENV not in ("development", "production", "test"):
    raise ImproperlyConfigured(f"RAPPORT_ENV must be development, test or production, not {RAPPORT_ENV!r}")
PRODUCTION = RAPPORT_ENV == "production"


def _secret_key() -> str:
    # Generated once into var/ so that a checkout works without set-up and nothing is committed.
    if key := os.environ.get("SECRET_KEY"):
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "rapport.accounts",
    "rapport.audit",
    "rapport.clinic",
    "rapport.programme",
    "rapport.supervision",
    "rapport.scheduling",
    "rapport.messaging",
    "rapport.common",
    "rapport.staff",
    "rapport.portal",
    "rapport.api",
    "rapport.offline",
    "rapport.demo",
    "rapport.backups",
    "rapport.retention",
    "rapport.groups",
    "rapport.directory",
    "rapport.intake",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "django_countries",
    "csp",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "rapport.audit.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rapport.common.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "rapport.accounts.middleware.IdleLogoutMiddleware",
    "rapport.accounts.middleware.TimezoneMiddleware",
    "rapport.scheduling.middleware.CheckInLinkScopeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "rapport.api.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "rapport.urls"
WSGI_APPLICATION = "rapport.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "rapport.accounts.context.navigation",
                "rapport.messaging.context.unread",
            ],
        },
    }
]

# SQLite by default so that a checkout just works; PostgreSQL through DATABASE_URL in production.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'rapport.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
# Connections are kept between requests (each gunicorn thread its own), checked before reuse:
# opening one per request cost about a twentieth of an API write (docs/performance.md, #17).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    if not DATABASES["default"]["NAME"].startswith(":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60

# Sign-in protection: lock the account whatever the address. Not by address: a clinic behind one
# NAT or proxy address would lock every colleague out after a few typos (axes.W006 is silenced
# for that reason; a reverse proxy in front should rate-limit by address instead).
AXES_FAILURE_LIMIT = env_int("RAPPORT_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = env_int("RAPPORT_LOCKOUT_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "rapport.accounts.models.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "rapport.audit.middleware.client_ip"

# Staff must confirm a one-time password in production; optional elsewhere (the demo).
RAPPORT_REQUIRE_STAFF_2FA = env_bool("RAPPORT_REQUIRE_STAFF_2FA", PRODUCTION)
OTP_TOTP_ISSUER = "Rapport"
RAPPORT_STAFF_IDLE_SECONDS = env_int("RAPPORT_STAFF_IDLE_SECONDS", 15 * 60)
RAPPORT_CLIENT_IDLE_SECONDS = env_int("RAPPORT_CLIENT_IDLE_SECONDS", 30 * 60)
RAPPORT_BREAK_GLASS_MINUTES = env_int("RAPPORT_BREAK_GLASS_MINUTES", 60)
# The address that links in e-mails (alerts, invitations) point to.
RAPPORT_BASE_URL = env_str("RAPPORT_BASE_URL", "http://127.0.0.1:8000")
# FHIR: the canonical address of our Questionnaires and code systems (stable, whatever host serves
# the API), and where bulk exports write their NDJSON files, one directory per export.
RAPPORT_FHIR_CANONICAL_BASE = env_str("RAPPORT_FHIR_CANONICAL_BASE", "https://fhir.rapport.example/R4")
RAPPORT_FHIR_EXPORT_DIR = Path(env_str("RAPPORT_FHIR_EXPORT_DIR", str(VAR_DIR / "fhir-exports")))
RAPPORT_INVITATION_DAYS = env_int("RAPPORT_INVITATION_DAYS", 7)
# The private keys that open group sessions sealed on a device offline (offline/keys.py): made on
# first use, one file per key id, never committed; keep them out of the backups' reach like the
# backup key.
RAPPORT_OFFLINE_KEY_DIR = Path(env_str("RAPPORT_OFFLINE_KEY_DIR", str(VAR_DIR / "offline-keys")))
# The front door (rapport.intake): public referrals are limited per caller address and overall,
# counted in the database over the window; the waiting list's estimate and re-checks.
RAPPORT_REFERRALS_PER_IP = env_int("RAPPORT_REFERRALS_PER_IP", 5)
RAPPORT_REFERRALS_GLOBAL = env_int("RAPPORT_REFERRALS_GLOBAL", 200)
# A referral with a risk answer is never lost to those limits alone: over them it is still taken
# while its address has fewer urgent ones than this in the window, and the service fewer than the
# global figure; past these too it is refused like any other (crisis lines shown, nobody told).
# [U] Bounded so that the front door cannot flood the intake inbox with "urgent" referrals.
RAPPORT_URGENT_REFERRALS_PER_IP = env_int("RAPPORT_URGENT_REFERRALS_PER_IP", 10)
RAPPORT_URGENT_REFERRALS_GLOBAL = env_int("RAPPORT_URGENT_REFERRALS_GLOBAL", 400)
RAPPORT_REFERRAL_WINDOW_SECONDS = env_int("RAPPORT_REFERRAL_WINDOW_SECONDS", 3600)
RAPPORT_REFERRAL_ORGANISATION = env_int("RAPPORT_REFERRAL_ORGANISATION", 0)  # 0: the first one
RAPPORT_REFERRAL_CONSENT_VERSION = env_str("RAPPORT_REFERRAL_CONSENT_VERSION", "1")
RAPPORT_REFERRAL_MIN_TIER = env_str("RAPPORT_REFERRAL_MIN_TIER", "T2")  # [U] a referral's risk: same day
RAPPORT_REFERRAL_REPLY_DAYS = env_int("RAPPORT_REFERRAL_REPLY_DAYS", 5)  # [U] promised in the reply
RAPPORT_WAIT_PACE_DAYS = env_int("RAPPORT_WAIT_PACE_DAYS", 90)
RAPPORT_WAIT_WEEKS_PER_PLACE = env_int("RAPPORT_WAIT_WEEKS_PER_PLACE", 1)  # [U] a clinic's choice
RAPPORT_WAITING_RECHECK_WEEKS = env_int("RAPPORT_WAITING_RECHECK_WEEKS", 4)  # [U] a clinic's choice
# The key `rapport backup` encrypts with and `rapport restore` needs (`rapport backup --new-key`).
# Keep it apart from the backups: whoever holds both can read every record.
RAPPORT_BACKUP_KEY = env_str("RAPPORT_BACKUP_KEY", "")

SESSION_COOKIE_AGE = 12 * 60 * 60
RAPPORT_SESSION_MAX_SECONDS = env_int("RAPPORT_SESSION_MAX_SECONDS", 12 * 60 * 60)  # absolute, from sign-in
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("RAPPORT_SECURE_COOKIES", PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin, not no-referrer: under no-referrer browsers send "Origin: null" with form posts
# and Django's CSRF check refuses them. No address ever leaves for another site either way.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("RAPPORT_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("RAPPORT_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
RAPPORT_BEHIND_PROXY = env_bool("RAPPORT_BEHIND_PROXY", False)
if RAPPORT_BEHIND_PROXY:
    # The proxy must set X-Forwarded-Proto and append the caller to X-Forwarded-For.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The group session screen's web app manifest (staff/offline.py); default-src would refuse it.
        "manifest-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Outside production static files come straight from the package, no collectstatic needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Rapport <rapport@localhost>")

# Video sessions: each online appointment's room is this address plus an unguessable name. The
# default is a placeholder for the organisation's own self-hosted Jitsi Meet; an organisation sets
# its own on its scheduling settings.
RAPPORT_VIDEO_BASE_URL = env_str("RAPPORT_VIDEO_BASE_URL", "https://meet.example.org/")
# A self-hosted Jitsi Meet with JWT authentication: its application id and shared secret (HS256),
# from the environment only, never committed. Both empty: links carry no token. The audience is
# what the Jitsi server accepts (its asap_accepted_audiences).
RAPPORT_JITSI_APP_ID = env_str("RAPPORT_JITSI_APP_ID", "")
RAPPORT_JITSI_APP_SECRET = env_str("RAPPORT_JITSI_APP_SECRET", "")
RAPPORT_JITSI_AUDIENCE = env_str("RAPPORT_JITSI_AUDIENCE", "jitsi")
if bool(RAPPORT_JITSI_APP_ID) != bool(RAPPORT_JITSI_APP_SECRET):
    raise ImproperlyConfigured("Set both RAPPORT_JITSI_APP_ID and RAPPORT_JITSI_APP_SECRET, or neither")
if RAPPORT_JITSI_APP_SECRET and len(RAPPORT_JITSI_APP_SECRET) < 32:
    # HS256 with a short shared secret can be guessed offline from one token.
    raise ImproperlyConfigured("RAPPORT_JITSI_APP_SECRET must be at least 32 characters")
# Text-message reminders go through this back-end (dotted path to a class with send(to, text)).
RAPPORT_SMS_BACKEND = env_str("RAPPORT_SMS_BACKEND", "rapport.scheduling.sms.ConsoleBackend")

# Background jobs (alert e-mail, escalation) wait in the same database and run in
# `rapport db_worker`; a job row is written in the same transaction as the alert it serves.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Logs carry a request id and never a request body, note text, password or token; the
# no_record_values filter drops exception messages and SQL parameters (rapport/audit/logs.py).
# JSON lines in production (for a log collector), readable lines elsewhere; LOG_FORMAT overrides.
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "plain")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "rapport.audit.middleware.RequestIdLogFilter"},
        "no_record_values": {"()": "rapport.audit.logs.NoRecordValuesFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "rapport.audit.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": sys.stderr,
            "filters": ["request_id", "no_record_values"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Replaces Django's own handlers for its loggers (a console one under DEBUG, mail_admins),
        # which would print without the filters above.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

NINJA_PAGINATION_PER_PAGE = 100
