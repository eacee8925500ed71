"""The FHIR R4 routes: metadata, read, search, $everything, QuestionnaireResponse create and
update (withdrawal only), and the bulk $export. Thin: each asks rapport.interop.fhir and shapes the answer."""

import json
import re
from urllib.parse import urlencode

from django.http import FileResponse, HttpResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.api.fhir.capability import UPDATE_TYPES, capability_statement
from rapport.api.fhir.http import base_url, etag, fhir_public, fhir_response, fhir_view, outcome
from rapport.common.errors import EditConflict
from rapport.interop.fhir import export, incoming, read, resources, withdraw


@require_GET
@fhir_public
def metadata(request):
    return fhir_response(capability_statement(base_url(request)))


def read_view(resource_type: str):
    @require_http_methods(["GET", "PUT"] if resource_type in UPDATE_TYPES else ["GET"])
    @fhir_view
    def view(request, resource_id: str):
        if request.method == "PUT":
            return update_response(request, resource_id)
        resource = read.read(request, resource_type, resource_id)
        tag = etag(resource)
        if tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            return HttpResponse(status=304, headers={"ETag": tag})
        return fhir_response(resource, headers={"ETag": tag})

    view.__name__ = f"read_{resource_type}"
    return view


def search_view(resource_type: str):
    @require_http_methods(["GET", "POST"] if resource_type == "QuestionnaireResponse" else ["GET"])
    @fhir_view
    def view(request):
        if request.method == "POST":
            return create_response(request)
        params = {key: request.GET.getlist(key) for key in request.GET}
        page = read.search(request, resource_type, params)
        return fhir_response(searchset(request, resource_type, page, params))

    view.__name__ = f"search_{resource_type}"
    return view


def searchset(request, resource_type: str, page: read.Page, params: dict) -> dict:
    root = base_url(request)

    def link(relation: str, offset: int) -> dict:
        query = {k: v for k, v in params.items() if k not in ("_offset", "_count")}
        query.update({"_count": [str(page.count)], "_offset": [str(offset)]})
        return {"relation": relation, "url": f"{root}{resource_type}?{urlencode(query, doseq=True)}"}

    links = [link("self", page.offset)]
    if page.offset + page.count < page.total:
        links.append(link("next", page.offset + page.count))
    if page.offset > 0:
        links.append(link("previous", max(page.offset - page.count, 0)))
    return bundle(root, page.resources, total=page.total, links=links)


def bundle(root: str, found: list[dict], *, total: int, links: list[dict]) -> dict:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": [
            {"fullUrl": f"{root}{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
            for r in found
        ],
    }


def create_response(request):
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        return outcome(400, "structure", [(None, "The body is not JSON.")])
    if "If-Match" in request.headers:
        # A create has no earlier version to match (a conditional create is not supported).
        return outcome(412, "conflict", [(None, "A new QuestionnaireResponse has no version to match.")])
    stored = incoming.import_response(request, body)
    resource = resources.questionnaire_response(stored)
    return fhir_response(
        resource,
        201,
        {
            "Location": f"{base_url(request)}QuestionnaireResponse/{stored.pk}/_history/{stored.version}",
            "ETag": etag(resource),
        },
    )


WEAK_ETAG = re.compile(r'^W/"([0-9]{1,9})"$')


def update_response(request, resource_id: str):
    """The one update: a QuestionnaireResponse withdrawn (status entered-in-error), only from
    the version the caller read (If-Match, required). Nothing is written unless all holds."""
    given = request.headers.get("If-Match")
    if given is None:
        return outcome(
            428,
            "required",
            [(None, 'Send If-Match with the ETag of the version you read (W/"n"): updates are versioned.')],
        )
    matched = WEAK_ETAG.match(given.strip())
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        return outcome(400, "structure", [(None, "The body is not JSON.")])
    if not isinstance(body, dict) or body.get("resourceType") != "QuestionnaireResponse":
        return outcome(400, "structure", [("resourceType", "Send a QuestionnaireResponse.")])
    if body.get("id") != resource_id:
        return outcome(400, "invalid", [("id", "The id in the body must be the id in the address.")])
    try:
        # [U] An If-Match that is not a version of ours ("*", a strong tag) matches no version:
        # refused as a stale one, so an update is never blind.
        stored = withdraw.withdraw(request, resource_id, body, int(matched.group(1)) if matched else -1)
    except EditConflict as exc:
        return outcome(
            412,
            "conflict",
            [
                (
                    None,
                    f'This QuestionnaireResponse is now at version W/"{exc.current.version}", not the '
                    "version in If-Match: read it again. Nothing was changed.",
                )
            ],
        )
    resource = resources.questionnaire_response(stored)
    return fhir_response(
        resource,
        200,
        {
            "ETag": etag(resource),
            "Content-Location": (
                f"{base_url(request)}QuestionnaireResponse/{stored.pk}/_history/{stored.version}"
            ),
        },
    )


@require_GET
@fhir_view
def everything(request, resource_id: str):
    if not resource_id.isdigit() or len(resource_id) > 12:
        return outcome(404, "not-found", [(None, "There is no such resource.")])
    found = read.everything(request, int(resource_id))
    root = base_url(request)
    return fhir_response(
        bundle(
            root, found, total=len(found), links=[{"relation": "self", "url": request.build_absolute_uri()}]
        )
    )


@require_POST
@fhir_view
def export_kick_off(request):
    """FHIR Bulk Data kick-off (system level, POST with a Parameters body): 202 and a status URL."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return outcome(400, "structure", [(None, "The body is not JSON.")])
    options = export.options_from(body)
    export_id = export.start(request, options)
    status_url = f"{base_url(request)}$export-status/{export_id}"
    return HttpResponse(status=202, headers={"Content-Location": status_url})


@require_GET
@fhir_view
def export_status(request, export_id: str):
    state = export.status(request, export_id)
    if state["state"] != "done":
        return HttpResponse(status=202, headers={"X-Progress": state["state"], "Retry-After": "5"})
    root = base_url(request)
    manifest = {
        "transactionTime": state["requested_at"],
        "request": f"{root}$export",
        "requiresAccessToken": True,
        "output": [
            {"type": t, "url": f"{root}$export-file/{export_id}/{t}.ndjson", "count": n}
            for t, n in state["counts"].items()
        ],
        "error": [],
    }
    return HttpResponse(json.dumps(manifest), content_type="application/json")


@require_GET
@fhir_view
def export_file(request, export_id: str, resource_type: str):
    path = export.file_for(request, export_id, resource_type)
    return FileResponse(path.open("rb"), content_type="application/fhir+ndjson")
