"""What every FHIR view shares: who is calling, and answers as FHIR expects them
(application/fhir+json, OperationOutcome errors, weak ETags)."""

import json
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from ninja.errors import HttpError

from rapport.api.auth import BearerToken, VerifiedSession
from rapport.common.errors import InvalidInput

FHIR_JSON = "application/fhir+json; charset=utf-8"


def fhir_response(resource: dict, status: int = 200, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(resource, ensure_ascii=False), status=status, content_type=FHIR_JSON)
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def outcome(status: int, code: str, messages: list[tuple[str | None, str]]) -> HttpResponse:
    """An OperationOutcome with one issue per message (`where` is the field or item it is about)."""
    issues = []
    for where, text in messages:
        issue: dict = {"severity": "error", "code": code, "diagnostics": text}
        if where:
            issue["expression"] = [where]
        issues.append(issue)
    response = fhir_response({"resourceType": "OperationOutcome", "issue": issues}, status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="fhir"'
    return response


def invalid(exc: InvalidInput, status: int) -> HttpResponse:
    messages: list[tuple[str | None, str]] = [
        (str(f), str(t)) for f, texts in exc.errors.items() for t in texts
    ]
    return outcome(status, "invalid" if status == 400 else "processing", messages)


def etag(resource: dict) -> str:
    return f'W/"{resource.get("meta", {}).get("versionId", "1")}"'


def caller(request):
    """The user behind a bearer token or a verified browser session (CSRF checked on writes)."""
    user = BearerToken()(request)
    if user is not None:
        return user
    return VerifiedSession()(request)


def fhir_view(view):
    """Signed in through the JSON API's authentication; refusals and mistakes as OperationOutcome.
    A record the caller may not see is answered exactly like a missing one."""

    @csrf_exempt  # a bearer token needs none; the session's CSRF is checked in caller()
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            user = caller(request)
        except HttpError:
            return outcome(403, "forbidden", [(None, "The CSRF check failed.")])
        if user is None:
            return outcome(401, "login", [(None, "Sign in with a bearer token.")])
        request.user = user
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return outcome(404, "not-found", [(None, "There is no such resource.")])
        except PermissionDenied:
            return outcome(403, "forbidden", [(None, "Your role cannot read or write this.")])
        except InvalidInput as exc:
            return invalid(exc, 422 if request.method in ("POST", "PUT") else 400)

    wrapped.access_rule = "fhir:bearer_or_session"
    return wrapped


def fhir_public(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapped.access_rule = "public"
    return wrapped


def base_url(request) -> str:
    return request.build_absolute_uri("/fhir/R4/")
