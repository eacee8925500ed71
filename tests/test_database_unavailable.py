"""A database that cannot be reached (restarted, refusing connections, a lock never granted: on
SQLite for real, another connection holding the write lock) is answered 503 with Retry-After, as
JSON on the API and an OperationOutcome on FHIR, and nothing the request was writing stays behind;
any other failure is still a 500 (#17 item 5)."""

import sqlite3
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client as Browser

from rapport.accounts.models import ApiToken
from rapport.audit.models import AuditEvent
from rapport.clinic.models import Course, Response
from rapport.programme.models import CourseSummary

PHQ9 = {f"item{i}": "several_days" for i in range(1, 9)} | {"item9": "not_at_all"}


@pytest.fixture
def caller(clinic):
    Course.objects.create(client=clinic.client, status="active")  # the POST's one audit row is the response's
    secret = ApiToken.new_secret()
    ApiToken.objects.create(user=clinic.clinician, name="t", digest=ApiToken.digest_of(secret))
    return Browser(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {secret}")


def post(caller, clinic):
    return caller.post(
        f"/api/v1/clients/{clinic.client.pk}/responses",
        {"instrument": "phq9", "answers": PHQ9},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="retry-me-1",
    )


def test_a_write_whose_database_goes_away_is_a_503_and_leaves_nothing_half_written(clinic, caller):
    audit_rows, summaries = AuditEvent.objects.count(), CourseSummary.objects.count()
    # The audit row is the last write of the response's transaction: the response, its course and
    # the course's summary were written before the database went away.
    with mock.patch("rapport.clinic.measurement.trail.record", side_effect=OperationalError("gone")):
        answer = post(caller, clinic)
    assert answer.status_code == 503 and answer["Retry-After"] == "5"
    assert "nothing was saved" in answer.json()["detail"]
    assert not Response.objects.exists()
    assert (AuditEvent.objects.count(), CourseSummary.objects.count()) == (audit_rows, summaries)
    # The retry with the same key runs again (a failed request keeps no idempotent answer).
    assert post(caller, clinic).status_code == 201 and Response.objects.count() == 1


def test_fhir_and_pages_say_503_too_and_other_failures_stay_500(clinic, caller, client):
    with mock.patch("rapport.interop.fhir.read.everything", side_effect=OperationalError("gone")):
        fhir = caller.get(f"/fhir/R4/Patient/{clinic.client.pk}/$everything")
    assert fhir.status_code == 503 and fhir.json()["issue"][0]["code"] == "transient"
    with mock.patch("rapport.clinic.measurement.trail.record", side_effect=RuntimeError("a bug")):
        assert post(caller, clinic).status_code == 500
    pages = Browser(raise_request_exception=False)
    pages.force_login(clinic.clinician)
    with mock.patch("rapport.staff.caseload.caseload_rows", side_effect=OperationalError("gone")):
        page = pages.get("/caseload/")
    assert page.status_code == 503 and page["Retry-After"] == "5" and b"<h1>" in page.content


@pytest.fixture
def short_wait_for_locks():
    """SQLite waits 20 s for a write lock before giving up; a second is enough to show it here."""
    options = connection.settings_dict["OPTIONS"]
    connection.close()
    options["timeout"], kept = 1, options["timeout"]
    yield
    connection.close()
    options["timeout"] = kept


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's own lock; PostgreSQL's outage is in bench/durability.py"
)
@pytest.mark.django_db(transaction=True)
def test_sqlite_locked_past_its_wait_answers_503_and_the_retry_is_stored_once(clinic, short_wait_for_locks):
    """Not a mock: another process (a backup, an administrator's shell) holds SQLite's write lock
    for longer than the server waits for it. The POST is refused with a 503 and writes nothing;
    once the lock is let go, the retry with the same key is stored once."""
    Course.objects.create(client=clinic.client, status="active")
    secret = ApiToken.new_secret()
    ApiToken.objects.create(user=clinic.clinician, name="t", digest=ApiToken.digest_of(secret))
    caller = Browser(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {secret}")
    before = (Response.objects.count(), AuditEvent.objects.count(), CourseSummary.objects.count())
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        answer = post(caller, clinic)
    finally:
        holder.rollback()
        holder.close()
    assert answer.status_code == 503 and answer["Retry-After"] == "5"
    assert answer.json()["detail"].startswith("The service cannot reach its database")
    assert (Response.objects.count(), AuditEvent.objects.count(), CourseSummary.objects.count()) == before
    assert post(caller, clinic).status_code == 201
    assert post(caller, clinic).status_code == 201  # the same key: the stored answer, not a second row
    assert Response.objects.count() == 1
