"""Opening what a device sealed: an AES-256-GCM body whose key is wrapped with the server's
public key (RSA-OAEP, SHA-256).

The device makes a fresh AES key for every entry, encrypts the entry's JSON with it, wraps the key
with the server's public key and forgets it, so that the device itself cannot read what waits to
be sent. The additional data binds the ciphertext to where it is going (the group and the
submission's idempotency key): an envelope replayed to another group, or under another key, does
not open. Every refusal is an InvalidInput under "envelope", worded for the person whose entry
it was, and nothing is written.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.utils.translation import gettext as _

from rapport.common.errors import InvalidInput
from rapport.offline import keys

FORMAT = "rapport-sealed-1"
MAX_CIPHERTEXT = 512 * 1024  # a whole session of a large group is a few kilobytes
OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


@dataclass(frozen=True)
class Sealed:
    """An envelope as the device posts it (the base64 fields still encoded)."""

    format: str
    key_id: str
    wrapped_key: str
    iv: str
    ciphertext: str


def bound_to(group_id: int, idempotency_key: str) -> bytes:
    """The additional data: what the envelope was sealed for. The device builds the same bytes."""
    return f"{FORMAT}|group={group_id}|key={idempotency_key}".encode()


def open_sealed(sealed: Sealed, *, bound: bytes) -> dict:
    """The plain JSON object inside, or InvalidInput saying why it cannot be opened."""
    if sealed.format != FORMAT:
        raise _refusal(_("This entry was sealed in a form this server does not know; nothing was saved."))
    try:
        pair = keys.get(sealed.key_id)
    except keys.UnknownKey:
        raise _refusal(
            _(
                "This entry was sealed with a key the server no longer holds, so it cannot be "
                "opened; nothing was saved. Record the session again."
            )
        ) from None
    wrapped, iv, ciphertext = (_decode(v) for v in (sealed.wrapped_key, sealed.iv, sealed.ciphertext))
    if len(iv) != 12 or len(ciphertext) > MAX_CIPHERTEXT or len(ciphertext) < 16:
        raise _malformed()
    try:
        content_key = pair.private.decrypt(wrapped, OAEP)
    except ValueError:
        raise _tampered() from None
    if len(content_key) != 32:
        raise _tampered()
    try:
        plain = AESGCM(content_key).decrypt(iv, ciphertext, bound)
    except InvalidTag:
        raise _tampered() from None
    try:
        body = json.loads(plain)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _malformed() from None
    if not isinstance(body, dict):
        raise _malformed()
    return body


def _decode(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _malformed() from None


def _refusal(message: str) -> InvalidInput:
    return InvalidInput({"envelope": [message]})


def _malformed() -> InvalidInput:
    return _refusal(_("This sealed entry is damaged or incomplete; nothing was saved."))


def _tampered() -> InvalidInput:
    return _refusal(
        _(
            "This sealed entry could not be opened: it was changed after it was sealed, or sealed "
            "for another group or submission. Nothing was saved."
        )
    )
