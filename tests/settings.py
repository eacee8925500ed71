"""Test settings: the real settings with a fast hasher and in-memory e-mail, and a test database
of each run's own, so that two checkouts (or two runs) testing at once never share one."""

import atexit
import os
import pathlib
import shutil
import tempfile

os.environ.setdefault("RAPPORT_ENV", "test")

from rapport.settings import *  # noqa: F403

# Speed only: the production hasher is asserted in tests/test_signin.py against the real settings.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: Django hands an in-memory database's one connection to the browser
    # tests' live server, whose threads then share it, and two overlapping requests (an autosave
    # and a keep-alive) can hang on it. With a file each thread has its own connection, as in
    # production. Each test process gets a directory of its own, so that two checkouts (or two
    # pytest-xdist workers) running the suite at once never share a database file.
    import atexit
    import shutil
    import tempfile
    from pathlib import Path

    _RUN_DIR = tempfile.mkdtemp(prefix="rapport-test-")
    atexit.register(shutil.rmtree, _RUN_DIR, ignore_errors=True)
    DATABASES["default"]["TEST"] = {"NAME": str(Path(_RUN_DIR) / "test.sqlite3")}  # noqa: F405
else:
    # A server database (PostgreSQL in .ci/run) is shared by every checkout on the machine: a name
    # of this process's own keeps two runs apart (pytest-django adds _gw0, _gw1 for xdist workers,
    # and destroys the database at the end of the run).
    import uuid

    DATABASES["default"]["TEST"] = {"NAME": f"test_rapport_{uuid.uuid4().hex[:12]}"}  # noqa: F405

# FHIR bulk exports write files: each test process into a directory of its own, removed at exit.
RAPPORT_FHIR_EXPORT_DIR = pathlib.Path(tempfile.mkdtemp(prefix="rapport-fhir-export-"))
atexit.register(shutil.rmtree, RAPPORT_FHIR_EXPORT_DIR, ignore_errors=True)

# The keys that open sealed offline entries: each test process makes its own, removed at exit.
RAPPORT_OFFLINE_KEY_DIR = pathlib.Path(tempfile.mkdtemp(prefix="rapport-offline-keys-"))
atexit.register(shutil.rmtree, RAPPORT_OFFLINE_KEY_DIR, ignore_errors=True)
