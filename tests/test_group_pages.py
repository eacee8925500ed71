"""Group IPT pages (issue 13): the group list and page, creating a group, members joining and
leaving, the pre-group session, the one session-capture screen (a whole group posted as a plain
form, a positive item 9 showing the member's crisis protocol at once), a paper sheet entered
later, and a double post that records once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rapport.audit.models import AuditEvent
from rapport.clinic.models import AlertDelivery, Response, RiskAlert
from rapport.groups.models import Group, GroupSession, Membership, PreGroupSession
from tests.group_fixture import join_all, make_group
from tests.test_measures import phq9

ITEM9 = phq9(2, 2, 2, 1, 1, 2, 1, 1, 2)
LOW = phq9(1, 1, 0, 1, 0, 0, 1, 0, 0)


@pytest.fixture
def setup(clinic):
    group, counsellor, people = make_group(clinic)
    members = join_all(group, people)
    return group, counsellor, members


def capture_post(members, *, number=1, key="k-1", risky=None, paper=None, absent=()):
    day = timezone.localdate() - timedelta(days=1)
    data = {
        "number": str(number),
        "date": day.isoformat(),
        "notes": "Ground rules agreed.",
        "paper_filled_on": paper.isoformat() if paper else "",
        "submission_key": key,
    }
    for m in members:
        prefix = f"m{m.pk}-"
        if m in absent:
            continue
        data[prefix + "attended"] = "on"
        for item, code in (ITEM9 if m == risky else LOW).items():
            data[prefix + item] = code
        data[prefix + "task_set"] = "Talk to my neighbour"
    return data


def test_the_facilitator_records_a_whole_group_on_one_screen(clinic, client, setup):
    group, counsellor, members = setup
    client.force_login(counsellor)
    page = client.get(f"/groups/{group.pk}/sessions/new/")
    assert page.status_code == 200
    html = page.content.decode()
    for m in members:
        assert m.client.display_name in html
    assert "Introductions" in html  # session 1's agenda, from the protocol data
    answer = client.post(f"/groups/{group.pk}/sessions/new/", capture_post(members, risky=members[2]))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    session = GroupSession.objects.get()
    shown = client.get(answer["Location"]).content.decode()
    # The crisis protocol for that member, with their country's lines, at once.
    assert "follow the crisis protocol now" in shown and members[2].client.display_name in shown
    assert "tel:" in shown
    assert Response.objects.filter(session_number=1).count() == 8
    alert = RiskAlert.objects.get()
    assert AlertDelivery.objects.filter(alert=alert, recipient=clinic.supervisor).exists()
    assert session.records.count() == 8


def test_the_same_form_posted_twice_records_once(clinic, client, setup):
    group, counsellor, members = setup
    client.force_login(counsellor)
    for _ in range(2):
        assert client.post(f"/groups/{group.pk}/sessions/new/", capture_post(members)).status_code == 302
    assert GroupSession.objects.count() == 1 and Response.objects.count() == 8


def test_a_paper_sheet_is_entered_later_with_the_day_it_was_filled_in(clinic, client, setup):
    group, counsellor, members = setup
    client.force_login(counsellor)
    sheet = client.get(f"/groups/{group.pk}/sheet/1/").content.decode()
    assert all(m.client.display_name in sheet for m in members)
    filled = timezone.localdate() - timedelta(days=1)
    posted = capture_post(members, paper=filled, absent=(members[0],))
    assert client.post(f"/groups/{group.pk}/sessions/new/", posted).status_code == 302
    session = GroupSession.objects.get()
    assert session.paper_filled_on == filled
    assert not session.records.get(membership=members[0]).attended


def test_a_refused_capture_keeps_what_was_typed_and_saves_nothing(clinic, client, setup):
    group, counsellor, members = setup
    client.force_login(counsellor)
    posted = capture_post(members)
    posted[f"m{members[1].pk}-item1"] = "often"
    answer = client.post(f"/groups/{group.pk}/sessions/new/", posted)
    assert answer.status_code == 200
    assert "Nothing was saved yet" in answer.content.decode()
    assert not GroupSession.objects.exists() and not Response.objects.exists()


def test_a_member_of_the_group_page_shows_the_summary_and_charts(clinic, client, setup):
    group, counsellor, members = setup
    client.force_login(counsellor)
    client.post(f"/groups/{group.pk}/sessions/new/", capture_post(members))
    html = client.get(f"/groups/{group.pk}/").content.decode()
    assert html.count("<svg") >= 8 and "Group summary" in html and "1 of 8 sessions held" in html
    assert "Record session 2" in html


def test_the_supervisor_reads_the_group_but_cannot_capture(clinic, client, setup):
    group, _, _members = setup
    client.force_login(clinic.supervisor)
    assert client.get(f"/groups/{group.pk}/").status_code == 200
    assert client.get("/groups/").content.decode().count(group.name) == 1
    assert client.get(f"/groups/{group.pk}/sessions/new/").status_code == 403


def test_another_clinician_meets_a_404(clinic, client, setup):
    group, _, _ = setup
    client.force_login(clinic.other_clinician)
    assert client.get(f"/groups/{group.pk}/").status_code == 404
    assert group.name not in client.get("/groups/").content.decode()


def test_create_a_group_add_a_member_and_record_their_leaving(clinic, client, newcomer):
    client.force_login(clinic.clinician)
    answer = client.post(
        "/groups/new/",
        {
            "name": "Wednesday group",
            "facilitator": clinic.clinician.pk,
            "team": clinic.team_a.pk,
            "lay_facilitated": "on",
            "planned_start": timezone.localdate().isoformat(),
            "status": "forming",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:1500]
    group = Group.objects.get(name="Wednesday group")
    day = timezone.localdate().isoformat()
    answer = client.post(f"/groups/{group.pk}/members/new/", {"client": newcomer.pk, "joined_on": day})
    assert answer.status_code == 302, answer.content.decode()[:1500]
    member = Membership.objects.get(group=group)
    page = client.get(f"/groups/{group.pk}/members/{member.pk}/leave/")
    assert page.status_code == 200
    answer = client.post(
        f"/groups/{group.pk}/members/{member.pk}/leave/",
        {"left_on": day, "reason": "Moved away", "version": member.version},
    )
    assert answer.status_code == 302
    member.refresh_from_db()
    assert member.left_on is not None and member.leave_reason == "Moved away"


def test_the_pre_group_session_uses_the_agenda_and_links_the_course_tools(clinic, client, setup):
    group, counsellor, members = setup
    client.force_login(counsellor)
    url = f"/groups/{group.pk}/members/{members[0].pk}/pre-group/"
    html = client.get(url).content.decode()
    assert "Hope and invitation" in html and f"/clients/{members[0].client_id}/timeline/" in html
    answer = client.post(
        url,
        {
            "date": timezone.localdate().isoformat(),
            "accepted": "on",
            "step_hope_and_invitation": "Agreed to join",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:1500]
    record = PreGroupSession.objects.get()
    assert record.step_notes == {"hope_and_invitation": "Agreed to join"}
    # A second tab that opened the page before this save is shown the conflict, not obeyed.
    stale = client.post(url, {"date": timezone.localdate().isoformat(), "note": "x"})
    assert stale.status_code == 200 and "Someone else saved" in stale.content.decode()


def test_a_stale_edit_of_a_session_shows_the_conflict(clinic, client, setup):
    group, counsellor, members = setup
    client.force_login(counsellor)
    client.post(f"/groups/{group.pk}/sessions/new/", capture_post(members))
    session = GroupSession.objects.get()
    url = f"/groups/{group.pk}/sessions/{session.pk}/edit/"
    assert client.get(url).status_code == 200
    first = capture_post(members, key="")
    first["version"] = "1"
    assert client.post(url, first).status_code == 302
    second = capture_post(members, key="")
    second["version"] = "1"
    second["notes"] = "Second device"
    answer = client.post(url, second)
    assert answer.status_code == 200 and "Someone else saved this session" in answer.content.decode()
    session.refresh_from_db()
    assert session.notes == "Ground rules agreed." and session.version == 2


def test_a_members_portal_shows_their_own_record_and_no_other_members_name(clinic, client, setup):
    group, counsellor, members = setup
    client.force_login(counsellor)
    client.post(f"/groups/{group.pk}/sessions/new/", capture_post(members))
    mine = members[0]
    # The other client account was linked to team B's record; link it to this member instead.
    clinic.other_client.user = None
    clinic.other_client.save()
    mine.client.user = clinic.other_client_user
    mine.client.save()
    client.force_login(clinic.other_client_user)
    home = client.get("/my/").content.decode()
    assert "/my/group/" in home
    page = client.get("/my/group/")
    html = page.content.decode()
    assert page.status_code == 200 and group.name in html and "Talk to my neighbour" in html
    for other in members[1:]:
        assert other.client.full_name not in html
    assert "Member1" not in html and "Member7" not in html
    # Their plan shows their own task, from their course's mirrored session; no one else's name.
    plan = client.get("/my/plan/").content.decode()
    assert not any(other.client.full_name in plan for other in members[1:])


def test_a_client_outside_any_group_is_told_so(clinic, client):
    client.force_login(clinic.client_user)
    assert "/my/group/" not in client.get("/my/").content.decode()
    assert "You are not in a group." in client.get("/my/group/").content.decode()


def test_a_session_entered_in_error_hides_its_records_and_can_be_recorded_again(clinic, client, setup):
    from rapport.clinic.models import Session

    group, counsellor, members = setup
    client.force_login(counsellor)
    client.post(f"/groups/{group.pk}/sessions/new/", capture_post(members, risky=members[0]))
    session = GroupSession.objects.get()
    url = f"/groups/{group.pk}/sessions/{session.pk}/entered-in-error/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "x"}).status_code == 200  # a reason of a few words is needed
    assert client.post(url, {"reason": "Recorded for the wrong group"}).status_code == 302
    session.refresh_from_db()
    assert session.entered_in_error_reason == "Recorded for the wrong group"
    assert not Response.objects.filter(entered_in_error_at__isnull=True).exists()
    assert not Session.objects.filter(entered_in_error_at__isnull=True).exists()
    assert RiskAlert.objects.count() == 1  # the alert stays for someone to resolve
    assert "No session recorded yet." in client.get(f"/groups/{group.pk}/").content.decode()
    again = client.post(f"/groups/{group.pk}/sessions/new/", capture_post(members, key="k-2"))
    assert again.status_code == 302
    assert Session.objects.filter(entered_in_error_at__isnull=True).count() == 8


# A refused session still raises each member's valid risk answer (hazard log HAZ-287).


def test_a_session_refused_for_another_member_still_raises_the_risk_alert_and_says_so(clinic, client, setup):
    group, counsellor, members = setup
    client.force_login(counsellor)
    posted = capture_post(members, risky=members[2])
    posted[f"m{members[5].pk}-item1"] = "often"  # another member's answer the form cannot read
    answer = client.post(f"/groups/{group.pk}/sessions/new/", posted)
    text = answer.content.decode()
    assert answer.status_code == 200
    assert "A risk alert has been raised." in text and members[2].client.display_name in text
    assert "Nothing else was saved yet" in text
    assert not GroupSession.objects.exists() and not Response.objects.exists()
    alert = RiskAlert.objects.get()
    assert alert.client == members[2].client and alert.reasons[0] == "refused_group_session"
    assert alert.source_record["type"] == "RefusedGroupSession" and alert.source_record["session"] == 1
    assert AlertDelivery.objects.filter(alert=alert, recipient=clinic.supervisor).exists()
    assert AuditEvent.objects.filter(
        object_type="RiskAlert", object_id=str(alert.pk), action="create"
    ).exists()
    # The facilitator posts the same page again, then corrects it: still one alert, now the
    # saved response's.
    assert client.post(f"/groups/{group.pk}/sessions/new/", posted).status_code == 200
    posted[f"m{members[5].pk}-item1"] = "not_at_all"
    assert client.post(f"/groups/{group.pk}/sessions/new/", posted).status_code == 302
    alert = RiskAlert.objects.get()
    assert alert.response == Response.objects.get(client=members[2].client)
    assert "joined_by_saved_answers" in str(
        AuditEvent.objects.filter(object_type="RiskAlert", object_id=str(alert.pk)).values_list(
            "detail", flat=True
        )
    )


def test_a_session_the_service_refuses_still_raises_the_risk_alert(clinic, client, setup):
    group, counsellor, members = setup
    client.force_login(counsellor)
    posted = capture_post(members, risky=members[0])
    posted["date"] = (timezone.localdate() + timedelta(days=3)).isoformat()  # refused by the service
    answer = client.post(f"/groups/{group.pk}/sessions/new/", posted)
    assert "A risk alert has been raised." in answer.content.decode()
    assert RiskAlert.objects.get().client == members[0].client
    assert not GroupSession.objects.exists()


def test_a_higher_risk_on_correction_raises_its_own_alert(clinic, client, setup):
    group, counsellor, members = setup
    client.force_login(counsellor)
    posted = capture_post(members, risky=members[2])
    posted[f"m{members[2].pk}-item9"] = "several_days"  # T1
    posted[f"m{members[5].pk}-item1"] = "often"
    client.post(f"/groups/{group.pk}/sessions/new/", posted)
    posted[f"m{members[5].pk}-item1"] = "not_at_all"
    posted[f"m{members[2].pk}-item9"] = "nearly_every_day"  # higher: never hidden by the first
    assert client.post(f"/groups/{group.pk}/sessions/new/", posted).status_code == 302
    assert sorted(RiskAlert.objects.values_list("tier", flat=True)) == ["T1", "T2"]


def test_a_refused_session_without_a_risk_answer_raises_nothing(clinic, client, setup):
    group, counsellor, members = setup
    client.force_login(counsellor)
    posted = capture_post(members)
    posted[f"m{members[1].pk}-mood_change"] = "7"
    answer = client.post(f"/groups/{group.pk}/sessions/new/", posted)
    assert "A risk alert has been raised." not in answer.content.decode()
    assert not RiskAlert.objects.exists()
