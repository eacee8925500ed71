"""`Idempotency-Key`: a retried POST gets the first answer, never a second record (issue 17: a
response saved just before a crash but never acknowledged was stored twice on retry)."""

import pytest

from rapport.api.models import IdempotentAnswer
from rapport.audit.models import Action, AuditEvent
from rapport.clinic.models import Client, Response, RiskAlert
from tests.test_api import issue
from tests.test_measures import phq9


def send(client, clinic, answers, key, **headers):
    return client.post(
        f"/api/v1/clients/{clinic.client.pk}/responses",
        {"instrument": "phq9", "answers": answers},
        content_type="application/json",
        headers={"Idempotency-Key": key, **headers},
    )


def test_a_retried_response_is_stored_once_and_answered_the_same(clinic, as_user):
    browser = as_user(clinic.clinician)
    first = send(browser, clinic, phq9(3, 3, 3, 3, 3, 3, 3, 3, 2), "retry-1")
    again = send(browser, clinic, phq9(3, 3, 3, 3, 3, 3, 3, 3, 2), "retry-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Response.objects.count() == 1 and RiskAlert.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="Response").count() == 1


def test_without_a_key_each_post_creates(clinic, as_user):
    browser = as_user(clinic.clinician)
    for _ in range(2):
        browser.post(
            f"/api/v1/clients/{clinic.client.pk}/responses",
            {"instrument": "phq9", "answers": phq9(0, 0, 0, 0, 0, 0, 0, 0, 0)},
            content_type="application/json",
        )
    assert Response.objects.count() == 2


def test_the_same_key_for_a_different_request_is_refused(clinic, as_user):
    browser = as_user(clinic.clinician)
    assert send(browser, clinic, phq9(0, 0, 0, 0, 0, 0, 0, 0, 0), "k").status_code == 201
    other = send(browser, clinic, phq9(1, 1, 1, 1, 1, 1, 1, 1, 0), "k")
    assert other.status_code == 422 and "different request" in other.json()["detail"]
    assert Response.objects.count() == 1


def test_a_refused_request_keeps_no_key_so_the_corrected_retry_runs(clinic, as_user):
    browser = as_user(clinic.clinician)
    assert send(browser, clinic, {"item1": "sometimes"}, "fix-me").status_code == 422
    assert not IdempotentAnswer.objects.exists()
    assert send(browser, clinic, phq9(0, 0, 0, 0, 0, 0, 0, 0, 0), "fix-me").status_code == 201


def test_keys_are_each_callers_own(clinic, as_user, client):
    send(as_user(clinic.clinician), clinic, phq9(0, 0, 0, 0, 0, 0, 0, 0, 0), "shared")
    token = issue(clinic.co_clinician.email)
    client.logout()
    body = {
        "full_name": "Keyed Client",
        "language": "en",
        "date_of_birth": "1990-01-01",
        "country": "GB",
        "time_zone": "Europe/London",
    }
    for _ in range(2):
        created = client.post(
            "/api/v1/clients",
            body,
            content_type="application/json",
            headers={"Idempotency-Key": "shared", "Authorization": f"Bearer {token}"},
        )
        assert created.status_code == 201, created.content
    assert Client.objects.filter(full_name="Keyed Client").count() == 1


@pytest.mark.parametrize("key", ["", "x" * 101])
def test_a_key_of_the_wrong_length_is_refused(key, clinic, as_user):
    response = send(as_user(clinic.clinician), clinic, phq9(0, 0, 0, 0, 0, 0, 0, 0, 0), key)
    assert response.status_code == 422 and not Response.objects.exists()


def test_the_schema_documents_the_header_on_every_post(db, client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        if "post" in operations:
            names = {p["name"] for p in operations["post"].get("parameters", [])}
            assert "Idempotency-Key" in names, path
            assert "409" in operations["post"]["responses"], path
