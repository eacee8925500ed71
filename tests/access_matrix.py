"""The declarative access matrix: every route, every persona, the expected answer.

A route that is missing here fails tests/test_access_matrix.py, so a new page or API route
cannot ship without saying who may use it.
"""

from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

from tests.personas import PERSONAS

LOGIN = "login"  # expected: redirect to sign-in
OK = 200
NOT_FOUND = 404
FORBIDDEN = 403
UNAUTHORISED = 401
REDIRECT = 302


@dataclass
class Route:
    name: str  # URL name, or "API METHOD /path" for an API operation
    method: str
    url: "callable"  # (clinic) -> str
    expect: dict[str, object]
    data: "callable | None" = None  # (clinic) -> POST body
    json: bool = False
    read_audited: bool = False  # a successful call writes a READ audit row for the client
    headers: "callable | None" = None  # (clinic) -> request headers, as the test client takes them
    notes: list[str] = field(default_factory=list)


def _all(value):
    return dict.fromkeys(PERSONAS, value)


def expect(default, **overrides):
    table = _all(default)
    table.update(overrides)
    return table


STAFF_PAGE = {"anonymous": LOGIN}
CLIENT_ROLES_FORBIDDEN = {"client_user": FORBIDDEN, "other_client_user": FORBIDDEN}


# The usual answers: a page of the record that clinical staff read, a clinician's page, and a
# clinician's form post (redirects when done). Not yours is 404; the wrong role is 403.
CLINICAL_READ = expect(
    NOT_FOUND,
    anonymous=LOGIN,
    clinician=OK,
    co_clinician=OK,
    supervisor=OK,
    administrator=FORBIDDEN,
    **CLIENT_ROLES_FORBIDDEN,
)
CLINICIAN_PAGE = expect(FORBIDDEN, anonymous=LOGIN, clinician=OK, co_clinician=OK, other_clinician=NOT_FOUND)
CLINICIAN_POST = expect(
    FORBIDDEN, anonymous=LOGIN, clinician=REDIRECT, co_clinician=REDIRECT, other_clinician=NOT_FOUND
)


def an_earlier_course(clinic):
    """An ended course of the client's, older than the one the matrix's fixture opens."""
    from rapport.clinic.models import Course

    if getattr(clinic, "earlier_course", None) is None:
        clinic.earlier_course = Course.objects.create(
            client=clinic.client, status="ended", ending_reason="completed", started_on="2024-01-08"
        )
    return clinic.earlier_course


def client_url(path):
    return lambda c: path.format(pk=c.client.pk)


ROUTES = [
    Route("healthz", "GET", lambda c: "/healthz", _all(OK)),
    Route("keep_alive", "POST", lambda c: "/session/keep-alive/", expect(204, anonymous=LOGIN)),
    Route("login", "GET", lambda c: "/sign-in/", expect(REDIRECT, anonymous=OK)),
    Route("logout", "POST", lambda c: "/sign-out/", expect(REDIRECT)),
    Route("password_reset", "GET", lambda c: "/password-reset/", _all(OK)),
    Route("password_reset_done", "GET", lambda c: "/password-reset/sent/", _all(OK)),
    Route("password_reset_confirm", "GET", lambda c: "/reset/MQ/bad-token/", _all(OK)),
    Route("password_reset_complete", "GET", lambda c: "/reset/done/", _all(OK)),
    Route(
        "two_factor_setup",
        "GET",
        lambda c: "/two-factor/setup/",
        # Optional for clients, so they reach it too.
        expect(OK, anonymous=LOGIN),
    ),
    Route(
        "two_factor_verify",
        "GET",
        lambda c: "/two-factor/verify/",
        # Without a device there is nothing to verify: everyone is sent to set one up.
        expect(REDIRECT, anonymous=LOGIN),
    ),
    Route("home", "GET", lambda c: "/", expect(REDIRECT, anonymous=LOGIN)),
    Route(
        "caseload",
        "GET",
        lambda c: "/caseload/",
        expect(OK, anonymous=LOGIN, administrator=FORBIDDEN, **CLIENT_ROLES_FORBIDDEN),
    ),
    Route(
        "caseload_export",
        "GET",
        lambda c: "/caseload/export.csv",
        expect(OK, anonymous=LOGIN, administrator=FORBIDDEN, **CLIENT_ROLES_FORBIDDEN),
    ),
    Route(
        "client_print",
        "GET",
        client_url("/clients/{pk}/print/"),
        CLINICAL_READ,
    ),
    Route(
        "client_add",
        "GET",
        lambda c: "/clients/new/",
        expect(FORBIDDEN, anonymous=LOGIN, clinician=OK, co_clinician=OK, other_clinician=OK),
    ),
    Route(
        "client_detail",
        "GET",
        client_url("/clients/{pk}/"),
        CLINICAL_READ,
        read_audited=True,
    ),
    Route(
        "client_edit",
        "GET",
        client_url("/clients/{pk}/edit/"),
        CLINICIAN_PAGE,
        read_audited=True,
    ),
    Route(
        "client_entered_in_error",
        "GET",
        client_url("/clients/{pk}/entered-in-error/"),
        CLINICIAN_PAGE,
        read_audited=True,
    ),
    Route(
        "client_audit",
        "GET",
        client_url("/clients/{pk}/audit/"),
        expect(
            FORBIDDEN,
            anonymous=LOGIN,
            supervisor=OK,
            other_supervisor=NOT_FOUND,
            # A programme lead reads a trail only as a supervisor of the client's team.
            programme_lead=NOT_FOUND,
            administrator=OK,
        ),
        read_audited=True,
    ),
    Route(
        "break_glass",
        "GET",
        lambda c: "/emergency-access/",
        expect(FORBIDDEN, anonymous=LOGIN, clinician=OK, co_clinician=OK, other_clinician=OK),
    ),
    Route(
        "notification_read",
        "POST",
        lambda c: f"/notifications/{c.notification.pk}/read/",
        # Only the recipient (the team supervisor) may mark it; anyone else meets a 404.
        expect(NOT_FOUND, anonymous=LOGIN, supervisor=REDIRECT, **CLIENT_ROLES_FORBIDDEN),
    ),
    Route(
        "administration",
        "GET",
        lambda c: "/administration/",
        expect(FORBIDDEN, anonymous=LOGIN, administrator=OK),
    ),
    Route(
        "my_home",
        "GET",
        lambda c: "/my/",
        expect(FORBIDDEN, anonymous=LOGIN, client_user=OK, other_client_user=OK),
    ),
    # The API: 401 without credentials, 404 for a record that is not the caller's.
    Route("API GET /api/v1/me", "GET", lambda c: "/api/v1/me", expect(OK, anonymous=UNAUTHORISED)),
    Route("API GET /api/v1/clients", "GET", lambda c: "/api/v1/clients", expect(OK, anonymous=UNAUTHORISED)),
    Route(
        "API POST /api/v1/clients",
        "POST",
        lambda c: "/api/v1/clients",
        expect(FORBIDDEN, anonymous=UNAUTHORISED, clinician=201, co_clinician=201, other_clinician=201),
        data=lambda c: {
            "full_name": "New Person",
            "date_of_birth": "1999-09-09",
            "country": "GB",
            "time_zone": "Europe/London",
        },
        json=True,
    ),
    Route(
        "API GET /api/v1/clients/{client_id}",
        "GET",
        lambda c: f"/api/v1/clients/{c.client.pk}",
        expect(
            NOT_FOUND,
            anonymous=UNAUTHORISED,
            clinician=OK,
            co_clinician=OK,
            supervisor=OK,
            client_user=OK,
        ),
        read_audited=True,
    ),
]

SEES_CLIENT = dict(clinician=OK, co_clinician=OK, supervisor=OK, client_user=OK)
ROUTES += [
    Route(
        "API GET /api/v1/instruments",
        "GET",
        lambda c: "/api/v1/instruments",
        expect(OK, anonymous=UNAUTHORISED),
    ),
    Route(
        "API GET /api/v1/instruments/{instrument_id}",
        "GET",
        lambda c: "/api/v1/instruments/phq9",
        expect(OK, anonymous=UNAUTHORISED),
    ),
    Route(
        "API POST /api/v1/clients/{client_id}/responses",
        "POST",
        lambda c: f"/api/v1/clients/{c.client.pk}/responses",
        # Supervisors see the record but do not record questionnaires for it.
        expect(NOT_FOUND, anonymous=UNAUTHORISED, clinician=201, co_clinician=201, client_user=201),
        data=lambda c: {"instrument": "phq9", "answers": {"item1": "several_days"}},
        json=True,
    ),
    Route(
        "API GET /api/v1/clients/{client_id}/responses",
        "GET",
        lambda c: f"/api/v1/clients/{c.client.pk}/responses",
        expect(NOT_FOUND, anonymous=UNAUTHORISED, **SEES_CLIENT),
        read_audited=True,
    ),
    Route(
        "API GET /api/v1/clients/{client_id}/outcomes",
        "GET",
        lambda c: f"/api/v1/clients/{c.client.pk}/outcomes",
        expect(NOT_FOUND, anonymous=UNAUTHORISED, **SEES_CLIENT),
        read_audited=True,
    ),
    Route(
        "API GET /api/v1/clients/{client_id}/alerts",
        "GET",
        lambda c: f"/api/v1/clients/{c.client.pk}/alerts",
        # Alerts are for clinical staff; the client's own risk alerts are not shown to them.
        expect(NOT_FOUND, anonymous=UNAUTHORISED, clinician=OK, co_clinician=OK, supervisor=OK),
        read_audited=True,
    ),
]

ROUTES += [
    Route(
        "questionnaire",
        "GET",
        client_url("/clients/{pk}/questionnaires/phq9/"),
        CLINICIAN_PAGE,
        read_audited=True,
    ),
    Route(
        "response_detail",
        "GET",
        lambda c: f"/clients/{c.client.pk}/responses/{c.response.pk}/",
        CLINICAL_READ,
        read_audited=True,
    ),
    Route(
        "response_entered_in_error",
        "GET",
        lambda c: f"/clients/{c.client.pk}/responses/{c.response.pk}/entered-in-error/",
        CLINICIAN_PAGE,
        read_audited=True,
    ),
    Route(
        "response_entered_in_error",
        "POST",
        lambda c: f"/clients/{c.client.pk}/responses/{c.response.pk}/entered-in-error/",
        CLINICIAN_POST,
        data=lambda c: {"reason": "Recorded for the wrong client.", "version": "1"},
    ),
]

ROUTES += [
    Route(
        "account_add",
        "GET",
        lambda c: "/administration/accounts/new/",
        expect(FORBIDDEN, anonymous=LOGIN, administrator=OK),
    ),
    Route(
        "account_deactivate",
        "POST",
        lambda c: f"/administration/accounts/{c.other_clinician.pk}/deactivate/",
        expect(FORBIDDEN, anonymous=LOGIN, administrator=REDIRECT),
    ),
]

ROUTES += [
    Route(
        "course_detail",
        "GET",
        client_url("/clients/{pk}/course/"),
        CLINICAL_READ,
        read_audited=True,
    ),
    Route(
        "course_by_id",
        "GET",
        lambda c: f"/clients/{c.client.pk}/courses/{an_earlier_course(c).pk}/",
        CLINICAL_READ,
        read_audited=True,
    ),
    Route(
        "course_start",
        "POST",
        client_url("/clients/{pk}/course/start/"),
        CLINICIAN_POST,
    ),
    Route(
        "contract_edit",
        "GET",
        client_url("/clients/{pk}/course/contract/"),
        CLINICIAN_PAGE,
        read_audited=True,
    ),
    Route(
        "session_add",
        "POST",
        client_url("/clients/{pk}/sessions/new/"),
        CLINICIAN_POST,
        data=lambda c: {"date": "2026-03-02"},
    ),
    Route(
        "session_detail",
        "GET",
        lambda c: f"/clients/{c.client.pk}/sessions/{c.session.pk}/",
        CLINICAL_READ,
        read_audited=True,
    ),
]

ROUTES += [
    Route(
        "termination",
        "GET",
        client_url("/clients/{pk}/course/termination/"),
        CLINICAL_READ,
        read_audited=True,
    ),
    Route(
        "maintenance_start",
        "POST",
        client_url("/clients/{pk}/course/maintenance/"),
        # Refused (back to the page with a message) until continuation is the recorded ending.
        CLINICIAN_POST,
    ),
]

ROUTES += [
    Route(
        "course_summary",
        "GET",
        client_url("/clients/{pk}/course/summary/"),
        CLINICAL_READ,
    ),
]

# Rows kept beside the routes they cover; each module imports Route and expect from here.
from tests.matrix import (  # noqa: E402
    alerts,
    api_course,
    directory,
    fhir,
    formulation,
    groups,
    intake,
    inventory,
    messaging,
    offline,
    portal,
    programme,
    retention,
    scheduling,
    supervision,
    timeline,
)

ROUTES += inventory.ROUTES + timeline.ROUTES + formulation.ROUTES + api_course.ROUTES
ROUTES += portal.ROUTES + alerts.ROUTES + fhir.ROUTES + messaging.ROUTES + scheduling.ROUTES
ROUTES += supervision.ROUTES + programme.ROUTES + retention.ROUTES
ROUTES += groups.ROUTES + offline.ROUTES + directory.ROUTES + intake.ROUTES

BY_NAME = {route.name: route for route in ROUTES}
assert len({(r.name, r.method) for r in ROUTES}) == len(ROUTES), "a route is listed twice"


def url_names(urlconf=None) -> dict[str, object]:
    """Every named page route (outside the API) with its view."""
    found = {}

    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "api":
                    continue
                walk(p.url_patterns, namespace)
            elif isinstance(p, URLPattern):
                found[p.name or str(p.pattern)] = p.callback

    walk(get_resolver(urlconf).url_patterns)
    return found


def api_operations(api, root: str = "/api/v1") -> list[str]:
    """Every operation of a django-ninja API as "API METHOD /path"."""
    return [
        f"API {method} {root}{prefix}{route}".replace("//", "/")
        for prefix, router in api._routers
        for route, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    ]


def unguarded(urlconf=None, api=None) -> list[str]:
    """Routes without a declared access rule or without a row in the matrix."""
    problems = []
    for name, view in url_names(urlconf).items():
        if not getattr(view, "access_rule", None):
            problems.append(f"{name}: view has no access decorator")
        if name not in BY_NAME:
            problems.append(f"{name}: not in the access matrix")
    if api is not None:
        for op in api_operations(api):
            if op not in BY_NAME:
                problems.append(f"{op}: not in the access matrix")
    return problems
