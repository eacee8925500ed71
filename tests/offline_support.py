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


QUIET = {f"item{i}": "not_at_all" for i in range(1, 10)} | {"difficulty": "not_difficult_at_all"}
ITEM9_POSITIVE = QUIET | {"item9": "several_days"}


def make_group(clinic, *, members: int = 8, name: str = "Tuesday group"):
    """A running lay-facilitated group of team A: the persona clinician facilitates it, team A's
    supervisor supervises it, and each member (a client of their own, in the UK) has a course of
    the group variant. Written directly: the groups services are tested on their own."""
    from datetime import date, timedelta

    from django.utils import timezone

    from rapport.clinic.models import Client, Course
    from rapport.groups.models import Group, Membership
    from tests.personas import CANARY

    found = Group.objects.filter(organisation=clinic.org, name=name).first()
    if found is not None:
        return found
    start = timezone.localdate() - timedelta(days=60)
    group = Group.objects.create(
        organisation=clinic.org,
        name=name,
        facilitator=clinic.clinician,
        team=clinic.team_a,
        lay_facilitated=True,
        meeting_place="Community hall",
        planned_start=start,
        status="running",
    )
    for i in range(members):
        client = Client.objects.create(
            organisation=clinic.org,
            team=clinic.team_a,
            responsible_clinician=clinic.clinician,
            full_name=f"Member{i} {CANARY}",
            date_of_birth=date(1980 + i, 1, 1),
            country="GB",
            time_zone="Europe/London",
            status="active",
        )
        course = Course.objects.create(
            client=client,
            variant=group.variant,
            format="group",
            planned_sessions=8,
            status="active",
            started_on=start,
        )
        Membership.objects.create(group=group, client=client, course=course, joined_on=start)
    return group


def session_body(group, *, number: int = 1, day=None, recorded_at=None, risky=()) -> dict:
    """A whole session in the groups API's body: every member attended with a PHQ-9; the members
    at the positions in `risky` answer item 9 positively."""
    from django.utils import timezone

    from rapport.groups.membership import members_on

    day = day or timezone.localdate()
    members = list(members_on(group, day))
    return {
        "number": number,
        "date": day.isoformat(),
        "notes": "",
        "paper_filled_on": None,
        "recorded_at": (recorded_at or timezone.now()).isoformat(),
        "members": [
            {
                "membership_id": m.pk,
                "attended": True,
                "phq9": ITEM9_POSITIVE if i in risky else QUIET,
                "mood_change": 0,
                "mood_event_ids": [],
                "mood_note": "",
                "task_set": "Call my sister",
                "task_reviewed": "",
                "note": "",
                "needs_follow_up": False,
                "needs_follow_up_for_risk": False,
            }
            for i, m in enumerate(members)
        ],
    }
