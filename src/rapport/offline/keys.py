"""The server's key pairs for entries sealed on a device (RSA-OAEP with SHA-256).

A device seals what a facilitator records offline with the current public key, so that a lost
phone holds nothing it can read; only the server can open it. The private keys are files in
RAPPORT_OFFLINE_KEY_DIR (under var/ by default), generated on first use and never committed,
one PEM file per key id. Rotation adds a key that becomes current; the older keys stay to open
what devices sealed before, until an operator retires them (`rapport offline_keys`).
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

KEY_BITS = 3072  # RSA-3072: about 128-bit strength, as long as the AES-256 key it wraps needs
KEY_ID = re.compile(r"^k[0-9]{14}-[0-9a-f]{8}$")  # k<UTC yyyymmddHHMMSS>-<random>: sorts by age


class UnknownKey(LookupError):
    """No key with this id (never made here, or retired)."""


@dataclass(frozen=True)
class KeyPair:
    key_id: str
    private: rsa.RSAPrivateKey

    def public_jwk(self) -> dict:
        """The public key as a JSON Web Key, which WebCrypto imports as it is."""
        numbers = self.private.public_key().public_numbers()
        return {
            "kty": "RSA",
            "alg": "RSA-OAEP-256",
            "use": "enc",
            "kid": self.key_id,
            "n": _b64url(numbers.n),
            "e": _b64url(numbers.e),
        }


def key_dir() -> Path:
    return Path(settings.RAPPORT_OFFLINE_KEY_DIR)


def current() -> KeyPair:
    """The newest key, made now if there is none yet."""
    ids = key_ids()
    if not ids:
        return rotate()
    return get(ids[-1])


def get(key_id: str) -> KeyPair:
    """The key with this id; UnknownKey for an id that is malformed, never made or retired."""
    if not isinstance(key_id, str) or not KEY_ID.fullmatch(key_id):
        raise UnknownKey(key_id)
    path = key_dir() / f"{key_id}.pem"
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise UnknownKey(key_id) from None
    cached = _CACHE.get(key_id)
    if cached is not None and cached[0] == stat.st_mtime_ns:
        return cached[1]
    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private, rsa.RSAPrivateKey):
        raise UnknownKey(key_id)
    pair = KeyPair(key_id, private)
    _CACHE[key_id] = (stat.st_mtime_ns, pair)
    return pair


def key_ids() -> list[str]:
    """Every key kept, oldest first (the last one is current)."""
    directory = key_dir()
    if not directory.is_dir():
        return []
    return sorted(p.stem for p in directory.glob("*.pem") if KEY_ID.fullmatch(p.stem))


def rotate() -> KeyPair:
    """Make a new key, which becomes current; the older ones are kept to open older envelopes."""
    directory = key_dir()
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    key_id = f"k{datetime.now(UTC):%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path = directory / f"{key_id}.pem"
    # O_EXCL: two processes starting at once each write their own file, never half of one.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    return get(key_id)


def retire(key_id: str) -> None:
    """Forget a key: what devices sealed with it can no longer be opened."""
    get(key_id)  # UnknownKey for an id that is not kept
    if key_id == key_ids()[-1]:
        raise ValueError("the current key cannot be retired; rotate first")
    (key_dir() / f"{key_id}.pem").unlink()
    _CACHE.pop(key_id, None)


def _b64url(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


_CACHE: dict[str, tuple[int, KeyPair]] = {}
