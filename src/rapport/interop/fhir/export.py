"""Bulk export for a programme: NDJSON files of the resources a caller may see, written by a job
on the database worker into a directory of its own, one file per resource type.

Records are streamed (iterator(), in chunks), never all held in memory. On request the export is
de-identified: pseudonymous ids stable per export key (ids.Pseudonyms), no names, the year of birth
only, no free text (HAZ-101). The kick-off, each client exported and each download are audited."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django_tasks import task

from rapport.accounts.models import User
from rapport.audit import trail
from rapport.audit.models import Action, AuditEvent
from rapport.clinic import rules
from rapport.clinic.models import AlertStatus, Client, Course, Goal, Response, RiskAlert, Session
from rapport.common.errors import InvalidInput
from rapport.common.records import deny
from rapport.interop.fhir import resources
from rapport.interop.fhir.ids import PLAIN, Ids, Pseudonyms

TYPES = (
    "Patient",
    "QuestionnaireResponse",
    "Observation",
    "EpisodeOfCare",
    "Encounter",
    "CarePlan",
    "Goal",
    "Flag",
)
CHUNK = 2000
_EXPORT_ID = re.compile(r"^[0-9a-f]{32}$")


def options_from(body) -> dict:
    """The kick-off's Parameters: `_type` (comma-separated), `deidentify` and `pseudonymKey`."""
    if not isinstance(body, dict) or body.get("resourceType", "Parameters") != "Parameters":
        raise InvalidInput({"resourceType": ["Send a Parameters resource (or nothing)."]})
    given = {}
    for parameter in body.get("parameter", []) or []:
        if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str):
            raise InvalidInput({"parameter": ["Each parameter has a name and a value."]})
        value = next((v for k, v in parameter.items() if k.startswith("value")), None)
        given[parameter["name"]] = value
    unknown = sorted(set(given) - {"_type", "deidentify", "pseudonymKey"})
    if unknown:
        raise InvalidInput({name: ["This export parameter is not supported."] for name in unknown})
    types: tuple[str, ...] = TYPES
    if given.get("_type") is not None:
        types = tuple(t.strip() for t in str(given["_type"]).split(",") if t.strip())
        wrong = [t for t in types if t not in TYPES]
        if wrong or not types:
            raise InvalidInput({"_type": [f"Export one or more of {', '.join(TYPES)}."]})
    deidentify = given.get("deidentify", False)
    key = given.get("pseudonymKey")
    if not isinstance(deidentify, bool):
        raise InvalidInput({"deidentify": ["deidentify is valueBoolean."]})
    if deidentify and not (isinstance(key, str) and 8 <= len(key) <= 100):
        raise InvalidInput(
            {"pseudonymKey": ["A de-identified export names its pseudonym key (8 to 100 characters)."]}
        )
    return {"types": list(types), "deidentify": deidentify, "key": key if deidentify else None}


def _root() -> Path:
    return Path(settings.RAPPORT_FHIR_EXPORT_DIR)


def _state_path(export_id: str) -> Path:
    return _root() / export_id / "status.json"


def _write_state(export_id: str, state: dict) -> None:
    path = _state_path(export_id)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(state))
    partial.replace(path)  # readers never see half a file


def start(request, options: dict) -> str:
    """Queue an export of what the caller may see; clinicians and supervisors only."""
    if not rules.is_clinical_staff(request.user):
        raise PermissionDenied
    export_id = uuid.uuid4().hex
    (_root() / export_id).mkdir(parents=True, exist_ok=False)
    now = timezone.now()
    _write_state(
        export_id,
        {
            "requester": request.user.pk,
            "state": "queued",
            "requested_at": now.isoformat(),
            **options,
            "counts": {},
        },
    )
    with transaction.atomic():
        trail.record(
            request,
            Action.EXPORT,
            object_type="FhirExport",
            detail={"export": export_id, "types": options["types"], "deidentified": options["deidentify"]},
        )
        # The database backend writes the job in this transaction: it exists exactly when the audit row does.
        run_export.enqueue(export_id)
    return export_id


def _own_state(request, export_id: str) -> dict:
    path = _state_path(export_id) if _EXPORT_ID.match(export_id) else None
    state = json.loads(path.read_text()) if path is not None and path.exists() else None
    if state is None or state["requester"] != request.user.pk:
        deny(request, detail={"object_type": "FhirExport"})
    return state


def status(request, export_id: str) -> dict:
    return _own_state(request, export_id)


def file_for(request, export_id: str, resource_type: str) -> Path:
    state = _own_state(request, export_id)
    if state["state"] != "done" or resource_type not in state["counts"]:
        deny(request, detail={"object_type": "FhirExport"})
    trail.record(
        request,
        Action.EXPORT,
        object_type="FhirExport",
        detail={"export": export_id, "download": resource_type},
    )
    return _root() / export_id / f"{resource_type}.ndjson"


@task()
def run_export(export_id: str) -> dict:
    state = json.loads(_state_path(export_id).read_text())
    state["state"] = "running"
    _write_state(export_id, state)
    user = User.objects.get(pk=state["requester"])
    counts = write_files(_root() / export_id, user, state["types"], state["deidentify"], state["key"])
    state.update(state="done", counts=counts, finished_at=timezone.now().isoformat())
    _write_state(export_id, state)
    return counts


def write_files(directory: Path, user, types: list[str], deidentify: bool, key: str | None) -> dict[str, int]:
    """Write one NDJSON file per type of what `user` may see (visible_to, now); audit each client."""
    ids: Ids = Pseudonyms(settings.SECRET_KEY, user.organisation_id, key or "") if deidentify else PLAIN
    visible = Client.objects.visible_to(user)
    sees_alerts = rules.sees_risk_triage(user)
    counts: dict[str, int] = {}
    files = {t: (directory / f"{t}.ndjson").open("w", encoding="utf-8") for t in types}

    def put(resource: dict) -> None:
        files[resource["resourceType"]].write(
            json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n"
        )
        counts[resource["resourceType"]] = counts.get(resource["resourceType"], 0) + 1

    try:
        for t in types:
            counts[t] = 0
        if "Patient" in types:
            for client in visible.order_by("pk").iterator(chunk_size=CHUNK):
                put(resources.patient(client, ids=ids, deidentified=deidentify))
        if "QuestionnaireResponse" in types or "Observation" in types:
            responses = Response.objects.filter(
                client__in=visible, entered_in_error_at__isnull=True
            ).order_by("pk")
            for response in responses.iterator(chunk_size=CHUNK):
                if "QuestionnaireResponse" in types:
                    put(resources.questionnaire_response(response, ids=ids))
                if "Observation" in types:
                    for observation in resources.observations(response, ids=ids, sees_bands=True):
                        put(observation)
        courses = Course.objects.filter(client__in=visible, entered_in_error_at__isnull=True).order_by("pk")
        if "EpisodeOfCare" in types or "CarePlan" in types:
            live_goals = Goal.objects.filter(entered_in_error_at__isnull=True).order_by("order", "id")
            live_sessions = Session.objects.filter(entered_in_error_at__isnull=True).order_by("number")
            with_parts = courses.select_related("client").prefetch_related(
                Prefetch("goals", queryset=live_goals), Prefetch("sessions", queryset=live_sessions)
            )
            for course in with_parts.iterator(chunk_size=500):
                if "EpisodeOfCare" in types:
                    put(resources.episode_of_care(course, course.client, ids=ids))
                if "CarePlan" in types:
                    put(
                        resources.care_plan(
                            course,
                            list(course.goals.all()),
                            list(course.sessions.all()),
                            ids=ids,
                            deidentified=deidentify,
                        )
                    )
        if "Goal" in types:
            goals = Goal.objects.filter(course__in=courses, entered_in_error_at__isnull=True).select_related(
                "course"
            )
            for goal in goals.order_by("pk").iterator(chunk_size=CHUNK):
                put(resources.goal(goal, goal.course, ids=ids, deidentified=deidentify))
        if "Encounter" in types:
            sessions = Session.objects.filter(
                course__in=courses, entered_in_error_at__isnull=True
            ).select_related("course")
            for session in sessions.order_by("pk").iterator(chunk_size=CHUNK):
                put(resources.encounter(session, session.course, ids=ids))
        if "Flag" in types and sees_alerts:
            alerts = RiskAlert.objects.filter(client__in=visible).exclude(status=AlertStatus.CLOSED)
            for alert in alerts.order_by("pk").iterator(chunk_size=CHUNK):
                put(resources.flag(alert, ids=ids))
    finally:
        for handle in files.values():
            handle.close()
    _audit_each(user, visible, directory.name, deidentify)
    return counts


def _audit_each(user, visible, export_id: str, deidentify: bool) -> None:
    """One EXPORT row per client exported, so that each client's own trail shows it."""
    batch: list[AuditEvent] = []
    detail = {"export": export_id, "deidentified": deidentify}
    for pk in visible.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=CHUNK):
        batch.append(
            AuditEvent(
                action=Action.EXPORT,
                actor=user,
                actor_role=user.role,
                route="fhir_export",
                client_id=pk,
                object_type="Client",
                object_id=str(pk),
                detail=detail,
            )
        )
        if len(batch) >= CHUNK:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    if batch:
        AuditEvent.objects.bulk_create(batch)
