"""Logs without personal data: errors that carry a planted string never put it in the log, SQL is
logged without its parameters, a refusal is one line, and production logs are JSON lines."""

import io
import json
import logging
from unittest import mock

import pytest
from django.db import IntegrityError, connection, transaction

from rapport.accounts.models import User
from rapport.audit.logs import JsonFormatter
from rapport.clinic.models import Client

PLANTED = "Planted-Marigold-4417"


@pytest.fixture
def log():
    """What the configured console handler (with its filters) writes, as the settings set it up."""
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "name", "") == "console")
    stream = io.StringIO()
    old = handler.setStream(stream)
    root_level = logging.getLogger().level
    try:
        yield stream
    finally:
        handler.setStream(old)
        logging.getLogger().setLevel(root_level)


def test_a_server_error_carrying_a_planted_value_logs_its_frames_not_its_message(clinic, as_user, log):
    browser = as_user(clinic.clinician)
    browser.raise_request_exception = False
    with mock.patch("rapport.api.routes.rules.is_client_user", side_effect=ValueError(PLANTED)):
        response = browser.get("/api/v1/me")
    assert response.status_code == 500
    text = log.getvalue()
    assert "Internal Server Error: /api/v1/me" in text
    assert "builtins.ValueError (message removed)" in text and "routes.py" in text
    assert PLANTED not in text
    assert response["X-Request-ID"] in text


def test_a_database_error_quoting_the_row_never_reaches_the_log(clinic, log):
    User.objects.filter(pk=clinic.clinician.pk).update(full_name=PLANTED)
    try:
        with transaction.atomic():
            User.objects.create(email=clinic.clinician.email, full_name=PLANTED, organisation=clinic.org)
    except IntegrityError as e:
        logging.getLogger("rapport.test").exception("could not add %s", e)
    text = log.getvalue()
    assert "IntegrityError" in text and "could not add" in text
    assert PLANTED not in text and clinic.clinician.email not in text


def test_sql_is_logged_without_its_parameters(db, log):
    logging.getLogger("django.db.backends").setLevel(logging.DEBUG)
    logging.getLogger().setLevel(logging.DEBUG)
    try:
        with mock.patch.object(connection, "force_debug_cursor", True):
            Client.objects.filter(full_name=PLANTED).exists()
    finally:
        logging.getLogger("django.db.backends").setLevel(logging.NOTSET)
    text = log.getvalue()
    assert "SELECT …; 2 parameters removed" in text  # the name and LIMIT 1
    assert PLANTED not in text


@pytest.mark.parametrize(
    ("who", "status", "word"), [("administrator", 403, "Forbidden"), ("clinician", 404, "Not Found")]
)
def test_a_refusal_is_one_line_without_a_traceback(who, status, word, clinic, as_user, log):
    # An administrator meets the clinician-only decorator; another clinician's client is not found.
    response = as_user(getattr(clinic, who)).get(f"/clients/{clinic.other_client.pk}/inventory/")
    assert response.status_code == status
    lines = [line for line in log.getvalue().splitlines() if line.strip()]
    assert [line for line in lines if word in line] == lines and len(lines) == 1, lines
    assert "Traceback" not in log.getvalue()


def test_production_logs_are_json_lines_with_the_request_id():
    record = logging.LogRecord("rapport.x", logging.WARNING, __file__, 1, "refused %s", ("a",), None)
    record.request_id = "abcd-1234-ef"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "refused a" and entry["request_id"] == "abcd-1234-ef"
    assert entry["level"] == "WARNING" and entry["at"].endswith("Z")
