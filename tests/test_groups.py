"""Group IPT (issue 13): groups, members and a whole group session in one body through the API,
with risk routed at once to a lay-facilitated group's supervisor, idempotent retries and
two-device edits refused with 409."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rapport.clinic.models import AlertDelivery, Course, Notification, Response, RiskAlert, Session
from rapport.groups.models import GroupSession, MemberRecord, Membership
from tests.group_fixture import entry, join_all, make_group
from tests.personas import CANARY
from tests.test_measures import phq9

LOW = phq9(1, 1, 0, 1, 0, 0, 1, 0, 0)
ITEM9 = phq9(2, 2, 2, 1, 1, 2, 1, 1, 2)


@pytest.fixture
def group_setup(clinic):
    group, counsellor, people = make_group(clinic)
    members = join_all(group, people)
    return group, counsellor, members


def session_body(group, members, *, number=1, risky=None, **change):
    day = timezone.localdate() - timedelta(days=1)
    return {
        "number": number,
        "date": day.isoformat(),
        "notes": "Introductions and ground rules.",
        "paper_filled_on": None,
        "recorded_at": None,
        "members": [
            entry(m, phq9=ITEM9 if m == risky else LOW, task_set=f"Call a friend {i}")
            for i, m in enumerate(members)
        ],
        **change,
    }


def post(client, url, body, **headers):
    return client.post(url, body, content_type="application/json", headers=headers)


def test_a_whole_session_of_eight_with_one_positive_item_9(clinic, as_user, group_setup):
    group, counsellor, members = group_setup
    api = as_user(counsellor)
    answer = post(api, f"/api/v1/groups/{group.pk}/sessions", session_body(group, members, risky=members[3]))
    assert answer.status_code == 201, answer.content[:400]
    body = answer.json()
    assert body["phase"] == "initial" and len(body["records"]) == 8
    # Every PHQ-9 is a normal response of the member's own group course, filed under session 1.
    responses = Response.objects.filter(instrument="phq9", session_number=1)
    assert responses.count() == 8
    assert {r.course.variant for r in responses} == {"group_ipt_who"}
    # The positive item 9 raised one alert for that member, named in the answer with crisis lines.
    alert = RiskAlert.objects.get()
    assert alert.client_id == members[3].client_id
    assert alert.source_record["type"] == "MemberRecord"
    assert [r["membership_id"] for r in body["at_risk"]] == [members[3].pk]
    assert body["at_risk"][0]["crisis_lines"], "the facilitator sees the member's crisis lines at once"
    # The lay counsellor (the member's clinician) and the group team's supervisor are told now.
    told = set(AlertDelivery.objects.filter(alert=alert).values_list("recipient_id", flat=True))
    assert {counsellor.pk, clinic.supervisor.pk} <= told
    assert Notification.objects.filter(recipient=clinic.supervisor, alert=alert).exists()
    # Each member's course has the session, attended, with the week's task.
    mirrored = Session.objects.get(course=members[0].course, number=1)
    assert mirrored.status == "attended" and mirrored.between_session_task == "Call a friend 0"


def test_a_group_that_is_not_lay_facilitated_leaves_the_supervisor_to_escalation(clinic, as_user):
    group, counsellor, people = make_group(clinic, lay=False)
    members = join_all(group, people)
    post(
        as_user(counsellor),
        f"/api/v1/groups/{group.pk}/sessions",
        session_body(group, members, risky=members[0]),
    )
    alert = RiskAlert.objects.get()
    assert not AlertDelivery.objects.filter(alert=alert, recipient=clinic.supervisor).exists()


def test_a_follow_up_for_risk_mark_raises_an_alert(clinic, as_user, group_setup):
    group, counsellor, members = group_setup
    body = session_body(group, members)
    body["members"][2]["needs_follow_up_for_risk"] = True
    answer = post(as_user(counsellor), f"/api/v1/groups/{group.pk}/sessions", body)
    assert answer.status_code == 201
    alert = RiskAlert.objects.get()
    assert alert.client_id == members[2].client_id and alert.tier == "T2"
    assert AlertDelivery.objects.filter(alert=alert, recipient=clinic.supervisor).exists()


def test_a_retry_with_the_same_key_records_nothing_twice(clinic, as_user, group_setup):
    group, counsellor, members = group_setup
    api = as_user(counsellor)
    body = session_body(group, members, risky=members[1])
    first = post(api, f"/api/v1/groups/{group.pk}/sessions", body, **{"Idempotency-Key": "offline-1"})
    again = post(api, f"/api/v1/groups/{group.pk}/sessions", body, **{"Idempotency-Key": "offline-1"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert GroupSession.objects.count() == 1 and MemberRecord.objects.count() == 8
    assert Response.objects.count() == 8 and RiskAlert.objects.count() == 1


def test_the_original_capture_time_is_kept(clinic, as_user, group_setup):
    group, counsellor, members = group_setup
    captured = (timezone.now() - timedelta(hours=5)).replace(microsecond=0)
    body = session_body(group, members, risky=members[0], recorded_at=captured.isoformat())
    assert post(as_user(counsellor), f"/api/v1/groups/{group.pk}/sessions", body).status_code == 201
    alert = RiskAlert.objects.get()
    assert alert.response.answered_at == captured
    assert alert.source_record["recorded_at"] == captured.isoformat()


def test_a_stale_edit_is_refused_with_409_and_changes_nothing(clinic, as_user, group_setup):
    group, counsellor, members = group_setup
    api = as_user(counsellor)
    made = post(api, f"/api/v1/groups/{group.pk}/sessions", session_body(group, members)).json()
    url = f"/api/v1/groups/{group.pk}/sessions/{made['id']}"
    first = api.put(
        url,
        {**session_body(group, members, notes="Device one"), "version": 1},
        content_type="application/json",
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    second = api.put(
        url,
        {**session_body(group, members, notes="Device two"), "version": 1},
        content_type="application/json",
    )
    assert second.status_code == 409 and second.json()["current_version"] == 2
    assert GroupSession.objects.get().notes == "Device one"


def test_an_edited_score_replaces_the_old_response(clinic, as_user, group_setup):
    group, counsellor, members = group_setup
    api = as_user(counsellor)
    made = post(api, f"/api/v1/groups/{group.pk}/sessions", session_body(group, members)).json()
    body = session_body(group, members, risky=members[5])
    answer = api.put(
        f"/api/v1/groups/{group.pk}/sessions/{made['id']}",
        {**body, "version": 1},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content[:300]
    kept = Response.objects.filter(client_id=members[5].client_id, entered_in_error_at__isnull=True)
    assert kept.count() == 1 and kept.get().answers == ITEM9
    assert RiskAlert.objects.filter(client_id=members[5].client_id).count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b, m: b["members"].pop(), "members.{last}"),
        (lambda b, m: b["members"][0].update(attended=False), "members.{first}.phq9"),
        (lambda b, m: b.update(number=9), "number"),
        (lambda b, m: b.update(date=(timezone.localdate() + timedelta(days=2)).isoformat()), "date"),
        (lambda b, m: b["members"][0].update(phq9={"item1": "often"}), "members.{first}.phq9"),
    ],
)
def test_bad_input_is_refused_and_nothing_but_the_risk_alert_is_saved(
    clinic, as_user, group_setup, change, field
):
    group, counsellor, members = group_setup
    body = session_body(group, members, risky=members[1])
    change(body, members)
    answer = post(as_user(counsellor), f"/api/v1/groups/{group.pk}/sessions", body)
    assert answer.status_code == 422, answer.content[:300]
    assert answer.json()["errors"].get(field.format(first=members[0].pk, last=members[-1].pk))
    assert not GroupSession.objects.exists() and not Response.objects.exists()
    # Refused whole, but the valid positive item 9 of another member still raised its alert.
    assert RiskAlert.objects.get().client_id == members[1].client_id
    assert answer.json()["kept"]


def test_a_group_is_seen_by_its_facilitator_and_its_supervisor_only(clinic, as_user, group_setup):
    group, counsellor, _ = group_setup
    url = f"/api/v1/groups/{group.pk}"
    assert as_user(counsellor).get(url).status_code == 200
    assert as_user(clinic.supervisor).get(url).status_code == 200
    for someone in (clinic.other_clinician, clinic.clinician, clinic.other_supervisor):
        assert as_user(someone).get(url).status_code == 404
        assert as_user(someone).get("/api/v1/groups").json() == []
    for someone in (clinic.client_user, clinic.administrator):
        assert as_user(someone).get(url).status_code == 403


def test_a_supervisor_reads_but_cannot_record_a_session(clinic, as_user, group_setup):
    group, _, members = group_setup
    answer = post(
        as_user(clinic.supervisor), f"/api/v1/groups/{group.pk}/sessions", session_body(group, members)
    )
    assert answer.status_code == 404 and not GroupSession.objects.exists()


def test_creating_a_group_and_adding_a_member_gives_them_a_group_course(clinic, as_user, newcomer):
    api = as_user(clinic.clinician)
    made = post(
        api,
        "/api/v1/groups",
        {
            "name": "Thursday group",
            "variant": "group_ipt_who",
            "facilitator_id": clinic.clinician.pk,
            "co_facilitator_id": clinic.co_clinician.pk,
            "team_id": clinic.team_a.pk,
            "lay_facilitated": True,
            "meeting_place": "Clinic room 2",
            "meeting_day": "thu",
            "meeting_time": "10:30",
            "planned_start": timezone.localdate().isoformat(),
            "status": "forming",
        },
    )
    assert made.status_code == 201, made.content[:300]
    assert made.json()["planned_sessions"] == 8
    group_id = made.json()["id"]
    joined = post(
        api,
        f"/api/v1/groups/{group_id}/members",
        {"client_id": newcomer.pk, "joined_on": timezone.localdate().isoformat(), "reason": "Referred by GP"},
    )
    assert joined.status_code == 201, joined.content[:300]
    course = Course.objects.get(client=newcomer)
    assert (course.variant, course.format, course.planned_sessions) == ("group_ipt_who", "group", 8)
    # The co-facilitator may now record the member's scores.
    assert newcomer.co_clinicians.filter(pk=clinic.co_clinician.pk).exists()
    again = post(
        api,
        f"/api/v1/groups/{group_id}/members",
        {"client_id": newcomer.pk, "joined_on": timezone.localdate().isoformat(), "reason": ""},
    )
    assert again.status_code == 422
    assert Membership.objects.count() == 1


def test_a_member_of_another_clinician_cannot_be_added(clinic, as_user, group_setup):
    group, counsellor, _ = group_setup
    answer = post(
        as_user(counsellor),
        f"/api/v1/groups/{group.pk}/members",
        {"client_id": clinic.other_client.pk, "joined_on": timezone.localdate().isoformat(), "reason": ""},
    )
    assert answer.status_code == 404
    assert CANARY not in answer.content.decode()


def test_reading_a_group_audits_a_read_of_each_members_record(clinic, as_user, group_setup):
    from rapport.audit.models import Action, AuditEvent

    group, counsellor, members = group_setup
    answer = as_user(counsellor).get(f"/api/v1/groups/{group.pk}")
    rows = AuditEvent.objects.filter(request_id=answer["X-Request-ID"], action=Action.READ)
    assert sorted(rows.values_list("client_id", flat=True)) == sorted(m.client_id for m in members)


def test_a_full_group_refuses_another_member(clinic, as_user, newcomer):
    group, counsellor, people = make_group(clinic, members=12)
    join_all(group, people)
    newcomer.responsible_clinician = counsellor
    newcomer.save()
    answer = post(
        as_user(counsellor),
        f"/api/v1/groups/{group.pk}/members",
        {"client_id": newcomer.pk, "joined_on": timezone.localdate().isoformat(), "reason": ""},
    )
    assert answer.status_code == 422 and "full" in answer.json()["errors"]["client_id"][0]


def test_a_member_who_left_is_not_recorded_after_leaving(clinic, as_user, group_setup):
    group, counsellor, members = group_setup
    api = as_user(counsellor)
    gone = members[0]
    Membership.objects.filter(pk=gone.pk).update(left_on=timezone.localdate() - timedelta(days=3))
    body = session_body(group, members[1:])
    assert post(api, f"/api/v1/groups/{group.pk}/sessions", body).status_code == 201
    body = session_body(group, members, number=2)
    answer = post(api, f"/api/v1/groups/{group.pk}/sessions", body)
    assert answer.status_code == 422 and f"members.{gone.pk}" in answer.json()["errors"]


def test_the_programme_figures_count_each_members_group_course(clinic, as_user, group_setup):
    from rapport.programme.models import CourseSummary

    group, counsellor, members = group_setup
    api = as_user(counsellor)
    body = session_body(group, members)
    body["members"][0]["attended"] = False
    body["members"][0]["phq9"] = None
    assert post(api, f"/api/v1/groups/{group.pk}/sessions", body).status_code == 201
    assert (
        post(api, f"/api/v1/groups/{group.pk}/sessions", session_body(group, members, number=2)).status_code
        == 201
    )
    summaries = {s.course_id: s for s in CourseSummary.objects.filter(variant="group_ipt_who")}
    assert len(summaries) == 8
    assert summaries[members[0].course_id].sessions_attended == 1
    assert summaries[members[1].course_id].sessions_attended == 2
    assert summaries[members[1].course_id].phq9_last == 4  # LOW: 1 + 1 + 1 + 1


# A refused session still raises each member's valid risk answer (hazard log HAZ-287).


def test_a_body_refused_for_another_member_still_raises_the_alert_and_the_422_says_so(
    clinic, as_user, group_setup
):
    group, counsellor, members = group_setup
    api = as_user(counsellor)
    body = session_body(group, members, risky=members[3])
    body["members"][6]["phq9"] = {**LOW, "item2": "often"}  # another member's bad answer
    answer = post(api, f"/api/v1/groups/{group.pk}/sessions", body)
    assert answer.status_code == 422
    data = answer.json()
    assert f"members.{members[6].pk}.phq9" in data["errors"]
    assert data["detail"].endswith("nothing else was saved.")
    assert len(data["kept"]) == 1 and members[3].client.display_name in data["kept"][0]
    assert not GroupSession.objects.exists() and not Response.objects.exists()
    alert = RiskAlert.objects.get()
    assert alert.client_id == members[3].client_id and alert.reasons[0] == "refused_group_session"
    assert AlertDelivery.objects.filter(alert=alert, recipient=clinic.supervisor).exists()
    # Sent again refused, then corrected: the same one alert, taken over by the saved response.
    assert post(api, f"/api/v1/groups/{group.pk}/sessions", body).status_code == 422
    body["members"][6]["phq9"] = LOW
    assert post(api, f"/api/v1/groups/{group.pk}/sessions", body).status_code == 201
    alert = RiskAlert.objects.get()
    assert alert.response.client_id == members[3].client_id


def test_with_an_idempotency_key_the_refusal_is_rolled_back_but_the_alert_is_kept(
    clinic, as_user, group_setup
):
    group, counsellor, members = group_setup
    api = as_user(counsellor)
    body = session_body(group, members, risky=members[1], number=99)  # refused: no such session
    answer = post(api, f"/api/v1/groups/{group.pk}/sessions", body, **{"Idempotency-Key": "dev-9"})
    assert answer.status_code == 422 and answer.json()["kept"]
    assert RiskAlert.objects.get().client_id == members[1].client_id
    assert not GroupSession.objects.exists()
    # The retry with the same key runs again (nothing was answered) and raises nothing twice.
    again = post(api, f"/api/v1/groups/{group.pk}/sessions", body, **{"Idempotency-Key": "dev-9"})
    assert again.status_code == 422 and RiskAlert.objects.count() == 1


def test_a_stale_edit_still_raises_a_new_risk_answer(clinic, as_user, group_setup):
    group, counsellor, members = group_setup
    api = as_user(counsellor)
    saved = post(api, f"/api/v1/groups/{group.pk}/sessions", session_body(group, members)).json()
    stale = session_body(group, members, risky=members[4]) | {"version": saved["version"] - 1 or 99}
    answer = api.put(
        f"/api/v1/groups/{group.pk}/sessions/{saved['id']}", stale, content_type="application/json"
    )
    assert answer.status_code == 409 and answer.json()["kept"]
    assert RiskAlert.objects.get().client_id == members[4].client_id


def test_a_body_the_schema_refuses_still_raises_a_members_risk_answer(clinic, as_user, group_setup):
    group, counsellor, members = group_setup
    api = as_user(counsellor)
    body = session_body(group, members, risky=members[2])
    body["members"][5]["mood_change"] = 7  # out of range: refused by the schema, before the service
    answer = post(api, f"/api/v1/groups/{group.pk}/sessions", body)
    assert answer.status_code == 422 and answer.json()["kept"]
    assert RiskAlert.objects.get().client_id == members[2].client_id
    # Someone who may not record this group's sessions raises nothing by sending one.
    assert (
        post(as_user(clinic.other_clinician), f"/api/v1/groups/{group.pk}/sessions", body).status_code == 422
    )
    assert RiskAlert.objects.count() == 1
