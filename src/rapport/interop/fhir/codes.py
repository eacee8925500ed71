"""The code systems, extensions and canonical addresses every FHIR resource we write shares.

One table, so that the Questionnaire, the importer and the Observation builder cannot disagree
(reference B1: "keep a small checked-in code table")."""

from django.conf import settings

LOINC = "http://loinc.org"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
ISSUE_TYPE = "http://hl7.org/fhir/issue-type"

# Mental-health records are sensitive (reference B2): every clinical resource carries PSY and R.
SECURITY = [
    {"system": ACT_CODE, "code": "PSY", "display": "psychiatry information sensitivity"},
    {"system": CONFIDENTIALITY, "code": "R", "display": "restricted"},
]


def canonical_base() -> str:
    """Our canonical address: Questionnaires and our own code systems live under it. [U] a
    deployment sets RAPPORT_FHIR_CANONICAL_BASE to a stable address it controls."""
    return settings.RAPPORT_FHIR_CANONICAL_BASE.rstrip("/")


def questionnaire_id(instrument_id: str) -> str:
    """A FHIR id holds letters, digits, "-" and "." only: cssrs_screen is cssrs-screen."""
    return instrument_id.replace("_", "-")


def questionnaire_url(instrument_id: str) -> str:
    return f"{canonical_base()}/Questionnaire/{questionnaire_id(instrument_id)}"


def code_system(name: str) -> str:
    """One of our own code systems: answers without a LOINC code, bands, phases, risk tiers."""
    return f"{canonical_base()}/CodeSystem/{name}"


def answers_system(instrument_id: str) -> str:
    return code_system(f"{instrument_id}-answers")


def items_system(instrument_id: str) -> str:
    return code_system(f"{instrument_id}-items")
