"""Sealing as a device does (WebCrypto in offline.js), for tests of the server's side."""

import base64
import json
import os

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rapport.offline import envelopes, keys


def public_key_of(jwk: dict) -> rsa.RSAPublicKey:
    def number(value: str) -> int:
        return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")

    return rsa.RSAPublicNumbers(number(jwk["e"]), number(jwk["n"])).public_key()


def seal(body: dict, *, group_id: int, idempotency_key: str, pair: keys.KeyPair | None = None) -> dict:
    """The envelope a device would post: a fresh AES-256-GCM key wrapped with the public key."""
    pair = pair or keys.current()
    public = public_key_of(pair.public_jwk())
    content_key = AESGCM.generate_key(bit_length=256)
    iv = os.urandom(12)
    ciphertext = AESGCM(content_key).encrypt(
        iv, json.dumps(body).encode(), envelopes.bound_to(group_id, idempotency_key)
    )
    return {
        "format": envelopes.FORMAT,
        "key_id": pair.key_id,
        "wrapped_key": base64.b64encode(public.encrypt(content_key, envelopes.OAEP)).decode(),
        "iv": base64.b64encode(iv).decode(),
        "ciphertext": base64.b64encode(ciphertext).decode(),
    }
