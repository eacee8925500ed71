"""The JSON API at /api/v1/. Every route asks the same access rules and services as the pages."""

from typing import cast

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpRequest
from ninja import NinjaAPI, Status
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from rapport.accounts.models import Team, User
from rapport.api.auth import session_or_token
from rapport.api.course import router as course_router
from rapport.api.groups import judge_refused_body
from rapport.api.groups import router as groups_router
from rapport.api.measures import router as measures_router
from rapport.api.messages import router as messages_router
from rapport.api.offline import router as offline_router
from rapport.api.programme import router as programme_router
from rapport.api.providers import router as providers_router
from rapport.api.referrals import router as referrals_router
from rapport.api.scheduling import router as scheduling_router
from rapport.api.schemas import ClientIn, ClientOut, MeOut, Problem, form_message
from rapport.clinic import client_records, rules, standing
from rapport.clinic.models import Client
from rapport.common.errors import InvalidInput

IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "Send the same key when retrying: the first answer comes back, nothing is made twice "
    "(kept for a day; api/idempotency.py).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[A-Za-z0-9._:-]+$"},
}


class RapportAPI(NinjaAPI):
    def validation_error_from_error_contexts(self, error_contexts) -> NinjaValidationError:
        # Ninja drops the refused value; the forms' wording of some mistakes needs it ("it has
        # 201 characters"). It is used for the message only and never sent back.
        refused = super().validation_error_from_error_contexts(error_contexts)
        given = [e for c in error_contexts for e in c.pydantic_validation_error.errors(include_url=False)]
        for error, original in zip(refused.errors, given, strict=True):
            error["input"] = original.get("input")
        return refused

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        # The answers every route can give besides its own, so that a client (or a schema fuzzer)
        # meets nothing undocumented: no credentials (401), a role or CSRF refusal (403), an id
        # that is not there (404), a body that cannot be read or is too large (400), a path,
        # query or body of the wrong form (422), and a database that cannot be reached (503,
        # common.views.server_error). All are JSON with a `detail`.
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        problem = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                answers = operation.setdefault("responses", {})
                params = operation.get("parameters", [])
                extra = {
                    401: "Not signed in, or the token is not valid",
                    403: "Refused",
                    503: "The database cannot be reached just now; nothing was saved (Retry-After)",
                }
                if any(p.get("in") == "path" for p in params):
                    extra[404] = "Not found"
                if "requestBody" in operation:
                    extra[400] = "The body cannot be read, or is too large"
                if params or "requestBody" in operation:
                    extra[422] = "The request was not valid"
                if method == "post":
                    operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
                    extra[409] = "A request with this Idempotency-Key is still being handled"
                    extra[422] = "The request was not valid, or its Idempotency-Key was used for another"
                for status, description in extra.items():
                    if status not in answers and str(status) not in answers:
                        answers[status] = {"description": description, **problem}
        return schema


api = RapportAPI(
    title="Rapport API",
    version="1",
    urls_namespace="api",
    auth=session_or_token,
    docs_url=None,  # the interactive docs page loads scripts from a CDN; the schema is enough
)


@api.exception_handler(InvalidInput)
def invalid_input(request, exc: InvalidInput):
    if exc.kept:
        body = {
            "detail": "The request was not valid; nothing else was saved.",
            "errors": exc.errors,
            "kept": list(exc.kept),
        }
    else:
        body = {"detail": "The request was not valid; nothing was saved.", "errors": exc.errors}
    return api.create_response(request, body, status=422)


@api.exception_handler(NinjaValidationError)
def malformed_request(request, exc: NinjaValidationError):
    # One shape for every 422, whether the body's form or its content was wrong.
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        where = [str(p) for p in error.get("loc", ()) if p not in ("body", "payload", "query", "path")]
        errors.setdefault(".".join(where) or "request", []).append(form_message(error))
    # A group session refused by its schema still raises its members' valid risk answers.
    kept = judge_refused_body(request)
    if kept:
        body = {
            "detail": "The request was not valid; nothing else was saved.",
            "errors": errors,
            "kept": kept,
        }
    else:
        body = {"detail": "The request was not valid; nothing was saved.", "errors": errors}
    return api.create_response(request, body, status=422)


@api.exception_handler(RequestDataTooBig)
def too_large(request, exc):
    # Django would answer with its HTML 400 page.
    return api.create_response(
        request, {"detail": "The request body is too large; nothing was saved."}, status=400
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": "Sign in, or send a valid API token."}, status=401)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": "Your role cannot do this."}, status=403)


@api.get("/me", response=MeOut, summary="Who is calling")
def me(request: HttpRequest):
    user = cast(User, request.user)  # the API's auth admits only signed-in people
    client_id = None
    if rules.is_client_user(user):
        client_id = Client.objects.visible_to(user).values_list("pk", flat=True).first()
    return {"id": user.pk, "name": user.full_name, "role": user.role, "client_id": client_id}


@api.get("/clients", response=list[ClientOut], summary="The clients the caller may see")
def list_clients(request: HttpRequest):
    clients = client_records.list_clients(request)
    status = standing.statuses([c.pk for c in clients])
    for c in clients:
        c.derived_status = status[c.pk]
    return clients


@api.get("/clients/{client_id}", response={200: ClientOut, 404: Problem}, summary="One client")
def get_client(request: HttpRequest, client_id: int):
    return client_records.get_client_for(request, client_id)


@api.post(
    "/clients",
    response={201: ClientOut, 403: Problem, 422: Problem},
    summary="Add a client to the caller's own caseload",
)
def create_client(request: HttpRequest, payload: ClientIn):
    data = payload.dict()
    for key in ("language", "country", "time_zone"):
        data[key] = data[key].value
    team_id = data.pop("team_id")
    if team_id is None:
        # The only team the clinician belongs to; with several, they must say which.
        teams = list(Team.objects.filter(members=cast(User, request.user)).values_list("pk", flat=True)[:2])
        team_id = teams[0] if len(teams) == 1 else None
    data["team"] = team_id
    return Status(201, client_records.create_client(request, data))


# Routes on other concerns, each in its own module.
api.add_router("", measures_router)
api.add_router("", course_router)
api.add_router("", scheduling_router)
api.add_router("", messages_router)
api.add_router("", programme_router)
api.add_router("", groups_router)
api.add_router("", offline_router)
api.add_router("", providers_router)
api.add_router("", referrals_router)
