"""The backup file: encrypted in chunks with a key from the environment, with a checksum.

Layout: a magic line, then length-prefixed Fernet tokens (AES-128-CBC with an HMAC-SHA256 each):
a manifest (database kind, when), the dump in chunks, and a closing record with the dump's SHA-256
and size. A changed, reordered or truncated file fails to decrypt or to match its checksum, so a
restore never starts from a damaged file. Nothing is readable without the key; the manifest names
no person. A `.sha256` file beside the backup lets a copy be checked without the key.
"""

import hashlib
import json
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.fernet import Fernet, InvalidToken

MAGIC = b"RAPPORT-BACKUP-1\n"
CHUNK = 4 * 1024 * 1024
_LENGTH = struct.Struct(">I")


class BackupError(Exception):
    """The file is not a backup this key opens, or it is damaged."""


def new_key() -> str:
    return Fernet.generate_key().decode()


def _fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode())
    except (ValueError, TypeError):
        raise BackupError("RAPPORT_BACKUP_KEY is not a key made by `rapport backup --new-key`") from None


def write(path: Path, key: str, manifest: dict, dump: BinaryIO) -> str:
    """Encrypt the dump read from `dump` into `path`; returns the dump's SHA-256."""
    fernet, digest, size = _fernet(key), hashlib.sha256(), 0
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as out:
        out.write(MAGIC)

        def record(data: bytes) -> None:
            token = fernet.encrypt(data)
            out.write(_LENGTH.pack(len(token)) + token)

        record(json.dumps({"kind": "manifest", **manifest}).encode())
        while chunk := dump.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            record(b"D" + chunk)
        record(json.dumps({"kind": "end", "sha256": digest.hexdigest(), "bytes": size}).encode())
    partial.replace(path)  # a backup is either whole or absent
    file_digest = hashlib.sha256(path.read_bytes()).hexdigest()
    path.with_name(path.name + ".sha256").write_text(f"{file_digest}  {path.name}\n")
    return digest.hexdigest()


def _records(path: Path, key: str) -> Iterator[bytes]:
    fernet = _fernet(key)
    with path.open("rb") as source:
        if source.read(len(MAGIC)) != MAGIC:
            raise BackupError("this is not a Rapport backup")
        while header := source.read(_LENGTH.size):
            if len(header) < _LENGTH.size:
                raise BackupError("the backup is truncated")
            token = source.read(_LENGTH.unpack(header)[0])
            try:
                yield fernet.decrypt(token)
            except InvalidToken:
                raise BackupError("the backup is damaged, or was made with another key") from None


def read(path: Path, key: str, out: BinaryIO) -> dict:
    """Decrypt the dump into `out`, checking it against its checksum; returns the manifest."""
    records = _records(path, key)
    manifest = json.loads(next(records, b"{}") or b"{}")
    if manifest.get("kind") != "manifest":
        raise BackupError("the backup has no manifest")
    digest, size, end = hashlib.sha256(), 0, None
    for data in records:
        if end is not None:
            raise BackupError("the backup has data after its end")
        if data[:1] == b"D":
            digest.update(data[1:])
            size += len(data) - 1
            out.write(data[1:])
        else:
            end = json.loads(data)
    if end is None:
        raise BackupError("the backup is truncated")
    if (end["sha256"], end["bytes"]) != (digest.hexdigest(), size):
        raise BackupError("the backup does not match its checksum")
    return manifest
