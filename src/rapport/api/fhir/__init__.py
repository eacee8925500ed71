"""The FHIR R4 API at /fhir/R4/: plain views over rapport.interop.fhir, answering
application/fhir+json, with the JSON API's bearer tokens and access rules."""
