"""Resource ids: our record ids as they are, or pseudonyms for a de-identified export.

A pseudonym is an HMAC of the reference under a key derived from the server's secret, the
organisation and the export key the caller names, so that it is stable across exports with the
same key, differs between keys, and cannot be reversed without the server's secret."""

import hashlib
import hmac


class Ids:
    pseudonymous = False

    def __call__(self, resource_type: str, pk) -> str:
        return str(pk)

    def ref(self, resource_type: str, pk) -> dict:
        return {"reference": f"{resource_type}/{self(resource_type, pk)}"}


class Pseudonyms(Ids):
    pseudonymous = True

    def __init__(self, secret: str, organisation_id: int, export_key: str) -> None:
        self._key = hmac.new(
            secret.encode(), f"fhir-export|{organisation_id}|{export_key}".encode(), hashlib.sha256
        ).digest()

    def __call__(self, resource_type: str, pk) -> str:
        digest = hmac.new(self._key, f"{resource_type}/{pk}".encode(), hashlib.sha256).hexdigest()
        return digest[:32]  # 128 bits: a FHIR id holds at most 64 characters


PLAIN = Ids()
