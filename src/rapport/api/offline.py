"""Offline group-session capture through the API (issue 13 item 5): the public key a device seals
with, what a device keeps of a group, and a session sent sealed.

A sealed session is the groups API's own body (`GroupSessionIn`, with `version` and the session's
id for a change) encrypted on the device; once opened it is read with the same schema and saved by
the same service as `POST /groups/{id}/sessions` and `PUT .../sessions/{id}`, so its refusals,
conflicts and alerts are theirs. The `Idempotency-Key` is required and bound into the envelope: a
retry after a lost answer gets the first answer (api/idempotency.py), never a second session.
"""

from dataclasses import replace
from typing import Literal

import pydantic
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError

from rapport.api.course import Conflict, RecordId, Version, _save
from rapport.api.groups import (
    GroupSessionIn,
    GroupSessionOut,
    _clinical_staff,
    _session_values,
    judge_unread_session,
)
from rapport.api.schemas import Problem, StrictIn
from rapport.groups import capture, reads
from rapport.offline import envelopes, keys, pack, sealed

router = Router(tags=["offline"])
KEEP_HEADER = "Rapport-Offline"  # service-worker.js keeps a GET answer that carries it


class PublicKeyOut(Schema):
    kty: Literal["RSA"]
    alg: Literal["RSA-OAEP-256"]
    use: Literal["enc"]
    kid: str = Field(description="The key id an envelope names")
    n: str
    e: str


class CrisisLineOut(Schema):
    label: str
    number: str
    tel_href: str
    hours: str


class CrisisOut(Schema):
    name: str
    lines: list[CrisisLineOut]
    directory_url: str


class RosterOut(Schema):
    id: int = Field(description="The membership's id")
    name: str
    crisis: str = Field(description="The key of this member's crisis lines in `crisis`")


class OfflinePackOut(Schema):
    group_id: int
    name: str
    members: list[RosterOut]
    crisis: dict[str, CrisisOut]
    key: PublicKeyOut
    phq9_items: list[str] = Field(description="The PHQ-9's item ids, as the session body names them")
    risk_answers: dict[str, list[str]] = Field(
        description="For each risk item, the answers that count as positive: show crisis lines at once"
    )


class SealedIn(StrictIn):
    format: Literal["rapport-sealed-1"]
    key_id: str = Field(max_length=64)
    wrapped_key: str = Field(max_length=2048, description="base64: the AES-256 key, RSA-OAEP (SHA-256)")
    iv: str = Field(max_length=64, description="base64: the 12-byte AES-GCM nonce")
    ciphertext: str = Field(
        max_length=800_000, description="base64: AES-256-GCM of the JSON body, bound to group and key"
    )


class SealedBody(StrictIn):
    """What an envelope holds: a new session (no `session_id`) or a change of one (with both)."""

    session_id: RecordId | None
    version: Version | None
    session: GroupSessionIn


@router.get("/offline/key", response={200: PublicKeyOut, 403: Problem}, summary="The key devices seal with")
def public_key(request: HttpRequest):
    _clinical_staff(request)
    return keys.current().public_jwk()


@router.get(
    "/groups/{group_id}/offline",
    response={200: OfflinePackOut, 403: Problem, 404: Problem},
    summary="What a facilitator's device keeps of a group: roster, crisis lines, sealing key",
)
def offline_pack(request: HttpRequest, group_id: int, response: HttpResponse):
    _clinical_staff(request)
    found = pack.offline_pack(request, group_id)
    response[KEEP_HEADER] = "keep"  # the service worker keeps this answer for use offline
    return found


def _read_body(plain: dict) -> SealedBody:
    try:
        return SealedBody.model_validate(plain)
    except pydantic.ValidationError as exc:
        # The groups API's own wording, under the same field names.
        raise NinjaValidationError([dict(e) for e in exc.errors(include_url=False)]) from None


@router.post(
    "/groups/{group_id}/sealed-sessions",
    response={
        200: GroupSessionOut,
        201: GroupSessionOut,
        403: Problem,
        404: Problem,
        409: Conflict,
        422: Problem,
    },
    summary="Send a group session recorded offline, sealed on the device (Idempotency-Key required)",
)
def send_sealed(request: HttpRequest, group_id: int, payload: SealedIn):
    _clinical_staff(request)
    key = request.headers.get("Idempotency-Key", "")
    plain = sealed.open_for_group(request, group_id, key, envelopes.Sealed(**payload.dict()))
    try:
        body = _read_body(plain)
    except NinjaValidationError:
        # Refused whole, but a member's valid risk answer in it still raises its alert.
        judge_unread_session(request, group_id, plain.get("session") if isinstance(plain, dict) else None)
        raise
    given = sealed.bounded(replace(_session_values(body.session), submission_key=key))
    if body.session_id is None:
        session, at_risk = capture.record_session(request, group_id, given)
        return Status(201, reads.session_out(session, at_risk))
    if body.version is None:
        raise NinjaValidationError([{"loc": ("version",), "type": "missing", "msg": "Field required"}])

    def save():
        session, at_risk = capture.update_session(request, group_id, body.session_id, given, body.version)
        return reads.session_out(session, at_risk)

    return _save(save)
