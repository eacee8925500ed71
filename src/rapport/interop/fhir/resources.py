"""Domain records in, FHIR R4 resources (dicts) out. No queries beyond the related records the
caller selected, no access checks (read.py decides what a caller may see), no view logic.

`ids` turns our record ids into resource ids (ids.PLAIN, or pseudonyms in a de-identified
export); `deidentified` also drops names, exact birth dates and free text."""

from __future__ import annotations

from datetime import datetime

from rapport.clinic.courses import phase_of
from rapport.clinic.models import AlertStatus, Client, Course, Goal, Response, RiskAlert, Session
from rapport.core import instruments
from rapport.interop.fhir import codes
from rapport.interop.fhir.ids import PLAIN, Ids
from rapport.interop.fhir.questionnaire import answer_coding, item_coding


def _instant(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _meta(record, *, clinical: bool = True) -> dict:
    meta: dict = {"versionId": str(getattr(record, "version", 1))}
    updated = getattr(record, "updated_at", None) or getattr(record, "created_at", None)
    if updated is not None:
        meta["lastUpdated"] = _instant(updated)
    if clinical:
        meta["security"] = [dict(c) for c in codes.SECURITY]
    return meta


def organization(organisation) -> dict:
    return {
        "resourceType": "Organization",
        "id": str(organisation.pk),
        "meta": {"versionId": "1"},
        "active": True,
        "name": organisation.name,
    }


def practitioner(user) -> dict:
    # Work details only: name and title, never an e-mail address (it is a sign-in name here).
    return {
        "resourceType": "Practitioner",
        "id": str(user.pk),
        "meta": {"versionId": "1"},
        "active": user.is_active,
        "name": [{"text": user.full_name}],
        **({"qualification": [{"code": {"text": user.clinician_title}}]} if user.clinician_title else {}),
    }


def patient(client: Client, *, ids: Ids = PLAIN, deidentified: bool = False) -> dict:
    resource: dict = {
        "resourceType": "Patient",
        "id": ids("Patient", client.pk),
        "meta": _meta(client),
        "active": client.status != "ended",
    }
    if deidentified:
        # The year of birth only: enough for age bands, not an identifier.
        resource["birthDate"] = str(client.date_of_birth.year)
    else:
        name: dict = {"use": "official", "text": client.full_name}
        resource["name"] = [name]
        if client.preferred_name and client.preferred_name != client.full_name:
            resource["name"].append({"use": "usual", "text": client.preferred_name})
        resource["birthDate"] = client.date_of_birth.isoformat()
        resource["generalPractitioner"] = [ids.ref("Practitioner", client.responsible_clinician_id)]
        resource["managingOrganization"] = ids.ref("Organization", client.organisation_id)
    resource["communication"] = [
        {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": client.language}]}, "preferred": True}
    ]
    return resource


# [U] how our statuses map to FHIR's: the spec is silent; these are the nearest codes.
EPISODE_STATUS = {
    "referred": "planned",
    "assessment": "active",
    "active": "active",
    "maintenance": "active",
    "ended": "finished",
}
ENCOUNTER_STATUS = {
    "scheduled": "planned",
    "attended": "finished",
    "missed": "cancelled",
    "cancelled": "cancelled",
}


def episode_of_care(course: Course, client: Client, *, ids: Ids = PLAIN) -> dict:
    period: dict = {"start": course.started_on.isoformat()}
    if course.ended_on:
        period["end"] = course.ended_on.isoformat()
    return {
        "resourceType": "EpisodeOfCare",
        "id": ids("EpisodeOfCare", course.pk),
        "meta": _meta(course),
        "status": EPISODE_STATUS.get(course.status, "active"),
        "type": [
            {
                "coding": [{"system": codes.code_system("ipt-variant"), "code": course.variant}],
                "text": "Interpersonal psychotherapy",
            }
        ],
        "patient": ids.ref("Patient", course.client_id),
        "managingOrganization": ids.ref("Organization", client.organisation_id),
        "period": period,
        "careManager": ids.ref("Practitioner", client.responsible_clinician_id),
    }


def encounter(session: Session, course: Course, *, ids: Ids = PLAIN) -> dict:
    # No note of the session leaves: psychotherapy notes stay in Rapport (reference B2, PSYTHPN).
    return {
        "resourceType": "Encounter",
        "id": ids("Encounter", session.pk),
        "meta": _meta(session),
        "status": ENCOUNTER_STATUS.get(session.status, "unknown"),
        # [U] ambulatory: whether a session was in person or by video is not recorded.
        "class": {"system": codes.ACT_CODE, "code": "AMB", "display": "ambulatory"},
        "type": [
            {
                "coding": [{"system": codes.code_system("ipt-phase"), "code": phase_of(session)}],
                "text": f"IPT session {session.number}",
            }
        ],
        "subject": ids.ref("Patient", course.client_id),
        "episodeOfCare": [ids.ref("EpisodeOfCare", course.pk)],
        "period": {"start": session.date.isoformat(), "end": session.date.isoformat()},
    }


def goal(record: Goal, course: Course, *, ids: Ids = PLAIN, deidentified: bool = False) -> dict:
    ended = course.status == "ended"
    return {
        "resourceType": "Goal",
        "id": ids("Goal", record.pk),
        "meta": _meta(record),
        "lifecycleStatus": "completed" if ended else "active",
        "category": [
            {"coding": [{"system": codes.code_system("ipt-problem-area"), "code": record.problem_area}]}
        ],
        # Free text may name people: a de-identified export keeps only the problem area.
        "description": {"text": record.problem_area if deidentified else record.text},
        "subject": ids.ref("Patient", course.client_id),
    }


def care_plan(
    course: Course,
    goals: list[Goal],
    sessions: list[Session],
    *,
    ids: Ids = PLAIN,
    deidentified: bool = False,
) -> dict:
    period: dict = {"start": course.started_on.isoformat()}
    if course.ended_on:
        period["end"] = course.ended_on.isoformat()
    resource: dict = {
        "resourceType": "CarePlan",
        "id": ids("CarePlan", course.pk),
        "meta": _meta(course),
        "status": "completed" if course.status == "ended" else "active",
        "intent": "plan",
        "title": "Interpersonal psychotherapy",
        "subject": ids.ref("Patient", course.client_id),
        "period": period,
        "goal": [ids.ref("Goal", g.pk) for g in goals],
    }
    if not deidentified:
        # [U] each between-session task as an activity; whether it was done is not recorded.
        tasks = [
            {"detail": {"status": "unknown", "description": s.between_session_task}}
            for s in sessions
            if s.between_session_task
        ]
        if tasks:
            resource["activity"] = tasks
    if not resource["goal"]:
        del resource["goal"]
    return resource


def flag(alert: RiskAlert, *, ids: Ids = PLAIN) -> dict:
    """An unresolved risk alert: its tier and level, never its free text (notes stay inside)."""
    period: dict = {"start": _instant(alert.created_at)}
    if alert.resolved_at:
        period["end"] = _instant(alert.resolved_at)
    return {
        "resourceType": "Flag",
        "id": ids("Flag", alert.pk),
        "meta": _meta(alert),
        "status": "inactive" if alert.status == AlertStatus.CLOSED else "active",
        "category": [
            {"coding": [{"system": codes.FLAG_CATEGORY, "code": "clinical", "display": "Clinical"}]}
        ],
        "code": {
            "coding": [{"system": codes.code_system("risk-tier"), "code": alert.tier}],
            "text": f"Risk alert, tier {alert.tier}, level {alert.risk_level}",
        },
        "subject": ids.ref("Patient", alert.client_id),
        "period": period,
    }


# [U] Consent to treatment and to online sessions is about treatment; to messages and reminders,
# about how the client may be contacted (privacy).
CONSENT_SCOPES = {"treatment": "treatment", "online": "treatment", "messages": "patient-privacy"}


def consent(record, *, ids: Ids = PLAIN, deidentified: bool = False) -> dict:
    """One consent record (scheduling.Consent): what was agreed, the wording's version as the
    policy rule, when, by whom, and its withdrawal as the end of the provision."""
    scope = CONSENT_SCOPES.get(record.kind, "patient-privacy")
    resource: dict = {
        "resourceType": "Consent",
        "id": ids("Consent", record.pk),
        # A consent changes once, when it is withdrawn: that is its second version (the ETag of a
        # read changes with it, so If-None-Match never answers 304 for a withdrawal not yet seen).
        "meta": {**_meta(record), "versionId": "2" if record.withdrawn_on else "1"},
        "status": "inactive" if record.withdrawn_on else "active",
        "scope": {"coding": [{"system": codes.CONSENT_SCOPE, "code": scope}]},
        "category": [
            {"coding": [{"system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent"}]},
            {"coding": [{"system": codes.code_system("consent-kind"), "code": record.kind}]},
        ],
        "patient": ids.ref("Patient", record.client_id),
        "dateTime": record.given_on.isoformat(),
        "policyRule": {
            "coding": [{"system": codes.code_system("consent-wording"), "code": record.wording_version}]
        },
        "provision": {"period": {"start": record.given_on.isoformat()}},
    }
    if record.withdrawn_on:
        resource["provision"]["period"]["end"] = record.withdrawn_on.isoformat()
    if record.given_by == "caregiver" and not deidentified:
        resource["performer"] = [{"display": record.caregiver_name or "Caregiver"}]
    else:
        resource["performer"] = [ids.ref("Patient", record.client_id)]
    return resource


def _response_status(response: Response, live: str) -> str:
    """A withdrawn response is still read by id, as FHIR has it: with status entered-in-error
    (searches, $everything and $export leave it out)."""
    return "entered-in-error" if response.entered_in_error_at else live


def questionnaire_response(response: Response, *, ids: Ids = PLAIN) -> dict:
    instrument = instruments.get(response.instrument)
    items = []
    for item in instrument.items:
        code = response.answers.get(item.id)
        if code is None or code not in item.options_by_code:
            continue
        entry: dict = {"linkId": item.id, "text": item.text}
        entry["answer"] = [{"valueCoding": answer_coding(instrument, item.option(code))}]
        items.append(entry)
    resource: dict = {
        "resourceType": "QuestionnaireResponse",
        "id": ids("QuestionnaireResponse", response.pk),
        "meta": _meta(response),
        "questionnaire": f"{codes.questionnaire_url(instrument.id)}|{response.instrument_version}",
        "status": _response_status(response, "completed"),
        "subject": ids.ref("Patient", response.client_id),
        "authored": _instant(response.answered_at),
        "author": (
            ids.ref("Patient", response.client_id)
            if response.respondent == "client"
            else ids.ref("Practitioner", response.answered_by_id)
        ),
        "source": ids.ref("Patient", response.client_id) if response.respondent == "client" else None,
        "item": items,
    }
    if resource["source"] is None:
        del resource["source"]
    if not items:
        del resource["item"]
    return resource


def _observation(response: Response, ids: Ids, suffix: str) -> dict:
    return {
        "resourceType": "Observation",
        "id": ids("Observation", f"{response.pk}-{suffix}"),
        "meta": _meta(response),
        "status": _response_status(response, "final"),
        "category": [
            {"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
        ],
        "subject": ids.ref("Patient", response.client_id),
        "effectiveDateTime": _instant(response.answered_at),
        "derivedFrom": [ids.ref("QuestionnaireResponse", response.pk)],
    }


def derived_levels() -> dict[str, list[str]]:
    """The risk levels that give a response of a risk-category instrument (the C-SSRS screener,
    which has no total) its derived Observation, by instrument: only levels the instrument's data
    codes. A search must read these responses even when no risk item is positive (observations())."""
    found = {}
    for instrument in instruments.all_instruments():
        if (
            instrument.scoring.method == "risk_category"
            and instrument.loinc_total
            and instrument.loinc_total.code
        ):
            levels = [level for level, coding in instrument.risk_level_codes.items() if coding.code]
            if levels:
                found[instrument.id] = levels
    return found


def observations(response: Response, *, ids: Ids = PLAIN, sees_bands: bool = True) -> list[dict]:
    """The total (with its band as interpretation, for those who see bands) and each positive
    risk item, of one stored response."""
    instrument = instruments.get(response.instrument)
    found = []
    total_code = instrument.loinc_total.code if instrument.loinc_total else None
    if response.total is not None and total_code:
        total = _observation(response, ids, "total")
        total["code"] = {
            "coding": [{"system": codes.LOINC, "code": total_code}],
            "text": f"{instrument.short_title} total",
        }
        total["valueInteger"] = response.total
        band = next((b for b in instrument.bands if b.id == response.band), None)
        if band is not None and sees_bands:
            total["interpretation"] = [
                {
                    "coding": [
                        {
                            "system": codes.code_system(f"{instrument.id}-band"),
                            "code": band.id,
                            "display": band.label,
                        }
                    ]
                }
            ]
        found.append(total)
    elif instrument.scoring.method == "risk_category" and total_code and sees_bands:
        level = instrument.risk_level_codes.get(response.risk_level)
        if level is not None and level.code:
            derived = _observation(response, ids, "total")
            derived["code"] = {"coding": [{"system": codes.LOINC, "code": total_code}]}
            derived["valueCodeableConcept"] = {
                "coding": [{"system": level.system or codes.LOINC, "code": level.code}],
                "text": response.risk_level,
            }
            found.append(derived)
    for item_id in response.risk_flags:
        item = instrument.items_by_id.get(item_id)
        code = response.answers.get(item_id)
        if item is None or code not in item.options_by_code:
            continue
        risk = _observation(response, ids, f"risk-{item_id}")
        coding = item_coding(instrument, item)
        risk["code"] = {
            "coding": [coding or {"system": codes.items_system(instrument.id), "code": item.id}],
            "text": f"{instrument.short_title} item {item.number}",
        }
        risk["valueCodeableConcept"] = {"coding": [answer_coding(instrument, item.option(code))]}
        risk["interpretation"] = [
            {"coding": [{"system": codes.INTERPRETATION, "code": "POS", "display": "Positive"}]}
        ]
        found.append(risk)
    return found
