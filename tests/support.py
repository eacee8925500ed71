"""Small helpers shared by test modules: a request for calling services, and the worker."""

import signal
from unittest import mock

from django.core.management import call_command
from django.test import RequestFactory


def request_as(user):
    """A request from `user`, for calling a service directly."""
    request = RequestFactory().post("/")
    request.user = user
    return request


def run_worker():
    """What `rapport db_worker --batch --no-startup-delay` does: run every due job, then stop.

    The command takes over SIGINT, SIGTERM and SIGQUIT for its own shutdown and leaves them so;
    they are put back, or Ctrl+C would no longer stop the test run. The worker also closes
    "old" database connections between jobs, which inside a test's transaction (PostgreSQL, or
    SQLite in a file) would close the test's own connection: that step is left out here."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
