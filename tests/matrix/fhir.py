"""Access-matrix rows for the FHIR R4 API at /fhir/R4/ (see tests/access_matrix.py).

As the JSON API: 401 without credentials; a client's record that is not the caller's is 404 like
a missing one; a role that may not read a kind of record (a client reading triage or the course,
an administrator reading any clinical record) is 403. Searches are scoped to the client with
?patient= so that "not yours" shows."""

import json

from django.utils import timezone

from rapport.clinic.models import Goal, Response
from rapport.scheduling.models import Consent
from tests.access_matrix import FORBIDDEN, NOT_FOUND, OK, UNAUTHORISED, Route, expect
from tests.matrix.alerts import an_alert

FHIR = "/fhir/R4/"
SIGNED_IN = expect(OK, anonymous=UNAUTHORISED)
# Patient, QuestionnaireResponse, Observation: the client reads their own too.
CLIENT_RECORD = expect(
    NOT_FOUND,
    anonymous=UNAUTHORISED,
    clinician=OK,
    co_clinician=OK,
    supervisor=OK,
    client_user=OK,
    administrator=FORBIDDEN,
)
# The course and the triage: clinical staff only.
STAFF_RECORD = expect(
    NOT_FOUND,
    anonymous=UNAUTHORISED,
    clinician=OK,
    co_clinician=OK,
    supervisor=OK,
    client_user=FORBIDDEN,
    other_client_user=FORBIDDEN,
    administrator=FORBIDDEN,
)


def scored(clinic) -> Response:
    """The matrix's response, given a total so that it has a total Observation."""
    Response.objects.filter(pk=clinic.response.pk).update(total=5, band="mild")
    return clinic.response


def a_goal(clinic) -> Goal:
    found, _ = Goal.objects.get_or_create(
        course=clinic.session.course, defaults={"problem_area": "grief", "text": "x"}
    )
    return found


def a_consent(clinic) -> Consent:
    """The client's consent to secure messages, which the personas' clinic records."""
    return Consent.objects.filter(client=clinic.client).earliest("pk")


def an_export(clinic) -> str:
    """A finished export of the responsible clinician's, written as the job leaves it."""
    from django.conf import settings

    export_id = "0" * 31 + "1"
    directory = settings.RAPPORT_FHIR_EXPORT_DIR / export_id
    directory.mkdir(parents=True, exist_ok=True)
    state = {
        "requester": clinic.clinician.pk,
        "state": "done",
        "requested_at": timezone.now().isoformat(),
        "types": ["Patient"],
        "deidentify": False,
        "key": None,
        "counts": {"Patient": 1},
    }
    (directory / "status.json").write_text(json.dumps(state))
    (directory / "Patient.ndjson").write_text('{"resourceType":"Patient","id":"1"}\n')
    return export_id


def search(name, query=""):
    return lambda c: f"{FHIR}{name}{query.format(pk=c.client.pk)}"


def read(name, pk):
    return lambda c: f"{FHIR}{name}/{pk(c)}"


def qr_body(clinic):
    from django.conf import settings

    loinc = [
        "44250-9",
        "44255-8",
        "44259-0",
        "44254-1",
        "44251-7",
        "44258-2",
        "44252-5",
        "44253-3",
        "44260-8",
    ]
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{settings.RAPPORT_FHIR_CANONICAL_BASE}/Questionnaire/phq9|1.0",
        "status": "completed",
        "subject": {"reference": f"Patient/{clinic.client.pk}"},
        "item": [
            {
                "linkId": f"item{n}",
                "code": [{"system": "http://loinc.org", "code": loinc[n - 1]}],
                "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA6568-5"}}],
            }
            for n in range(1, 10)
        ],
    }


def withdrawal_body(clinic) -> dict:
    """The matrix's response as read, withdrawn (status entered-in-error, with a reason)."""
    from django.conf import settings

    from rapport.interop.fhir import resources

    return {
        **resources.questionnaire_response(clinic.response),
        "status": "entered-in-error",
        "extension": [
            {
                "url": f"{settings.RAPPORT_FHIR_CANONICAL_BASE}/StructureDefinition/entered-in-error-reason",
                "valueString": "Entered for the wrong client.",
            }
        ],
    }


ROUTES = [
    Route("fhir_metadata", "GET", lambda c: f"{FHIR}metadata", expect(OK)),
    Route("fhir_search_Questionnaire", "GET", search("Questionnaire"), SIGNED_IN),
    Route("fhir_read_Questionnaire", "GET", read("Questionnaire", lambda c: "phq9"), SIGNED_IN),
    Route("fhir_read_Practitioner", "GET", read("Practitioner", lambda c: c.clinician.pk), SIGNED_IN),
    Route("fhir_read_Organization", "GET", read("Organization", lambda c: c.org.pk), SIGNED_IN),
    Route(
        "fhir_search_Patient",
        "GET",
        search("Patient", "?_id={pk}"),
        # A search finds only what the caller sees: an empty Bundle for the others.
        expect(OK, anonymous=UNAUTHORISED, administrator=FORBIDDEN),
    ),
    Route(
        "fhir_read_Patient", "GET", read("Patient", lambda c: c.client.pk), CLIENT_RECORD, read_audited=True
    ),
    Route(
        "fhir_everything",
        "GET",
        lambda c: f"{FHIR}Patient/{c.client.pk}/$everything",
        CLIENT_RECORD,
        read_audited=True,
    ),
    Route(
        "fhir_search_QuestionnaireResponse",
        "GET",
        search("QuestionnaireResponse", "?patient={pk}"),
        CLIENT_RECORD,
        read_audited=True,
    ),
    Route(
        "fhir_read_QuestionnaireResponse",
        "GET",
        read("QuestionnaireResponse", lambda c: c.response.pk),
        CLIENT_RECORD,
        read_audited=True,
    ),
    Route(
        "fhir_create_QuestionnaireResponse",
        "POST",
        lambda c: f"{FHIR}QuestionnaireResponse",
        # As POST /api/v1/clients/{id}/responses: the clinicians and the client themself.
        expect(NOT_FOUND, anonymous=UNAUTHORISED, clinician=201, co_clinician=201, client_user=201),
        data=qr_body,
        json=True,
    ),
    Route(
        "fhir_read_QuestionnaireResponse",
        "PUT",
        read("QuestionnaireResponse", lambda c: c.response.pk),
        # A withdrawal, by whoever may send a response for the client (as the create above).
        expect(NOT_FOUND, anonymous=UNAUTHORISED, clinician=OK, co_clinician=OK, client_user=OK),
        data=withdrawal_body,
        json=True,
        headers=lambda c: {"HTTP_IF_MATCH": 'W/"1"'},
    ),
    Route(
        "fhir_search_Observation",
        "GET",
        search("Observation", "?patient={pk}"),
        CLIENT_RECORD,
        read_audited=True,
    ),
    Route(
        "fhir_read_Observation",
        "GET",
        read("Observation", lambda c: f"{scored(c).pk}-total"),
        CLIENT_RECORD,
        read_audited=True,
    ),
    Route(
        "fhir_search_EpisodeOfCare",
        "GET",
        search("EpisodeOfCare", "?patient={pk}"),
        STAFF_RECORD,
        read_audited=True,
    ),
    Route(
        "fhir_read_EpisodeOfCare",
        "GET",
        read("EpisodeOfCare", lambda c: c.session.course_id),
        STAFF_RECORD,
        read_audited=True,
    ),
    Route("fhir_search_Encounter", "GET", search("Encounter", "?patient={pk}"), STAFF_RECORD),
    Route(
        "fhir_read_Encounter",
        "GET",
        read("Encounter", lambda c: c.session.pk),
        STAFF_RECORD,
        read_audited=True,
    ),
    Route("fhir_search_CarePlan", "GET", search("CarePlan", "?patient={pk}"), STAFF_RECORD),
    Route("fhir_read_CarePlan", "GET", read("CarePlan", lambda c: c.session.course_id), STAFF_RECORD),
    Route("fhir_search_Goal", "GET", search("Goal", "?patient={pk}"), STAFF_RECORD),
    Route("fhir_read_Goal", "GET", read("Goal", lambda c: a_goal(c).pk), STAFF_RECORD),
    Route("fhir_search_Flag", "GET", search("Flag", "?patient={pk}"), STAFF_RECORD, read_audited=True),
    Route("fhir_read_Flag", "GET", read("Flag", lambda c: an_alert(c).pk), STAFF_RECORD, read_audited=True),
    # As GET /api/v1/clients/{id}/consents: whoever sees the client, and the client their own.
    Route("fhir_search_Consent", "GET", search("Consent", "?patient={pk}"), CLIENT_RECORD, read_audited=True),
    Route(
        "fhir_read_Consent",
        "GET",
        read("Consent", lambda c: a_consent(c).pk),
        CLIENT_RECORD,
        read_audited=True,
    ),
    Route(
        "fhir_export",
        "POST",
        lambda c: f"{FHIR}$export",
        expect(
            202,
            anonymous=UNAUTHORISED,
            client_user=FORBIDDEN,
            other_client_user=FORBIDDEN,
            administrator=FORBIDDEN,
        ),
        data=lambda c: {"resourceType": "Parameters", "parameter": []},
        json=True,
    ),
    Route(
        "fhir_export_status",
        "GET",
        lambda c: f"{FHIR}$export-status/{an_export(c)}",
        # Only whoever asked for the export follows it.
        expect(NOT_FOUND, anonymous=UNAUTHORISED, clinician=OK),
    ),
    Route(
        "fhir_export_file",
        "GET",
        lambda c: f"{FHIR}$export-file/{an_export(c)}/Patient.ndjson",
        expect(NOT_FOUND, anonymous=UNAUTHORISED, clinician=OK),
    ),
]
