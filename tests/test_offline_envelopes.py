"""Sealed offline entries: the server opens what a device sealed with its public key, and refuses,
with a clear message, an envelope that was changed, sent elsewhere, or sealed with a key it does
not hold."""

import base64
import stat

import pytest

from rapport.common.errors import InvalidInput
from rapport.offline import envelopes, keys
from tests.offline_support import seal

BODY = {"recorded_at": "2026-12-07T09:30:00+00:00", "session": {"number": 4}}


def open_(envelope: dict, *, group_id=7, idempotency_key="offline-1") -> dict:
    return envelopes.open_sealed(
        envelopes.Sealed(**envelope), bound=envelopes.bound_to(group_id, idempotency_key)
    )


def refusal(envelope: dict, **where) -> str:
    with pytest.raises(InvalidInput) as caught:
        open_(envelope, **where)
    assert list(caught.value.errors) == ["envelope"]
    return caught.value.errors["envelope"][0]


def flip(value: str, at: int = 5) -> str:
    raw = bytearray(base64.b64decode(value))
    raw[at] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def test_the_server_opens_what_a_device_sealed_with_its_public_key():
    assert open_(seal(BODY, group_id=7, idempotency_key="offline-1")) == BODY


def test_a_changed_ciphertext_is_refused_as_changed_after_sealing():
    envelope = seal(BODY, group_id=7, idempotency_key="offline-1")
    envelope["ciphertext"] = flip(envelope["ciphertext"])
    assert "changed after it was sealed" in refusal(envelope)


def test_a_changed_wrapped_key_is_refused():
    envelope = seal(BODY, group_id=7, idempotency_key="offline-1")
    envelope["wrapped_key"] = flip(envelope["wrapped_key"], at=40)
    assert "changed after it was sealed" in refusal(envelope)


def test_an_envelope_sent_to_another_group_or_under_another_key_does_not_open():
    envelope = seal(BODY, group_id=7, idempotency_key="offline-1")
    assert "sealed for another group" in refusal(envelope, group_id=8)
    assert "sealed for another group" in refusal(envelope, idempotency_key="offline-2")


def test_an_unknown_key_id_is_refused_and_asks_for_the_session_again():
    envelope = seal(BODY, group_id=7, idempotency_key="offline-1")
    envelope["key_id"] = "k20990101000000-00000000"
    assert "key the server no longer holds" in refusal(envelope)
    envelope["key_id"] = "../secret_key"
    assert "key the server no longer holds" in refusal(envelope)


def test_damaged_fields_and_an_unknown_format_are_refused_without_a_trace_of_python():
    envelope = seal(BODY, group_id=7, idempotency_key="offline-1")
    assert "damaged or incomplete" in refusal({**envelope, "iv": "not base64!"})
    assert "damaged or incomplete" in refusal({**envelope, "iv": base64.b64encode(b"short").decode()})
    assert "form this server does not know" in refusal({**envelope, "format": "other-2"})


def test_after_rotation_older_envelopes_still_open_until_their_key_is_retired(settings, tmp_path):
    settings.RAPPORT_OFFLINE_KEY_DIR = tmp_path / "keys"
    first = keys.current()
    sealed_before = seal(BODY, group_id=7, idempotency_key="offline-1", pair=first)
    second = keys.rotate()
    assert keys.current().key_id == second.key_id != first.key_id
    assert keys.current().public_jwk()["kid"] == second.key_id
    assert open_(sealed_before) == BODY
    with pytest.raises(ValueError):
        keys.retire(second.key_id)  # the current key cannot go
    keys.retire(first.key_id)
    assert "key the server no longer holds" in refusal(sealed_before)


def test_private_keys_are_files_only_their_owner_reads(settings, tmp_path):
    settings.RAPPORT_OFFLINE_KEY_DIR = tmp_path / "keys"
    pair = keys.current()
    mode = (tmp_path / "keys" / f"{pair.key_id}.pem").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    assert set(pair.public_jwk()) == {"kty", "alg", "use", "kid", "n", "e"}
