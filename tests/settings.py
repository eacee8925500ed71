"""Test settings: the real settings with a fast hasher and in-memory e-mail."""

import os

os.environ.setdefault("RAPPORT_ENV", "test")

from rapport.settings import *  # noqa: F403

# Speed only: the production hasher is asserted in tests/test_signin.py against the real settings.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
