"""The CapabilityStatement, built from the same tables as the routes (urls.py), so that it says
exactly what is served (tests/test_fhir_api.py walks it)."""

from django.conf import settings

from rapport.interop.fhir import codes, read

SEARCH_TYPES = {
    "_id": "token",
    "url": "uri",
    "patient": "reference",
    "questionnaire": "reference",
    "authored": "date",
    "code": "token",
    "date": "date",
    "status": "token",
}
# Every type that can be read by id, and those of them that can be searched.
READ_TYPES = (*read.KINDS, *read.OTHER_READS)
SEARCH_TYPES_BY_RESOURCE = read.SEARCHABLE
CREATE_TYPES = ("QuestionnaireResponse",)
# Updated only to withdraw one (status entered-in-error), from the version read (If-Match).
UPDATE_TYPES = ("QuestionnaireResponse",)
RESOURCE_DOCUMENTATION = {
    "QuestionnaireResponse": (
        "Scored by code on create. The only update is a withdrawal: PUT the resource as read with "
        "status entered-in-error, the reason in the extension "
        "{base}/StructureDefinition/entered-in-error-reason (valueString), and If-Match (required) "
        "with the ETag read; any other change is refused (422), a correction is a new POST. A "
        "withdrawn response is still read by id, with status entered-in-error at its next version, "
        "but searches, Patient/$everything and $export leave it and its Observations out; a risk "
        "alert it raised stays open until a clinician closes it."
    ),
}


def capability_statement(base: str) -> dict:
    rest_resources = []
    for name in sorted(READ_TYPES):
        interactions = [{"code": "read"}]
        entry: dict = {
            "type": name,
            "versioning": "versioned",
            "readHistory": False,
            "conditionalRead": "not-match",
        }
        if name in SEARCH_TYPES_BY_RESOURCE:
            interactions.append({"code": "search-type"})
            entry["searchParam"] = [
                {"name": p, "type": SEARCH_TYPES[p]} for p in SEARCH_TYPES_BY_RESOURCE[name]
            ]
        if name in CREATE_TYPES:
            interactions.append({"code": "create"})
        if name in UPDATE_TYPES:
            interactions.append({"code": "update"})
            entry["versioning"] = "versioned-update"
            entry["updateCreate"] = False
            entry["conditionalUpdate"] = False
        if name in RESOURCE_DOCUMENTATION:
            entry["documentation"] = RESOURCE_DOCUMENTATION[name].format(base=codes.canonical_base())
        if name == "Patient":
            entry["operation"] = [
                {
                    "name": "everything",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                }
            ]
        entry["interaction"] = interactions
        rest_resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-12-07",
        "publisher": "Rapport",
        "kind": "instance",
        "software": {"name": "Rapport"},
        "implementation": {"description": "Rapport FHIR R4 API", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "OAuth",
                                }
                            ],
                            "text": "Bearer tokens issued by Rapport",
                        }
                    ]
                },
                "resource": rest_resources,
                "operation": [
                    {
                        "name": "export",
                        "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export",
                    }
                ],
            }
        ],
        "instantiates": [f"{settings.RAPPORT_FHIR_CANONICAL_BASE}/CapabilityStatement/rapport"],
    }
