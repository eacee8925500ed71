"""Signed room tokens for a self-hosted Jitsi Meet with JWT authentication, and the lobby.

No Jitsi server runs in the tests: what is tested is what the server would check, the token's
signature, audience, room, moderator flag and its validity window around the session, and that
it names no one. A real Jitsi deployment is checked by hand (docs/operations.md)."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.test import override_settings

from rapport.scheduling import video
from rapport.scheduling.models import Appointment, OrganisationScheduling
from tests.personas import CANARY

SECRET = "s" * 40
JITSI = {"RAPPORT_JITSI_APP_ID": "rapport-clinic", "RAPPORT_JITSI_APP_SECRET": SECRET}
START = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)
OPENS = START - timedelta(minutes=10)  # when the join button appears and the link is made


@pytest.fixture
def appt(clinic):
    return Appointment.objects.create(
        client=clinic.client,
        clinician=clinic.clinician,
        starts_at=START,
        time_zone="Europe/London",
        local_date=START.date(),
        local_time=time(10),
        minutes=50,
        format="video",
        room="rapport-" + "c" * 32,
    )


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["jwt"][0]


def decode_at(token: str, at: datetime) -> dict:
    # PyJWT checks exp and nbf against the clock: read the token as the server would at `at`.
    import time_machine

    with time_machine.travel(at, tick=False):
        return jwt.decode(
            token,
            SECRET,
            algorithms=["HS256"],
            audience="jitsi",
            issuer="rapport-clinic",
            options={"require": ["exp", "nbf", "room"]},
        )


@override_settings(**JITSI)
def test_the_clinician_gets_a_moderator_token_for_that_room_only(appt):
    url = video.join_url(appt, moderator=True, now=START - timedelta(minutes=10))
    assert url.startswith(f"https://meet.example.org/{appt.room}?jwt=")
    got = decode_at(token_of(url), START)
    assert got["room"] == appt.room and got["sub"] == "meet.example.org"
    assert got["moderator"] is True and got["context"]["user"] == {"moderator": True, "affiliation": "owner"}
    assert got["context"]["features"] == {"lobby_bypass": True}


@override_settings(**JITSI)
def test_the_clients_token_is_no_moderator_and_cannot_bypass_the_lobby(appt):
    got = decode_at(token_of(video.join_url(appt, now=START)), START)
    assert got["moderator"] is False and got["context"]["user"]["affiliation"] == "member"
    assert got["context"]["features"] == {"lobby_bypass": False}


@override_settings(**JITSI)
def test_the_token_names_no_one(clinic, appt):
    payload = json.dumps(decode_at(token_of(video.join_url(appt, moderator=True, now=OPENS)), START)).lower()
    for word in (
        clinic.client.full_name,
        CANARY,
        clinic.client_user.email,
        clinic.clinician.full_name,
        clinic.clinician.email,
    ):
        assert str(word).lower() not in payload.replace(appt.room, "")
    assert set(json.loads(payload)) == {
        "iss",
        "aud",
        "sub",
        "room",
        "iat",
        "nbf",
        "exp",
        "moderator",
        "context",
    }


@override_settings(**JITSI)
def test_the_token_is_valid_only_around_the_session(appt):
    token = token_of(video.join_url(appt, moderator=True, now=OPENS))
    decode_at(token, START - video.JOIN_OPENS)
    decode_at(token, appt.ends_at + timedelta(minutes=29))
    with pytest.raises(jwt.ImmatureSignatureError):
        decode_at(token, START - video.JOIN_OPENS - timedelta(minutes=1))
    with pytest.raises(jwt.ExpiredSignatureError):
        decode_at(token, appt.ends_at + video.TOKEN_GRACE + timedelta(minutes=1))


@override_settings(**JITSI)
def test_a_token_signed_with_another_secret_or_for_another_audience_is_refused(appt):
    token = token_of(video.join_url(appt, moderator=True, now=OPENS))
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            token,
            "t" * 40,
            algorithms=["HS256"],
            audience="jitsi",
            options={"verify_exp": False, "verify_nbf": False},
        )
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(
            token,
            SECRET,
            algorithms=["HS256"],
            audience="other",
            options={"verify_exp": False, "verify_nbf": False},
        )


def test_without_an_app_id_links_carry_no_token_and_the_lobby_is_asked_by_default(appt):
    url = video.join_url(appt, moderator=True)
    assert url == f"https://meet.example.org/{appt.room}{video.LOBBY_FRAGMENT}"


@override_settings(**JITSI)
def test_the_organisation_can_turn_the_lobby_off_or_use_another_service(clinic, appt):
    row = OrganisationScheduling.objects.create(organisation=clinic.org, video_lobby=False)
    url = video.join_url(appt, moderator=True, now=OPENS)
    assert "#" not in url and decode_at(token_of(url), START)["context"]["features"]["lobby_bypass"] is False
    row.video_kind, row.video_base_url = "link", "https://video.other.example/rooms/"
    row.save()
    assert video.join_url(appt, moderator=True) == f"https://video.other.example/rooms/{appt.room}"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RAPPORT_JITSI_APP_ID": "rapport"}, "Set both"),
        ({"RAPPORT_JITSI_APP_ID": "rapport", "RAPPORT_JITSI_APP_SECRET": "short"}, "at least 32"),
    ],
)
def test_a_half_or_weak_jitsi_configuration_fails_loudly(env, message, tmp_path):
    run = subprocess.run(
        [sys.executable, "-c", "import rapport.settings"],
        env={**os.environ, **env, "RAPPORT_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0 and message in run.stderr
