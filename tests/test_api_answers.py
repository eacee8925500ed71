"""Every answer of the API is JSON and documented in its schema (issue 17's probing: a non-integer
id, an unparsable or over-large body, and an unauthenticated POST carrying a CSRF cookie)."""

import json

import pytest

from tests.test_api import issue

BIG = '{"full_name": "' + "x" * 10_000_000 + '"}'


@pytest.fixture
def bearer(clinic):
    return {"HTTP_AUTHORIZATION": f"Bearer {issue(clinic.clinician.email)}"}


def problem(response, status):
    assert response.status_code == status, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["detail"]
    return response.json()


def test_a_non_integer_id_is_a_json_422(bearer, client):
    problem(client.get("/api/v1/clients/abc", **bearer), 422)


def test_an_unparsable_body_is_a_json_400(bearer, client):
    problem(client.post("/api/v1/clients", "{nope", content_type="application/json", **bearer), 400)


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_a_10_mb_body_is_a_json_400_not_djangos_html_page(content_type, bearer, client, clinic):
    body = BIG if content_type == "application/json" else "full_name=" + "x" * 10_000_000
    response = client.post("/api/v1/clients", body, content_type=content_type, **bearer)
    assert "too large" in problem(response, 400)["detail"]


def test_an_unauthenticated_post_with_a_csrf_cookie_is_401(db, client):
    client.cookies["csrftoken"] = "x" * 32
    problem(client.post("/api/v1/clients", "{}", content_type="application/json"), 401)


def test_a_signed_in_post_without_the_csrf_token_is_still_refused(clinic, as_user):
    browser = as_user(clinic.clinician)
    browser.handler.enforce_csrf_checks = True
    response = browser.post("/api/v1/clients", "{}", content_type="application/json")
    assert response.status_code == 403


def test_every_operation_documents_the_answers_every_route_can_give(db, client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            answers = set(operation["responses"])
            assert {"401", "403"} <= answers, (method, path)
            if "{" in path:
                assert {"404", "422"} <= answers, (method, path)
            if "requestBody" in operation:
                assert {"400", "422"} <= answers, (method, path)
