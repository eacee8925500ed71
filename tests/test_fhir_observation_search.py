"""Observation search finds exactly what read by id and $everything carry: each total, each
positive risk item, and the C-SSRS screener's derived risk level (LOINC 93374-7, which has no
total), also when no risk item is positive, searched by its code with or without the system."""

import dataclasses

import pytest

from rapport.clinic import measurement
from rapport.clinic.models import Course
from rapport.core import instruments
from tests.support import request_as
from tests.test_fhir_validation import valid

FHIR = "/fhir/R4/"
RISK_LEVEL = "93374-7"
NEGATIVE = {"q1": "no", "q2": "no", "q6": "no"}
WISH_TO_BE_DEAD = {"q1": "yes", "q2": "no", "q6": "no"}  # level low, the one level LOINC codes


@pytest.fixture
def screened(clinic):
    Course.objects.create(client=clinic.client, status="active", started_on="2026-03-01")
    request = request_as(clinic.clinician)
    for answers in (NEGATIVE, WISH_TO_BE_DEAD):
        measurement.record_response(request, clinic.client.pk, "cssrs_screen", answers)
    phq9 = {f"item{n}": "several_days" for n in range(1, 9)} | {"item9": "not_at_all"}
    measurement.record_response(request, clinic.client.pk, "phq9", phq9)
    return clinic


def observations_in_everything(client, patient) -> dict[str, dict]:
    bundle = client.get(f"{FHIR}Patient/{patient}/$everything").json()
    return {
        e["resource"]["id"]: e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
    }


def found(client, query) -> dict[str, dict]:
    bundle = client.get(f"{FHIR}Observation?{query}").json()
    return {e["resource"]["id"]: e["resource"] for e in bundle["entry"]}


def test_search_by_patient_finds_every_observation_read_and_everything_carry(screened, as_user):
    clinic = screened
    staff = as_user(clinic.clinician)
    carried = observations_in_everything(staff, clinic.client.pk)
    searched = found(staff, f"patient={clinic.client.pk}")
    assert searched == carried
    derived = [o for o in searched.values() if o["code"]["coding"][0]["code"] == RISK_LEVEL]
    assert len(derived) == 1 and derived[0]["valueCodeableConcept"]["text"] == "low"
    for resource_id, resource in searched.items():
        valid(resource)
        assert staff.get(f"{FHIR}Observation/{resource_id}").json() == resource


@pytest.mark.parametrize("code", [RISK_LEVEL, f"http://loinc.org|{RISK_LEVEL}"])
def test_the_derived_risk_level_is_found_by_its_code(screened, as_user, code):
    clinic = screened
    staff = as_user(clinic.clinician)
    by_code = found(staff, f"patient={clinic.client.pk}&code={code}")
    assert [o["valueCodeableConcept"]["coding"][0]["code"] for o in by_code.values()] == ["LA9194-7"]
    # The same resource read by id.
    (resource_id,) = by_code
    assert staff.get(f"{FHIR}Observation/{resource_id}").json() == by_code[resource_id]


def test_a_level_coded_with_no_positive_risk_item_is_still_searched(screened, as_user, monkeypatch):
    """Were the screener's "none" level given its code in the data, a negative screen (no total,
    no positive item) would carry a derived Observation: search must find it as read does."""
    cssrs = instruments.get("cssrs_screen")
    low = cssrs.risk_level_codes["low"]
    codes = {**cssrs.risk_level_codes, "none": dataclasses.replace(low, code="LA-none-test")}
    coded = dataclasses.replace(cssrs, risk_level_codes=codes)
    real_get, real_all = instruments.get, instruments.all_instruments
    monkeypatch.setattr(instruments, "get", lambda i: coded if i == "cssrs_screen" else real_get(i))
    monkeypatch.setattr(
        instruments, "all_instruments", lambda: [coded if i.id == "cssrs_screen" else i for i in real_all()]
    )
    clinic = screened
    staff = as_user(clinic.clinician)
    carried = observations_in_everything(staff, clinic.client.pk)
    levels = [
        o["valueCodeableConcept"]["text"]
        for o in carried.values()
        if o["code"]["coding"][0]["code"] == RISK_LEVEL
    ]
    assert sorted(levels) == ["low", "none"]
    assert found(staff, f"patient={clinic.client.pk}") == carried
    assert len(found(staff, f"patient={clinic.client.pk}&code={RISK_LEVEL}")) == 2


def test_the_client_gets_no_derived_level_by_search_or_by_id(screened, as_user):
    """The derived level is a banded judgement, kept from those who see no bands (the client):
    neither search nor read by id gives it."""
    clinic = screened
    (resource_id,) = found(as_user(clinic.clinician), f"patient={clinic.client.pk}&code={RISK_LEVEL}")
    own = as_user(clinic.client_user)  # the test client signs in as the client from here on
    assert found(own, f"patient={clinic.client.pk}&code={RISK_LEVEL}") == {}
    assert own.get(f"{FHIR}Observation/{resource_id}").status_code == 404
    assert own.get(f"{FHIR}Observation/{resource_id.replace('total', 'risk-q1')}").status_code == 200
