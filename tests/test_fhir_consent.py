"""Consent through FHIR: read by id and searched by `patient` and `status`, each the same resource
$everything carries, under the rules of GET /api/v1/clients/{id}/consents (whoever sees the
client, the client their own; another's is 404 like a missing one), audited, with a version that
changes when the consent is withdrawn."""

from datetime import date

import pytest

from rapport.audit.models import Action, AuditEvent
from rapport.scheduling import consents
from rapport.scheduling.models import Consent
from tests.support import request_as
from tests.test_fhir_validation import valid

FHIR = "/fhir/R4/"


@pytest.fixture
def online(clinic) -> Consent:
    """A second consent of Cai's, beside the messages consent every persona clinic records."""
    return Consent.objects.create(
        client=clinic.client,
        kind="online",
        wording_version="2",
        given_on=date(2026, 2, 2),
        recorded_by=clinic.clinician,
    )


def ids(bundle) -> list[str]:
    return [e["resource"]["id"] for e in bundle["entry"]]


def test_a_consent_read_by_id_is_the_one_everything_carries(clinic, online, as_user):
    staff = as_user(clinic.clinician)
    answer = staff.get(f"{FHIR}Consent/{online.pk}")
    assert answer.status_code == 200 and answer["ETag"] == 'W/"1"'
    resource = answer.json()
    valid(resource)
    assert resource["status"] == "active" and resource["patient"] == {
        "reference": f"Patient/{clinic.client.pk}"
    }
    everything = staff.get(f"{FHIR}Patient/{clinic.client.pk}/$everything").json()
    carried = [e["resource"] for e in everything["entry"] if e["resource"]["resourceType"] == "Consent"]
    assert resource in carried
    read = AuditEvent.objects.filter(action=Action.READ, client=clinic.client, object_type="Consent")
    assert read.filter(object_id=str(online.pk)).exists()


def test_a_withdrawal_is_a_new_version_so_if_none_match_sees_it(clinic, online, as_user):
    staff = as_user(clinic.clinician)
    first = staff.get(f"{FHIR}Consent/{online.pk}")
    assert staff.get(f"{FHIR}Consent/{online.pk}", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    consents.withdraw(request_as(clinic.clinician), clinic.client.pk, online.pk, date(2026, 3, 1))
    after = staff.get(f"{FHIR}Consent/{online.pk}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] == 'W/"2"'
    assert after.json()["status"] == "inactive"
    assert after.json()["provision"]["period"]["end"] == "2026-03-01"


def test_consents_are_searched_by_patient_and_status(clinic, online, as_user):
    messages = Consent.objects.get(client=clinic.client, kind="messages")
    consents.withdraw(request_as(clinic.clinician), clinic.client.pk, online.pk, date(2026, 3, 1))
    staff = as_user(clinic.clinician)
    by_patient = f"{FHIR}Consent?patient={clinic.client.pk}"
    everyone = staff.get(by_patient).json()
    assert everyone["type"] == "searchset" and everyone["total"] == 2
    assert ids(everyone) == [str(messages.pk), str(online.pk)]
    for resource in (e["resource"] for e in everyone["entry"]):
        valid(resource)
    assert ids(staff.get(f"{by_patient}&status=active").json()) == [str(messages.pk)]
    assert ids(staff.get(f"{by_patient}&status=inactive").json()) == [str(online.pk)]
    system = "http://hl7.org/fhir/consent-state-codes"
    assert ids(staff.get(f"{by_patient}&status={system}|inactive").json()) == [str(online.pk)]
    assert staff.get(f"{by_patient}&status=active,inactive").json()["total"] == 2
    assert staff.get(f"{by_patient}&status=draft").json()["total"] == 0
    # Without ?patient= a clinician finds the consents of every client they see, and no other's.
    assert {e["resource"]["patient"]["reference"] for e in staff.get(f"{FHIR}Consent").json()["entry"]} == {
        f"Patient/{clinic.client.pk}"
    }


@pytest.mark.parametrize("status", ["withdrawn", "http://example.org|active", ""])
def test_a_status_outside_the_consent_states_is_a_400_naming_it(clinic, as_user, status):
    answer = as_user(clinic.clinician).get(f"{FHIR}Consent?patient={clinic.client.pk}&status={status}")
    assert answer.status_code == 400
    assert answer.json()["resourceType"] == "OperationOutcome"
    assert answer.json()["issue"][0]["expression"] == ["status"]


def test_another_clients_consent_is_a_404_like_a_missing_one(clinic, online, as_user):
    other = as_user(clinic.other_clinician)
    theirs = other.get(f"{FHIR}Consent/{online.pk}")
    missing = other.get(f"{FHIR}Consent/999999")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert other.get(f"{FHIR}Consent?patient={clinic.client.pk}").status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENIED, client=clinic.client).exists()
    # The client reads their own consents, not another client's.
    own = as_user(clinic.client_user)
    assert own.get(f"{FHIR}Consent/{online.pk}").status_code == 200
    assert own.get(f"{FHIR}Consent").json()["total"] == 2
    assert as_user(clinic.other_client_user).get(f"{FHIR}Consent/{online.pk}").status_code == 404
