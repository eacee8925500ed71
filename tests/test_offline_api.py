"""A group session recorded offline and sent sealed: the server opens it, saves it through the
groups service once however often it is sent, raises its alerts with the time it was recorded,
and refuses what it cannot open or trust, saving nothing."""

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from rapport.audit.models import Action, AuditEvent
from rapport.clinic.models import Notification, RiskAlert
from rapport.groups.models import GroupSession, MemberRecord
from tests.offline_support import make_group, seal, session_body


@pytest.fixture
def group(clinic):
    return make_group(clinic)


def send(client, group, envelope, key="offline-abc-1"):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        f"/api/v1/groups/{group.pk}/sealed-sessions",
        data=json.dumps(envelope),
        content_type="application/json",
        headers=headers,
    )


def sealed_session(group, key="offline-abc-1", **body):
    return seal(
        {"session_id": None, "version": None, "session": session_body(group, **body)},
        group_id=group.pk,
        idempotency_key=key,
    )


def test_the_facilitators_device_gets_the_roster_the_crisis_lines_and_the_key(clinic, group, as_user):
    response = as_user(clinic.clinician).get(f"/api/v1/groups/{group.pk}/offline")
    assert response.status_code == 200
    pack = response.json()
    assert len(pack["members"]) == 8 and {m["crisis"] for m in pack["members"]} == {"GB"}
    assert pack["crisis"]["GB"]["lines"] and pack["crisis"]["GB"]["lines"][0]["number"]
    assert pack["key"]["alg"] == "RSA-OAEP-256"
    # Nothing of the members' records but their names: no scores, notes or other clients.
    assert set(pack["members"][0]) == {"id", "name", "crisis"}
    reads = AuditEvent.objects.filter(action=Action.READ, detail__object_type="Group")
    assert reads.count() == 8


def test_a_supervisor_and_another_clinician_get_no_offline_copy_of_the_group(clinic, group, as_user):
    for person in (clinic.supervisor, clinic.co_clinician, clinic.other_clinician):
        assert as_user(person).get(f"/api/v1/groups/{group.pk}/offline").status_code == 404


def test_a_sealed_session_is_saved_whole_and_its_risk_alert_keeps_the_time_it_was_recorded(
    clinic, group, as_user
):
    recorded = timezone.now() - timedelta(hours=3)
    response = send(as_user(clinic.clinician), group, sealed_session(group, recorded_at=recorded, risky=[2]))
    assert response.status_code == 201, response.content
    out = response.json()
    assert len(out["records"]) == 8 and len(out["at_risk"]) == 1
    assert out["at_risk"][0]["crisis_lines"]
    alert = RiskAlert.objects.get()
    assert alert.source_record["recorded_at"] == recorded.isoformat()
    assert alert.response.answered_at == recorded
    # A lay counsellor's group: the team's supervisor is told at once, not on escalation.
    assert Notification.objects.filter(recipient=clinic.supervisor, alert=alert).exists()


def test_the_same_sealed_session_sent_twice_is_saved_once(clinic, group, as_user):
    envelope = sealed_session(group)
    signed_in = as_user(clinic.clinician)
    first = send(signed_in, group, envelope)
    again = send(signed_in, group, envelope)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert GroupSession.objects.count() == 1 and MemberRecord.objects.count() == 8


def test_a_sealed_session_without_its_key_or_changed_on_the_way_saves_nothing(clinic, group, as_user):
    signed_in = as_user(clinic.clinician)
    envelope = sealed_session(group)
    missing = send(signed_in, group, envelope, key=None)
    assert missing.status_code == 422
    assert "sent with its Idempotency-Key" in missing.json()["errors"]["Idempotency-Key"][0]
    other_key = send(signed_in, group, envelope, key="offline-other")
    assert "sealed for another group or submission" in other_key.json()["errors"]["envelope"][0]
    envelope["key_id"] = "k20990101000000-00000000"
    unknown = send(signed_in, group, envelope)
    assert unknown.status_code == 422
    assert "key the server no longer holds" in unknown.json()["errors"]["envelope"][0]
    assert GroupSession.objects.count() == 0


def test_someone_who_does_not_facilitate_the_group_learns_nothing_from_an_envelope(clinic, group, as_user):
    response = send(as_user(clinic.other_clinician), group, sealed_session(group))
    assert response.status_code == 404
    assert GroupSession.objects.count() == 0


def test_a_phones_wrong_clock_is_kept_within_the_session_day_and_now_not_refused(clinic, group, as_user):
    signed_in = as_user(clinic.clinician)
    ahead = sealed_session(group, key="k-1", number=1, recorded_at=timezone.now() + timedelta(hours=2))
    before = timezone.now()
    assert send(signed_in, group, ahead, key="k-1").status_code == 201
    assert before <= GroupSession.objects.get(number=1).recorded_at <= timezone.now()
    behind = sealed_session(group, key="k-2", number=2, recorded_at=timezone.now() - timedelta(days=400))
    assert send(signed_in, group, behind, key="k-2").status_code == 201
    held = GroupSession.objects.get(number=2)
    # The start of the day it was held, in the organisation's time zone.
    assert held.recorded_at == datetime.combine(held.date, time.min, tzinfo=ZoneInfo("Europe/London"))


def test_a_sealed_session_without_its_recorded_time_is_refused(clinic, group, as_user):
    body = session_body(group) | {"recorded_at": None}
    envelope = seal(
        {"session_id": None, "version": None, "session": body},
        group_id=group.pk,
        idempotency_key="offline-abc-1",
    )
    answer = send(as_user(clinic.clinician), group, envelope).json()
    assert "carries the time it was recorded" in answer["errors"]["recorded_at"][0]
    assert GroupSession.objects.count() == 0


def test_a_session_changed_on_two_devices_keeps_the_first_and_tells_the_second(clinic, group, as_user):
    signed_in = as_user(clinic.clinician)
    created = send(signed_in, group, sealed_session(group)).json()
    change = session_body(group) | {"notes": "From the first phone"}
    first = seal(
        {"session_id": created["id"], "version": created["version"], "session": change},
        group_id=group.pk,
        idempotency_key="phone-1",
    )
    second_change = change | {"notes": "From the second phone"}
    second = seal(
        {"session_id": created["id"], "version": created["version"], "session": second_change},
        group_id=group.pk,
        idempotency_key="phone-2",
    )
    assert send(signed_in, group, first, key="phone-1").status_code == 200
    conflict = send(signed_in, group, second, key="phone-2")
    assert conflict.status_code == 409 and conflict.json()["current_version"] == created["version"] + 1
    assert GroupSession.objects.get().notes == "From the first phone"


def test_a_sealed_body_the_groups_schema_refuses_is_answered_in_the_apis_one_shape(clinic, group, as_user):
    body = session_body(group) | {"colour": "blue"}
    body["members"][0]["attended"] = "yes"
    envelope = seal(
        {"session_id": None, "version": None, "session": body},
        group_id=group.pk,
        idempotency_key="offline-abc-1",
    )
    answer = send(as_user(clinic.clinician), group, envelope)
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert set(errors) == {"session.colour", "session.members.0.attended"}
    assert GroupSession.objects.count() == 0


def test_a_change_sent_sealed_without_its_version_is_refused(clinic, group, as_user):
    signed_in = as_user(clinic.clinician)
    created = send(signed_in, group, sealed_session(group)).json()
    envelope = seal(
        {"session_id": created["id"], "version": None, "session": session_body(group)},
        group_id=group.pk,
        idempotency_key="phone-1",
    )
    answer = send(signed_in, group, envelope, key="phone-1")
    assert answer.status_code == 422 and "version" in answer.json()["errors"]


def test_a_sealed_session_refused_whole_still_raises_its_risk_alert(clinic, group, as_user):
    # The device's outbox sends through the same service: a session refused (here: dated in the
    # future) still raises the member's alert, although the keyed request is rolled back.
    later = timezone.localdate() + timedelta(days=2)
    envelope = sealed_session(group, risky=(2,), day=later)
    answer = send(as_user(clinic.clinician), group, envelope)
    assert answer.status_code == 422 and answer.json()["kept"]
    alert = RiskAlert.objects.get()
    assert alert.reasons[0] == "refused_group_session" and alert.source_record["date"] == later.isoformat()
    assert not GroupSession.objects.exists() and not MemberRecord.objects.exists()
    assert send(as_user(clinic.clinician), group, envelope).status_code == 422
    assert RiskAlert.objects.count() == 1


def test_a_sealed_session_that_does_not_fit_the_schema_still_raises_its_risk_alert(clinic, group, as_user):
    from tests.offline_support import seal

    body = session_body(group, risky=(4,))
    body["members"][0]["mood_change"] = 9
    envelope = seal(
        {"session_id": None, "version": None, "session": body}, group_id=group.pk, idempotency_key="k-7"
    )
    answer = send(as_user(clinic.clinician), group, envelope, key="k-7")
    assert answer.status_code == 422 and answer.json()["kept"]
    assert RiskAlert.objects.get().reasons[0] == "refused_group_session"
    assert not GroupSession.objects.exists()
