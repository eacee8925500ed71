"""Interoperability: the clinic's records as standard resources (FHIR R4) and back."""
