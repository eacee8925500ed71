"""Group IPT: the co-clinician access a group gives its facilitators ends with its reason. A
facilitator replaced on the group, or a member who leaves it, takes back what the group gave,
and only that: a link the person had before the group, or that another group still justifies,
stays, and the responsible clinician is never touched."""

import dataclasses
import threading
import time
from datetime import date, timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from rapport.accounts.models import Role, User
from rapport.audit.models import Action, AuditEvent
from rapport.clinic import alert_chain
from rapport.clinic.models import Client, Course, Notification
from rapport.clinic.models.clients import may_see
from rapport.groups import access, formation, membership
from rapport.groups.models import Group, GroupAccess, Membership
from tests.personas import CANARY, PASSWORD, make_clinic
from tests.support import request_as


def sees(user, client) -> bool:
    """Both halves of the visibility rule, which must agree."""
    listed = Client.objects.visible_to(user).filter(pk=client.pk).exists()
    assert listed == may_see(user, client)
    return listed


def opens(as_user, user, client) -> int:
    return as_user(user).get(f"/clients/{client.pk}/").status_code


def clinician(clinic, email, name, title=""):
    person = User.objects.create_user(
        email, PASSWORD, full_name=name, role=Role.CLINICIAN, organisation=clinic.org, clinician_title=title
    )
    clinic.team_a.members.add(person)
    return person


def put_group(api, group, **change):
    group.refresh_from_db()
    body = {
        "name": group.name,
        "variant": group.variant,
        "facilitator_id": group.facilitator_id,
        "co_facilitator_id": group.co_facilitator_id,
        "team_id": group.team_id,
        "lay_facilitated": group.lay_facilitated,
        "meeting_place": group.meeting_place,
        "meeting_day": group.meeting_day,
        "meeting_time": None,
        "planned_start": group.planned_start.isoformat(),
        "status": group.status,
        "version": group.version,
        **change,
    }
    return api.put(f"/api/v1/groups/{group.pk}", body, content_type="application/json")


def join(api, group, client):
    body = {"client_id": client.pk, "joined_on": timezone.localdate().isoformat(), "reason": "Referred"}
    answer = api.post(f"/api/v1/groups/{group.pk}/members", body, content_type="application/json")
    assert answer.status_code == 201, answer.content[:300]
    return Membership.objects.get(pk=answer.json()["id"])


def leave(as_user, user, member):
    answer = as_user(user).post(
        f"/groups/{member.group_id}/members/{member.pk}/leave/",
        {"left_on": timezone.localdate().isoformat(), "reason": "Moved away", "version": member.version},
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]


def removals(client, reason):
    return AuditEvent.objects.filter(
        client_id=client.pk, action=Action.UPDATE, object_type="Client", detail__reason=reason
    )


@pytest.fixture
def lay(clinic, as_user, newcomer):
    """A group run by a lay counsellor with the responsible clinician as co-facilitator, who
    adds two of their clients (so the counsellor is their co-clinician only through the group)."""
    counsellor = clinician(clinic, "counsellor@test.rapport", "Lale Counsellor", "Lay counsellor")
    second = Client.objects.create(
        organisation=clinic.org,
        team=clinic.team_a,
        responsible_clinician=clinic.clinician,
        full_name=f"Second {CANARY}",
        date_of_birth=date(1991, 2, 2),
        country="GB",
        time_zone="Europe/London",
        status="assessment",
    )
    group = Group.objects.create(
        organisation=clinic.org,
        name="Tuesday group",
        facilitator=counsellor,
        co_facilitator=clinic.clinician,
        team=clinic.team_a,
        planned_start=timezone.localdate(),
        status="running",
    )
    api = as_user(clinic.clinician)
    members = [join(api, group, newcomer), join(api, group, second)]
    assert all(sees(counsellor, m.client) for m in members)
    return group, counsellor, members


def test_a_replaced_facilitator_loses_the_members_and_the_new_one_gains_them(clinic, as_user, lay):
    group, counsellor, members = lay
    successor = clinician(clinic, "successor@test.rapport", "Sam Successor", "Lay counsellor")
    answer = put_group(as_user(clinic.supervisor), group, facilitator_id=successor.pk)
    assert answer.status_code == 200, answer.content[:300]
    for member in members:
        client = member.client
        assert not sees(counsellor, client)
        assert opens(as_user, counsellor, client) == 404
        assert sees(successor, client)
        assert opens(as_user, successor, client) == 200
        # The responsible clinician (the co-facilitator) is untouched.
        assert sees(clinic.clinician, client) and client.responsible_clinician_id == clinic.clinician.pk
        row = removals(client, "facilitator replaced").get()
        assert row.detail == {
            "fields": ["co_clinicians"],
            "group": group.pk,
            "user": counsellor.pk,
            "reason": "facilitator replaced",
        }
        # Who gained access is named in the trail too.
        gained = AuditEvent.objects.filter(
            client_id=client.pk, object_type="Client", detail__user=successor.pk
        )
        assert gained.get().detail == {"fields": ["co_clinicians"], "group": group.pk, "user": successor.pk}
    assert set(GroupAccess.objects.values_list("user_id", flat=True)) == {successor.pk}


def test_a_replaced_co_facilitator_loses_the_members_and_the_new_one_gains_them(clinic, as_user, newcomer):
    deputy = clinician(clinic, "deputy@test.rapport", "Dee Deputy", "Lay counsellor")
    successor = clinician(clinic, "successor@test.rapport", "Sam Successor", "Lay counsellor")
    group = Group.objects.create(
        organisation=clinic.org,
        name="Thursday group",
        facilitator=clinic.clinician,
        co_facilitator=deputy,
        team=clinic.team_a,
        planned_start=timezone.localdate(),
    )
    join(as_user(clinic.clinician), group, newcomer)
    assert sees(deputy, newcomer)
    # The facilitator (responsible for the member) hands the co-facilitation over on the page.
    page = as_user(clinic.clinician).post(
        f"/groups/{group.pk}/edit/",
        {
            "name": group.name,
            "facilitator": clinic.clinician.pk,
            "co_facilitator": successor.pk,
            "team": clinic.team_a.pk,
            "lay_facilitated": "on",
            "meeting_day": "",
            "planned_start": group.planned_start.isoformat(),
            "status": "forming",
            "version": group.version,
        },
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    assert not sees(deputy, newcomer) and opens(as_user, deputy, newcomer) == 404
    assert sees(successor, newcomer) and opens(as_user, successor, newcomer) == 200
    assert removals(newcomer, "facilitator replaced").get().detail["user"] == deputy.pk
    # Removed outright (no co-facilitator any more): the successor's access ends too.
    assert put_group(as_user(clinic.clinician), group, co_facilitator_id=None).status_code == 200
    assert not sees(successor, newcomer)
    assert sees(clinic.clinician, newcomer)


def test_a_member_who_leaves_is_no_longer_seen_by_the_facilitators(clinic, as_user, lay):
    group, counsellor, (gone, stays) = lay
    leave(as_user, clinic.clinician, gone)
    assert not sees(counsellor, gone.client) and opens(as_user, counsellor, gone.client) == 404
    assert sees(counsellor, stays.client)
    assert sees(clinic.clinician, gone.client)  # the responsible clinician keeps their client
    row = removals(gone.client, "member left").get()
    assert row.detail == {
        "fields": ["co_clinicians"],
        "group": group.pk,
        "user": counsellor.pk,
        "reason": "member left",
    }
    assert not removals(stays.client, "member left").exists()
    assert not GroupAccess.objects.filter(client=gone.client).exists()


def test_a_link_from_before_the_group_outlives_the_facilitator_and_the_membership(clinic, as_user, newcomer):
    # The co-clinician treated the newcomer before the group: the group did not give them access.
    newcomer.co_clinicians.add(clinic.co_clinician)
    other = Client.objects.create(
        organisation=clinic.org,
        team=clinic.team_a,
        responsible_clinician=clinic.clinician,
        full_name="Third member",
        date_of_birth=date(1992, 3, 3),
        country="GB",
        time_zone="Europe/London",
    )
    group = Group.objects.create(
        organisation=clinic.org,
        name="Friday group",
        facilitator=clinic.clinician,
        co_facilitator=clinic.co_clinician,
        team=clinic.team_a,
        planned_start=timezone.localdate(),
    )
    api = as_user(clinic.clinician)
    first, second = join(api, group, newcomer), join(api, group, other)
    assert not GroupAccess.objects.filter(client=newcomer).exists()
    assert put_group(as_user(clinic.supervisor), group, co_facilitator_id=None).status_code == 200
    assert sees(clinic.co_clinician, newcomer) and opens(as_user, clinic.co_clinician, newcomer) == 200
    assert not sees(clinic.co_clinician, other)  # this one the group had given, and took back
    assert not removals(newcomer, "facilitator replaced").exists()
    # Back as co-facilitator, then the newcomer leaves: their own link still stays.
    assert (
        put_group(as_user(clinic.supervisor), group, co_facilitator_id=clinic.co_clinician.pk).status_code
        == 200
    )
    assert sees(clinic.co_clinician, other)
    leave(as_user, clinic.clinician, Membership.objects.get(pk=first.pk))
    assert sees(clinic.co_clinician, newcomer)
    assert not removals(newcomer, "member left").exists()
    assert sees(clinic.co_clinician, second.client)


def test_a_link_another_group_still_justifies_stays_until_that_group_lets_go(clinic, as_user, lay):
    group, counsellor, (member, _) = lay
    # The first group has ended but the member has not left it (their follow-up goes on there);
    # their group course ended, so they join a second group the same counsellor runs.
    Group.objects.filter(pk=group.pk).update(status="ended")
    Course.objects.filter(pk=member.course_id).update(status="ended")
    later = Group.objects.create(
        organisation=clinic.org,
        name="Second round",
        facilitator=counsellor,
        co_facilitator=clinic.clinician,
        team=clinic.team_a,
        planned_start=timezone.localdate(),
    )
    again = join(as_user(clinic.clinician), later, member.client)
    assert GroupAccess.objects.filter(client=member.client, user=counsellor).count() == 2
    leave(as_user, clinic.clinician, again)
    assert sees(counsellor, member.client)  # the first group still has them as its member
    assert not removals(member.client, "member left").exists()
    leave(as_user, clinic.clinician, Membership.objects.get(pk=member.pk))
    assert not sees(counsellor, member.client)
    assert removals(member.client, "member left").count() == 1


def test_a_group_that_ends_keeps_its_facilitators_access_for_follow_up(clinic, as_user, lay):
    group, counsellor, members = lay
    assert put_group(as_user(clinic.supervisor), group, status="ended").status_code == 200
    assert all(sees(counsellor, m.client) for m in members)
    assert not AuditEvent.objects.filter(object_type="Client", detail__has_key="reason").exists()


def test_a_replaced_facilitator_is_not_told_of_a_members_new_alert(clinic, as_user, lay):
    group, counsellor, (_, member) = lay
    assert counsellor in alert_chain.recipients(member.client, 0)
    # A notice the counsellor was sent while they ran the group, still unread.
    Notification.objects.create(recipient=counsellor, client=member.client, subject="Risk alert", body="")
    assert CANARY in as_user(counsellor).get("/caseload/").content.decode()
    successor = clinician(clinic, "successor@test.rapport", "Sam Successor", "Lay counsellor")
    assert put_group(as_user(clinic.supervisor), group, facilitator_id=successor.pk).status_code == 200
    first = alert_chain.recipients(member.client, 0)
    assert counsellor not in first and successor in first and clinic.clinician in first
    assert clinic.supervisor in alert_chain.recipients(member.client, 1)
    # The old notice stays in their list but no longer names the member.
    home = as_user(counsellor).get("/caseload/")
    assert home.status_code == 200 and CANARY not in home.content.decode()


def test_a_refused_change_of_facilitator_takes_nothing_back(clinic, as_user, lay):
    group, counsellor, members = lay
    api = as_user(clinic.supervisor)
    stale = put_group(api, group, facilitator_id=clinic.other_clinician.pk, version=group.version + 5)
    assert stale.status_code == 409
    bad = put_group(api, group, facilitator_id=clinic.client_user.pk)
    assert bad.status_code == 422
    assert all(sees(counsellor, m.client) for m in members)
    assert GroupAccess.objects.filter(user=counsellor).count() == 2


def test_the_backfill_records_only_links_the_audit_trail_shows_the_group_made(clinic, lay):
    """The migration's rule, run on today's rows: a group's current facilitator linked to a
    current member is recorded when the trail shows the group gave that member a co-clinician."""
    from importlib import import_module

    from django.apps import apps

    group, counsellor, (member, second) = lay
    backfill = import_module("rapport.groups.migrations.0002_group_access").backfill
    # A member written straight into the database, whose co-clinician link no audit row explains.
    third = Client.objects.create(
        organisation=clinic.org,
        team=clinic.team_a,
        responsible_clinician=clinic.clinician,
        full_name="Written directly",
        date_of_birth=date(1993, 4, 4),
        country="GB",
        time_zone="Europe/London",
    )
    third.co_clinicians.add(counsellor)
    course = Course.objects.create(
        client=third,
        variant=group.variant,
        format="group",
        planned_sessions=8,
        started_on=timezone.localdate(),
    )
    Membership.objects.create(group=group, client=third, course=course, joined_on=timezone.localdate())
    GroupAccess.objects.all().delete()
    backfill(apps, None)
    found = set(GroupAccess.objects.values_list("client_id", "user_id"))
    assert found == {(member.client_id, counsellor.pk), (second.client_id, counsellor.pk)}
    granted = GroupAccess.objects.get(client=member.client)
    assert granted.granted_at <= timezone.now() and granted.granted_at > timezone.now() - timedelta(hours=1)


def _race_setup():
    clinic = make_clinic()
    counsellor = clinician(clinic, "counsellor@test.rapport", "Lale Counsellor", "Lay counsellor")
    successor = clinician(clinic, "successor@test.rapport", "Sam Successor", "Lay counsellor")
    group = Group.objects.create(
        organisation=clinic.org,
        name="Race group",
        facilitator=counsellor,
        co_facilitator=clinic.clinician,
        team=clinic.team_a,
        planned_start=timezone.localdate(),
        status="running",
    )
    joining = Client.objects.create(
        organisation=clinic.org,
        team=clinic.team_a,
        responsible_clinician=clinic.clinician,
        full_name="Joins during the change",
        date_of_birth=date(1994, 5, 5),
        country="GB",
        time_zone="Europe/London",
    )
    change = formation.GroupValues(
        name=group.name,
        variant=group.variant,
        facilitator_id=successor.pk,
        co_facilitator_id=clinic.clinician.pk,
        team_id=clinic.team_a.pk,
        lay_facilitated=True,
        meeting_place="",
        meeting_day="",
        meeting_time=None,
        planned_start=group.planned_start,
        status="running",
    )
    new = membership.NewMember(client_id=joining.pk, joined_on=timezone.localdate(), reason="")
    return clinic, group, counsellor, successor, joining, change, new


def _in_threads(*work):
    failures: list[str] = []

    def run(job):
        try:
            job()
        except BaseException as error:
            failures.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []


@pytest.mark.django_db(transaction=True)
def test_a_member_joining_while_the_facilitator_is_replaced_is_not_given_to_the_old_one(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one write at a time")
    clinic, group, counsellor, successor, joining, change, new = _race_setup()
    read, replaced = threading.Event(), threading.Event()
    real = membership.check_new_member

    def after_the_replacement(*args):
        read.set()  # the joining request has read the group with its old facilitator
        replaced.wait(10)
        return real(*args)

    monkeypatch.setattr(membership, "check_new_member", after_the_replacement)

    def replace_facilitator():
        read.wait(10)
        try:
            formation.update_group(request_as(clinic.supervisor), group.pk, change, group.version)
        finally:
            replaced.set()

    _in_threads(
        lambda: membership.add_member(request_as(clinic.clinician), group.pk, new), replace_facilitator
    )
    assert not sees(counsellor, joining) and sees(successor, joining)


@pytest.mark.django_db(transaction=True)
def test_a_facilitator_replaced_while_a_member_joins_loses_that_member_too(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one write at a time")
    clinic, group, counsellor, successor, joining, change, new = _race_setup()
    shared = threading.Event()
    real = access.share_members_with_facilitators

    def and_wait_before_commit(*args):
        real(*args)
        if not shared.is_set():
            shared.set()  # the join is written, not yet committed
            time.sleep(1)

    monkeypatch.setattr(access, "share_members_with_facilitators", and_wait_before_commit)

    def replace_facilitator():
        shared.wait(10)
        formation.update_group(request_as(clinic.supervisor), group.pk, change, group.version)

    _in_threads(
        lambda: membership.add_member(request_as(clinic.clinician), group.pk, new), replace_facilitator
    )
    assert not sees(counsellor, joining) and sees(successor, joining)


@pytest.mark.django_db(transaction=True)
def test_a_member_leaving_while_a_co_facilitator_is_added_is_not_given_to_them(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one write at a time")
    clinic, group, counsellor, successor, leaving, change, new = _race_setup()
    member = membership.add_member(request_as(clinic.clinician), group.pk, new)
    group.refresh_from_db()
    left = threading.Event()
    real = access.member_left

    def and_wait_before_commit(*args):
        real(*args)
        left.set()  # the leaving is written, not yet committed
        time.sleep(1)

    monkeypatch.setattr(access, "member_left", and_wait_before_commit)
    going = membership.Leaving(left_on=timezone.localdate(), reason="Moved away")

    # A co-facilitator added (the responsible clinician's place taken): the group takes nothing
    # back from anyone, so only the lock keeps the leaving member from the newcomer.
    added = dataclasses.replace(change, facilitator_id=counsellor.pk, co_facilitator_id=successor.pk)

    def replace_facilitator():
        left.wait(10)
        formation.update_group(request_as(clinic.supervisor), group.pk, added, group.version)

    _in_threads(
        lambda: membership.remove_member(
            request_as(clinic.clinician), group.pk, member.pk, going, member.version
        ),
        replace_facilitator,
    )
    assert not sees(counsellor, leaving) and not sees(successor, leaving)
