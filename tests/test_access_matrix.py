"""Every route by every persona answers as the access matrix says, and no route is left out."""

import re

import pytest
from django.urls import path

from rapport.api.routes import api
from rapport.audit.models import Action, AuditEvent
from rapport.clinic.models import Notification
from tests.access_matrix import LOGIN, ROUTES, unguarded
from tests.personas import CANARY, PERSONAS

CASES = [(route, persona) for route in ROUTES for persona in PERSONAS]


@pytest.fixture
def clinic_with_notification(clinic):
    clinic.notification = Notification.objects.create(
        recipient=clinic.supervisor, client=clinic.client, subject="Emergency access", body="x"
    )
    clinic.response = a_response(clinic)
    return clinic


def a_response(clinic):
    from rapport.clinic.models import Course, Response, Session

    course = Course.objects.create(client=clinic.client)
    clinic.session = Session.objects.create(course=course, number=1, date="2026-03-01")
    return Response.objects.create(
        client=clinic.client,
        course=course,
        instrument="phq9",
        instrument_version="1",
        answered_by=clinic.clinician,
        respondent="clinician",
        answers={"item1": "several_days"},
        complete=False,
    )


def call(client, route, clinic):
    url = route.url(clinic)
    headers = route.headers(clinic) if route.headers else {}
    if route.method == "GET":
        return client.get(url, **headers)
    data = route.data(clinic) if route.data else {}
    send = client.put if route.method == "PUT" else client.post
    if route.json:
        return send(url, data, content_type="application/json", **headers)
    return send(url, data, **headers)


def case_id(route, persona) -> str:
    # A page route's name is its URL's; one address may take two methods (a FHIR read and update).
    method = f"-{route.method}" if route.method == "PUT" and not route.name.startswith("API ") else ""
    return f"{route.name}{method}-{persona}"


@pytest.mark.parametrize(("route", "persona"), CASES, ids=[case_id(r, p) for r, p in CASES])
def test_route_answers_each_persona_as_the_matrix_says(route, persona, clinic_with_notification, as_user):
    clinic = clinic_with_notification
    client = as_user(clinic.persona(persona))
    response = call(client, route, clinic)
    expected = route.expect[persona]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")
    else:
        assert response.status_code == expected, response.content[:300]
    if response.status_code >= 400:
        # Nothing of the client's record leaks into a refusal.
        assert CANARY not in response.content.decode()


def test_every_route_has_an_access_rule_and_a_row_in_the_matrix():
    assert unguarded(api=api) == []


def unguarded_view(request):
    return None


urlpatterns = [path("sneaky/", unguarded_view, name="sneaky")]


def test_a_route_added_without_a_rule_fails_the_check(settings):
    from rapport import urls

    settings.ROOT_URLCONF = type("U", (), {"urlpatterns": urls.urlpatterns + urlpatterns})
    problems = unguarded(settings.ROOT_URLCONF)
    assert "sneaky: view has no access decorator" in problems
    assert "sneaky: not in the access matrix" in problems


def test_an_api_operation_added_without_a_row_fails_the_check():
    from ninja import NinjaAPI

    extra = NinjaAPI(urls_namespace="extra")

    @extra.get("/secret")
    def secret(request):
        return {}

    assert "API GET /api/v1/secret: not in the access matrix" in unguarded(api=extra)


NORMALISE = re.compile(rb"(csrfmiddlewaretoken\" value=\"|X-CSRFToken\": \"|nonce=\")[^\"]+")


@pytest.mark.parametrize("url", ["/clients/{pk}/", "/clients/{pk}/edit/", "/api/v1/clients/{pk}"])
def test_a_record_that_is_not_yours_is_answered_like_one_that_does_not_exist(url, clinic, as_user):
    client = as_user(clinic.other_clinician)
    theirs = client.get(url.format(pk=clinic.client.pk))
    missing = client.get(url.format(pk=999_999))
    assert theirs.status_code == missing.status_code == 404
    assert NORMALISE.sub(b"", theirs.content) == NORMALISE.sub(b"", missing.content)


@pytest.mark.parametrize("route", [r for r in ROUTES if r.read_audited], ids=lambda r: r.name)
def test_each_read_of_a_client_record_writes_one_audit_row(route, clinic, as_user):
    clinic.response = a_response(clinic)
    user = clinic.supervisor if route.name == "client_audit" else clinic.clinician
    client = as_user(user)
    before = AuditEvent.objects.count()
    response = call(client, route, clinic)
    assert response.status_code == 200
    rows = AuditEvent.objects.filter(request_id=response["X-Request-ID"])
    assert AuditEvent.objects.count() == before + 1
    row = rows.get()
    assert (row.action, row.client_id, row.actor_id, row.actor_role) == (
        Action.READ,
        clinic.client.pk,
        user.pk,
        user.role,
    )
    assert row.ip == "127.0.0.1"


@pytest.mark.parametrize("route", [r for r in ROUTES if r.read_audited], ids=lambda r: r.name)
def test_each_denied_read_is_audited(route, clinic, as_user):
    clinic.response = a_response(clinic)
    client = as_user(clinic.other_supervisor if route.name == "client_audit" else clinic.other_clinician)
    response = call(client, route, clinic)
    assert response.status_code == 404
    row = AuditEvent.objects.get(request_id=response["X-Request-ID"])
    assert (row.action, row.outcome, row.client_id) == ("denied", "denied", clinic.client.pk)


def table_counts():
    from django.apps import apps

    skip = {"AuditEvent", "Session", "AccessAttempt", "AccessLog", "AccessFailureLog"}
    return {
        m.__name__: m.objects.count() for m in apps.get_models() if m.__name__ not in skip and m._meta.managed
    }


GETS = [(r, p) for r in ROUTES if r.method == "GET" for p in PERSONAS]


@pytest.mark.parametrize(("route", "persona"), GETS, ids=[f"{r.name}-{p}" for r, p in GETS])
def test_no_get_request_changes_data(route, persona, clinic_with_notification, as_user):
    client = as_user(clinic_with_notification.persona(persona))
    route.url(clinic_with_notification)  # rows a route needs are made before the snapshot
    before = table_counts()
    call(client, route, clinic_with_notification)
    assert table_counts() == before


HEADERS_CASES = [
    (r, p) for r in ROUTES if r.method == "GET" for p in ("anonymous", "clinician", "supervisor")
]


@pytest.mark.parametrize(("route", "persona"), HEADERS_CASES, ids=[f"{r.name}-{p}" for r, p in HEADERS_CASES])
def test_every_page_carries_the_security_headers(route, persona, clinic_with_notification, as_user):
    response = call(as_user(clinic_with_notification.persona(persona)), route, clinic_with_notification)
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    if response["Content-Type"].startswith("text/html"):
        csp = response["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp


@pytest.mark.parametrize(
    "url",
    [
        "/clients/99999999999999999999/",
        "/api/v1/clients/99999999999999999999",
        "/clients/1/responses/99999999999999999999/",
    ],
)
def test_an_absurd_record_number_is_simply_not_found(url, clinic, as_user):
    assert as_user(clinic.clinician).get(url).status_code == 404
