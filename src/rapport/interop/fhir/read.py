"""What a caller may read through FHIR: one resource by id, a search, a patient's everything.

The same rules as the JSON API: clients come from Client.objects.visible_to, each resource type
asks the permission its JSON route asks, a record of a client the caller may not see is a 404
exactly like a missing one (and the refusal is audited), and every read of a client's record
writes an audit row."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from rapport.accounts.models import Organisation, User
from rapport.audit import trail
from rapport.audit.models import Action
from rapport.clinic import rules
from rapport.clinic.client_records import get_client_for
from rapport.clinic.models import AlertStatus, Client, Course, Goal, Response, RiskAlert, Session
from rapport.common.errors import InvalidInput
from rapport.common.records import deny
from rapport.core import instruments
from rapport.interop.fhir import codes, resources
from rapport.interop.fhir.groups import read_group
from rapport.interop.fhir.questionnaire import item_coding, questionnaire
from rapport.scheduling.models import Consent

MAX_COUNT = 200
DEFAULT_COUNT = 50


@dataclass(frozen=True)
class Kind:
    """A resource type about a client: who may read it (role, then the client's permission)."""

    perm: str
    role: Any  # a predicate on the user; the JSON API refuses other roles with 403
    search: tuple[str, ...]  # the search parameters it supports, besides _count and _offset


def _anyone(user) -> bool:
    return True


KINDS: dict[str, Kind] = {
    "Patient": Kind("clinic.view_client", _anyone, ("_id",)),
    "QuestionnaireResponse": Kind(
        "clinic.view_responses", _anyone, ("_id", "patient", "questionnaire", "authored")
    ),
    "Observation": Kind("clinic.view_responses", _anyone, ("patient", "code", "date")),
    "EpisodeOfCare": Kind("clinic.view_client", rules.is_clinical_staff, ("_id", "patient")),
    "Encounter": Kind("clinic.view_client", rules.is_clinical_staff, ("_id", "patient")),
    "CarePlan": Kind("clinic.view_client", rules.is_clinical_staff, ("_id", "patient")),
    "Goal": Kind("clinic.view_client", rules.is_clinical_staff, ("_id", "patient")),
    "Flag": Kind("clinic.view_alerts", rules.sees_risk_triage, ("_id", "patient")),
    # As GET /api/v1/clients/{id}/consents: whoever sees the client, the client their own.
    "Consent": Kind("clinic.view_client", _anyone, ("_id", "patient", "status")),
}
# Resources with no client in them: the questionnaires, and who works where; and a group of
# group IPT, whose members are references only (interop/fhir/groups.py).
OTHER_READS = ("Questionnaire", "Practitioner", "Organization", "Group")
QUESTIONNAIRE_SEARCH = ("_id", "url")
SEARCHABLE = {**{name: kind.search for name, kind in KINDS.items()}, "Questionnaire": QUESTIONNAIRE_SEARCH}


@dataclass
class Page:
    resources: list[dict]
    total: int
    offset: int
    count: int


# Reading one resource


def read(request, resource_type: str, resource_id: str) -> dict:
    if resource_type == "Questionnaire":
        return _questionnaire(request, resource_id)
    if resource_type in ("Practitioner", "Organization"):
        return _staff_read(request, resource_type, resource_id)
    if resource_type == "Group":
        return read_group(request, resource_id)
    kind = _kind(request, resource_type)
    found = _find(resource_type, resource_id)
    client_id = found[0] if found else None
    if client_id is None:
        deny(request, detail={"object_type": resource_type})
    client = get_client_for(request, client_id, kind.perm, audit=False)
    resource = _resource_of(request, resource_type, resource_id, found[1], client)
    if resource is None:
        deny(request, client_id=client.pk, detail={"object_type": resource_type})
    trail.record(request, Action.READ, client=client, object_type=resource_type, obj=found[1])
    return resource


def _kind(request, resource_type: str) -> Kind:
    kind = KINDS[resource_type]
    if not kind.role(request.user) or rules.is_administrator(request.user):
        # Administrators read no clinical record; a client reads no triage or course record.
        raise PermissionDenied
    return kind


_OBSERVATION_ID = re.compile(r"^(\d+)-(total|risk-[A-Za-z0-9]+)$")


def _find(resource_type: str, resource_id: str):
    """(client id, record) of a resource id, or None when there is no such live record."""
    if resource_type == "Observation":
        matched = _OBSERVATION_ID.match(resource_id)
        pk = matched.group(1) if matched else None
    else:
        pk = resource_id if resource_id.isdigit() else None
    if pk is None or len(pk) > 12:
        return None
    match resource_type:
        case "Patient":
            record: Any = Client.objects.filter(pk=pk, entered_in_error_at__isnull=True).first()
            return (record.pk, record) if record else None
        case "QuestionnaireResponse" | "Observation":
            # Read by id, a withdrawn response (and what it yielded) is still found, with status
            # entered-in-error (FHIR's convention); searches and $everything leave it out.
            record = Response.objects.filter(pk=pk).first()
        case "EpisodeOfCare" | "CarePlan":
            record = Course.objects.filter(pk=pk, entered_in_error_at__isnull=True).first()
        case "Encounter":
            record = (
                Session.objects.select_related("course")
                .filter(pk=pk, entered_in_error_at__isnull=True, course__entered_in_error_at__isnull=True)
                .first()
            )
            return (record.course.client_id, record) if record else None
        case "Goal":
            record = (
                Goal.objects.select_related("course")
                .filter(pk=pk, entered_in_error_at__isnull=True, course__entered_in_error_at__isnull=True)
                .first()
            )
            return (record.course.client_id, record) if record else None
        case "Flag":
            record = RiskAlert.objects.filter(pk=pk).first()
        case "Consent":
            record = Consent.objects.filter(pk=pk).first()
        case _:
            return None
    return (record.client_id, record) if record else None


def _resource_of(request, resource_type: str, resource_id: str, record, client: Client) -> dict | None:
    user = request.user
    match resource_type:
        case "Patient":
            return resources.patient(client)
        case "QuestionnaireResponse":
            return resources.questionnaire_response(record)
        case "Observation":
            wanted = [
                o
                for o in resources.observations(record, sees_bands=rules.sees_severity_bands(user))
                if o["id"] == resource_id
            ]
            return wanted[0] if wanted else None
        case "EpisodeOfCare":
            return resources.episode_of_care(record, client)
        case "CarePlan":
            return resources.care_plan(record, _goals([record]), _sessions([record]))
        case "Encounter":
            return resources.encounter(record, record.course)
        case "Goal":
            return resources.goal(record, record.course)
        case "Flag":
            return resources.flag(record)
        case "Consent":
            return resources.consent(record)
    return None


def _questionnaire(request, resource_id: str) -> dict:
    for instrument in instruments.all_instruments():
        if codes.questionnaire_id(instrument.id) == resource_id:
            return questionnaire(instrument)
    deny(request, detail={"object_type": "Questionnaire"})


def _staff_read(request, resource_type: str, resource_id: str) -> dict:
    """Who works in the caller's own organisation, and the organisation itself; nothing else."""
    org_id = request.user.organisation_id
    if resource_type == "Organization":
        found = Organisation.objects.filter(pk=org_id).first() if resource_id == str(org_id) else None
        if found is None:
            deny(request, detail={"object_type": resource_type})
        return resources.organization(found)
    person = (
        User.objects.filter(
            organisation_id=org_id, pk=resource_id, role__in=("clinician", "supervisor")
        ).first()
        if resource_id.isdigit() and len(resource_id) <= 12
        else None
    )
    if person is None:
        deny(request, detail={"object_type": resource_type})
    return resources.practitioner(person)


# Searching


def search(request, resource_type: str, params: dict[str, list[str]]) -> Page:
    allowed = SEARCHABLE[resource_type]
    count, offset = _paging(params)
    unknown = sorted(k for k in params if k not in allowed and k not in ("_count", "_offset"))
    if unknown:
        raise InvalidInput({k: ["This search parameter is not supported."] for k in unknown})
    if resource_type == "Questionnaire":
        return _search_questionnaires(params, count, offset)
    kind = _kind(request, resource_type)
    client = None
    if "patient" in params:
        client = get_client_for(request, _patient_id(_one(params, "patient")), kind.perm, audit=False)
    visible = Client.objects.visible_to(request.user)
    if resource_type == "Observation":
        page = _search_observations(request, params, visible, client, count, offset)
    else:
        records = _records(resource_type, visible, client, params)
        total = records.count()
        chosen = list(records[offset : offset + count])
        page = Page(_many(request, resource_type, chosen), total, offset, count)
    _audit_search(request, resource_type, page, client)
    return page


def _one(params: dict[str, list[str]], name: str) -> str:
    values = params[name]
    if len(values) != 1 or not values[0]:
        raise InvalidInput({name: ["Give this parameter once, with a value."]})
    return values[0]


def _paging(params) -> tuple[int, int]:
    try:
        count = int(params.get("_count", [DEFAULT_COUNT])[0])
        offset = int(params.get("_offset", [0])[0])
    except ValueError:
        raise InvalidInput({"_count": ["_count and _offset are whole numbers."]}) from None
    if not 1 <= count <= MAX_COUNT or offset < 0:
        raise InvalidInput({"_count": [f"_count is between 1 and {MAX_COUNT}; _offset is 0 or more."]})
    return count, offset


def _patient_id(value: str) -> int:
    value = value.removeprefix("Patient/")
    if not value.isdigit() or len(value) > 12:
        raise InvalidInput({"patient": ["Give a patient as its id or Patient/id."]})
    return int(value)


def _date_bounds(params, name: str) -> list[tuple[str, datetime]]:
    """`ge`/`le`/`eq` date or date-time bounds of a date parameter (FHIR's prefixes)."""
    bounds = []
    for raw in params.get(name, []):
        prefix, value = (raw[:2], raw[2:]) if raw[:2] in ("ge", "le", "eq", "gt", "lt") else ("eq", raw)
        try:
            if len(value) == 10:
                day = date.fromisoformat(value)
                start = timezone.make_aware(datetime.combine(day, time.min))
                end = timezone.make_aware(datetime.combine(day, time.max))
            else:
                start = end = datetime.fromisoformat(value)
                if timezone.is_naive(start):
                    raise ValueError
        except ValueError:
            raise InvalidInput({name: ["Give a date (2026-03-01) or a date-time with its offset."]}) from None
        match prefix:
            case "ge":
                bounds.append(("gte", start))
            case "gt":
                bounds.append(("gt", end))
            case "le":
                bounds.append(("lte", end))
            case "lt":
                bounds.append(("lt", start))
            case _:
                bounds += [("gte", start), ("lte", end)]
    return bounds


def _questionnaire_filter(value: str) -> tuple[str, str | None]:
    url, _, version = value.partition("|")
    for instrument in instruments.all_instruments():
        if codes.questionnaire_url(instrument.id) == url:
            return instrument.id, version or None
    raise InvalidInput({"questionnaire": ["This is not one of our questionnaires."]})


def _records(resource_type: str, visible, client, params) -> QuerySet:
    ids = [v for v in params.get("_id", []) if v.isdigit() and len(v) <= 12]
    match resource_type:
        case "Patient":
            records: QuerySet = visible.select_related("responsible_clinician")
            field = "pk"
        case "QuestionnaireResponse":
            records = Response.objects.filter(client__in=visible, entered_in_error_at__isnull=True)
            if client is not None:
                records = records.filter(client=client)
            if "questionnaire" in params:
                instrument, version = _questionnaire_filter(_one(params, "questionnaire"))
                records = records.filter(instrument=instrument)
                if version:
                    records = records.filter(instrument_version=version)
            for lookup, bound in _date_bounds(params, "authored"):
                records = records.filter(**{f"answered_at__{lookup}": bound})
            field = "pk"
        case "EpisodeOfCare" | "CarePlan":
            records = Course.objects.filter(
                client__in=visible, entered_in_error_at__isnull=True
            ).select_related("client")
            if client is not None:
                records = records.filter(client=client)
            field = "pk"
        case "Encounter" | "Goal":
            model: Any = Session if resource_type == "Encounter" else Goal
            records = model.objects.filter(
                course__client__in=visible,
                entered_in_error_at__isnull=True,
                course__entered_in_error_at__isnull=True,
            ).select_related("course")
            if client is not None:
                records = records.filter(course__client=client)
            field = "pk"
        case "Flag":
            # Searches find the alerts still open (acknowledged or not); a closed one is read by id.
            records = RiskAlert.objects.filter(client__in=visible).exclude(status=AlertStatus.CLOSED)
            if client is not None:
                records = records.filter(client=client)
            field = "pk"
        case "Consent":
            records = Consent.objects.filter(client__in=visible)
            if client is not None:
                records = records.filter(client=client)
            if "status" in params:
                records = _consent_status(records, params)
            field = "pk"
    if "_id" in params:
        records = records.filter(**{f"{field}__in": ids})
    return records.order_by("pk")


# A consent is "active" until withdrawn, then "inactive" (resources.consent); the other codes of
# FHIR's consent-state-codes are valid searches that match nothing here.
CONSENT_STATES = ("draft", "proposed", "active", "rejected", "inactive", "entered-in-error")
CONSENT_STATE_SYSTEM = "http://hl7.org/fhir/consent-state-codes"


def _consent_status(records: QuerySet, params) -> QuerySet:
    """`status` as a FHIR token: each value a comma-separated list (any of them matches), with
    or without the system; several `status` parameters must all match."""
    for value in params["status"]:
        wanted = set()
        for token in value.split(","):
            system, bar, code = token.rpartition("|")
            if code not in CONSENT_STATES or (bar and system not in ("", CONSENT_STATE_SYSTEM)):
                raise InvalidInput({"status": [f"Give a consent status: {', '.join(CONSENT_STATES)}."]})
            wanted.add(code)
        if not wanted & {"active", "inactive"}:
            return records.none()
        if wanted >= {"active", "inactive"}:
            continue
        records = records.filter(withdrawn_on__isnull="active" in wanted)
    return records


def _many(request, resource_type: str, chosen: list) -> list[dict]:
    match resource_type:
        case "Patient":
            return [resources.patient(c) for c in chosen]
        case "QuestionnaireResponse":
            return [resources.questionnaire_response(r) for r in chosen]
        case "EpisodeOfCare":
            return [resources.episode_of_care(c, c.client) for c in chosen]
        case "CarePlan":
            goals, sessions = _goals(chosen), _sessions(chosen)
            return [
                resources.care_plan(
                    c, [g for g in goals if g.course_id == c.pk], [s for s in sessions if s.course_id == c.pk]
                )
                for c in chosen
            ]
        case "Encounter":
            return [resources.encounter(s, s.course) for s in chosen]
        case "Goal":
            return [resources.goal(g, g.course) for g in chosen]
        case "Flag":
            return [resources.flag(a) for a in chosen]
        case "Consent":
            return [resources.consent(c) for c in chosen]
    return []


def _goals(courses) -> list[Goal]:
    return list(
        Goal.objects.filter(course__in=courses, entered_in_error_at__isnull=True).order_by(
            "course", "order", "id"
        )
    )


def _sessions(courses) -> list[Session]:
    """The live sessions of these courses, each holding its course (the phase needs it) without
    a join: the courses are in hand."""
    by_pk = {c.pk: c for c in courses}
    found = list(
        Session.objects.filter(course__in=list(by_pk), entered_in_error_at__isnull=True).order_by(
            "course", "number"
        )
    )
    for session in found:
        session.course = by_pk[session.course_id]
    return found


def _search_observations(request, params, visible, client, count: int, offset: int) -> Page:
    """Observations are derived from responses, so they cannot be counted by the database alone.
    The database narrows the responses (client, date, and the instruments that can yield a wanted
    code) and streams them in order; only the page asked for is kept, so memory stays bounded by
    _count however many responses a supervisor's teams hold."""
    responses = Response.objects.filter(client__in=visible, entered_in_error_at__isnull=True)
    if client is not None:
        responses = responses.filter(client=client)
    for lookup, bound in _date_bounds(params, "date"):
        responses = responses.filter(**{f"answered_at__{lookup}": bound})
    wanted = set()
    for value in params.get("code", []):
        system, _, code = value.rpartition("|")
        wanted.add((system or None, code))
    if wanted:
        responses = responses.filter(instrument__in=_instruments_yielding(wanted))
    sees_bands = rules.sees_severity_bands(request.user)
    kept: list[dict] = []
    total = 0
    # Only responses that can have an observation are read: those with a total, a positive risk
    # item, or a risk level the instrument codes (the C-SSRS screener's derived level, which read by
    # id and $everything carry too).
    can_observe = Q(total__isnull=False) | ~Q(risk_flags=[])
    for instrument_id, levels in resources.derived_levels().items():
        can_observe |= Q(instrument=instrument_id, risk_level__in=levels)
    for response in responses.filter(can_observe).order_by("pk").iterator(chunk_size=500):
        for observation in resources.observations(response, sees_bands=sees_bands):
            if not wanted or _has_code(observation, wanted):
                if offset <= total < offset + count:
                    kept.append(observation)
                total += 1
    return Page(kept, total, offset, count)


def _has_code(observation: dict, wanted: set[tuple[str | None, str]]) -> bool:
    return any(
        (s is None or coding.get("system") == s) and coding.get("code") == c
        for s, c in wanted
        for coding in observation["code"]["coding"]
    )


def _instruments_yielding(wanted: set[tuple[str | None, str]]) -> list[str]:
    """The instruments whose observations can carry one of these codes: their total's LOINC code,
    or any item's code (a superset of the risk items, which is all a filter needs)."""
    found = []
    for instrument in instruments.all_instruments():
        possible = []
        if instrument.loinc_total and instrument.loinc_total.code:
            possible.append({"system": codes.LOINC, "code": instrument.loinc_total.code})
        for item in instrument.items:
            possible.append(
                item_coding(instrument, item)
                or {"system": codes.items_system(instrument.id), "code": item.id}
            )
        if _has_code({"code": {"coding": possible}}, wanted):
            found.append(instrument.id)
    return found


def _search_questionnaires(params, count: int, offset: int) -> Page:
    found = [questionnaire(i) for i in instruments.all_instruments()]
    if "_id" in params:
        found = [q for q in found if q["id"] in params["_id"]]
    if "url" in params:
        urls = {v.partition("|")[0] for v in params["url"]}
        found = [q for q in found if q["url"] in urls]
    return Page(found[offset : offset + count], len(found), offset, count)


def _audit_search(request, resource_type: str, page: Page, client) -> None:
    detail = {"object_type": resource_type, "count": len(page.resources)}
    if client is not None:
        trail.record(request, Action.READ, client=client, detail=detail)
        return
    seen = sorted({_client_of(resource_type, r) for r in page.resources} - {None})
    if seen:
        trail.record_each(request, Action.READ, Client.objects.filter(pk__in=seen), detail=detail)
    else:
        trail.record(request, Action.LIST, object_type=resource_type, detail=detail)


def _client_of(resource_type: str, resource: dict):
    if resource_type == "Patient":
        return int(resource["id"])
    ref = resource.get("subject") or resource.get("patient")
    return int(ref["reference"].split("/")[1]) if ref else None


# A patient's everything


def everything(request, client_id: int) -> list[dict]:
    """The patient and every resource about them that the caller may read, in one audited read."""
    if rules.is_administrator(request.user):
        raise PermissionDenied
    client = get_client_for(request, client_id, "clinic.view_client", audit=False)
    user = request.user
    found: list[dict] = [resources.patient(client)]
    reads_responses = user.has_perm("clinic.view_responses", client)
    if rules.is_clinical_staff(user):
        courses = list(Course.objects.filter(client=client, entered_in_error_at__isnull=True).order_by("pk"))
        goals, sessions = _goals(courses), _sessions(courses)
        for course in courses:
            found.append(resources.episode_of_care(course, client))
            mine = [g for g in goals if g.course_id == course.pk]
            found.append(resources.care_plan(course, mine, [s for s in sessions if s.course_id == course.pk]))
            found += [resources.goal(g, course) for g in mine]
        by_pk = {c.pk: c for c in courses}
        found += [resources.encounter(s, by_pk[s.course_id]) for s in sessions]
        found.append(resources.practitioner(client.responsible_clinician))
    if reads_responses:
        sees_bands = rules.sees_severity_bands(user)
        for response in Response.objects.filter(client=client, entered_in_error_at__isnull=True).order_by(
            "pk"
        ):
            found.append(resources.questionnaire_response(response))
            found += resources.observations(response, sees_bands=sees_bands)
    if rules.is_clinical_staff(user) or client.user_id == user.pk:
        # As GET /api/v1/clients/{id}/consents: the clinicians who see the client, and the client.
        given = Consent.objects.filter(client=client).order_by("given_on", "pk")
        found += [resources.consent(c) for c in given]
    if user.has_perm("clinic.view_alerts", client):
        alerts = RiskAlert.objects.filter(client=client).exclude(status=AlertStatus.CLOSED).order_by("pk")
        found += [resources.flag(a) for a in alerts]
    trail.record(
        request, Action.READ, client=client, detail={"object_type": "Everything", "count": len(found)}
    )
    return found
