"""Group IPT in a real browser (issue 13): a lay counsellor records a whole session of eight
members on a phone, one with a positive item 9 (the crisis protocol shows at once and the
supervisor is told); the group page at both sizes, empty and with a very long name; the paper
sheet."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import PHONE, SCREENS, SCREENSHOTS, sign_in
from tests.group_fixture import join_all, make_group
from tests.personas import PASSWORD
from tests.support import request_as

from rapport.accounts.models import Role, User
from rapport.clinic.models import AlertDelivery, Client, Response, RiskAlert
from rapport.groups import membership
from rapport.groups.models import Group, GroupSession

pytestmark = pytest.mark.browser

LOW = [
    "several_days",
    "not_at_all",
    "several_days",
    "not_at_all",
    "not_at_all",
    "several_days",
    "not_at_all",
    "not_at_all",
    "not_at_all",
]
ITEM9 = ["more_than_half_the_days"] * 8 + ["several_days"]


def test_a_lay_counsellor_records_a_whole_group_session_on_a_phone(new_page, clinic):
    group, counsellor, people = make_group(clinic)
    members = join_all(group, people)
    risky = members[5]
    problems: list[str] = []
    page = new_page(PHONE)
    sign_in(page, counsellor.email)
    page.goto("/groups/")
    page.get_by_role("link", name=group.name).click()
    page.get_by_role("link", name="Record session 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a group session")
    page.get_by_label("Date held").fill((timezone.localdate() - timedelta(days=1)).isoformat())
    page.screenshot(path=SCREENSHOTS / "group-capture-top-phone.png")
    for m in members:
        card = page.locator(f"#member-{m.pk}")
        expect(card.get_by_label("Attended")).to_be_checked()
        card.get_by_text("PHQ-9 (read the questions out where needed)").click()
        for number, code in enumerate(ITEM9 if m == risky else LOW, start=1):
            card.locator(f'select[name="m{m.pk}-item{number}"]').select_option(code)
        card.get_by_text("Mood, tasks and note").click()
        card.get_by_label("This week's interpersonal task").fill("Tell my sister how I feel")
    page.locator(f"#member-{risky.pk}").scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "group-capture-member-phone.png")
    check_page(page, "group-capture", PHONE, problems)
    page.get_by_role("button", name="Save the session").click()
    protocol = page.get_by_role("alert").filter(has_text="follow the crisis protocol now")
    expect(protocol).to_contain_text(risky.client.display_name)
    expect(protocol).to_contain_text("Your supervisor has been told already.")
    page.screenshot(path=SCREENSHOTS / "group-session-at-risk-top-phone.png")
    check_page(page, "group-session-at-risk", PHONE, problems)
    assert GroupSession.objects.count() == 1
    assert Response.objects.filter(session_number=1, instrument="phq9").count() == 8
    alert = RiskAlert.objects.get()
    assert alert.client_id == risky.client_id
    assert AlertDelivery.objects.filter(alert=alert, recipient=clinic.supervisor).exists()
    assert problems == []


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_the_group_page_empty_and_full(new_page, clinic, screen):
    problems: list[str] = []
    group, counsellor, people = make_group(clinic)
    Client.objects.filter(pk=people[0].pk).update(
        full_name="Maximiliana Wolfeschlegelsteinhausenbergerdorff Featherstonehaugh-Cholmondeley"
    )
    members = join_all(group, people)
    empty = Group.objects.create(
        organisation=clinic.org,
        name="Forming group",
        facilitator=counsellor,
        team=clinic.team_a,
        planned_start=timezone.localdate() + timedelta(days=14),
    )
    page = new_page(screen)
    sign_in(page, counsellor.email)
    # Four sessions recorded through the service, as the capture screen would.
    from rapport.groups import capture

    class Request:
        user = counsellor
        META = {"REMOTE_ADDR": "127.0.0.1"}
        headers = {}

    for number in range(1, 5):
        day = group.planned_start + timedelta(days=7 * (number - 1))
        entries = [
            capture.MemberEntry(
                membership_id=m.pk,
                attended=(i + number) % 5 != 0,
                phq9={
                    f"item{k}": "several_days" if k <= 9 - number - (i % 3) else "not_at_all"
                    for k in range(1, 10)
                }
                if (i + number) % 5 != 0
                else None,
                mood_change=1,
                mood_event_ids=[],
                mood_note="",
                task_set="Call a friend",
                task_reviewed="",
                note="",
                needs_follow_up=False,
                needs_follow_up_for_risk=False,
            )
            for i, m in enumerate(members)
        ]
        capture.record_session(Request, group.pk, capture.SessionValues(number, day, "", None, None, entries))
    page.goto(f"/groups/{empty.pk}/")
    expect(page.get_by_text("No members yet.")).to_be_visible()
    check_page(page, "group-empty", screen, problems)
    page.goto(f"/groups/{group.pk}/")
    expect(page.get_by_text("4 of 8 sessions held")).to_be_visible()
    expect(page.locator("svg.chart-small")).to_have_count(8)
    check_page(page, "group-page", screen, problems)
    page.get_by_role("heading", name="Members").scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / f"group-members-{screen.name}.png")
    page.goto(f"/groups/{group.pk}/sheet/5/")
    check_page(page, "group-sheet", screen, problems)
    assert problems == []


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_every_group_page_passes_the_page_checks(new_page, clinic, screen):
    """The forms (create, edit, add, leave, pre-group, entered in error) and a member's own page."""
    problems: list[str] = []
    group, counsellor, people = make_group(clinic, members=3)
    members = join_all(group, people)
    session = GroupSession.objects.create(
        group=group,
        number=1,
        date=timezone.localdate() - timedelta(days=1),
        recorded_at=timezone.now(),
        recorded_by=counsellor,
    )
    page = new_page(screen)
    sign_in(page, counsellor.email)
    pages = {
        "group-list": "/groups/",
        "group-add": "/groups/new/",
        "group-edit": f"/groups/{group.pk}/edit/",
        "group-member-add": f"/groups/{group.pk}/members/new/",
        "group-member-leave": f"/groups/{group.pk}/members/{members[0].pk}/leave/",
        "group-pre-group": f"/groups/{group.pk}/members/{members[0].pk}/pre-group/",
        "group-session-entered-in-error": f"/groups/{group.pk}/sessions/{session.pk}/entered-in-error/",
        "group-session-edit": f"/groups/{group.pk}/sessions/{session.pk}/edit/",
    }
    for name, url in pages.items():
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        check_page(page, name, screen, problems)
    # A member's own page, signed in as the member: their group, never another member's name.
    Client.objects.filter(pk=clinic.other_client.pk).update(user=None)
    Client.objects.filter(pk=people[1].pk).update(user=clinic.other_client_user)
    member_page = new_page(screen)
    sign_in(member_page, clinic.other_client_user.email)
    member_page.goto("/my/group/")
    expect(member_page.get_by_role("heading", name=group.name)).to_be_visible()
    for other in (people[0], people[2]):
        expect(member_page.get_by_text(other.full_name)).to_have_count(0)
    check_page(member_page, "portal-my-group", screen, problems)
    assert problems == []


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_a_refused_session_still_raises_a_members_risk_alert_and_says_so(new_page, clinic, watch, screen):
    # The page sends through the sealed API first; its 422 makes it post the plain form, whose
    # page shows the refusal (and the alert raised, once).
    watch.allow(r"status of 422 .*\[.*/sealed-sessions\]$")
    group, counsellor, people = make_group(clinic, members=3)
    members = join_all(group, people)
    risky, wrong = members[1], members[2]
    problems: list[str] = []
    page = new_page(screen)
    sign_in(page, counsellor.email)
    page.goto(f"/groups/{group.pk}/sessions/new/")
    page.get_by_label("Date held").fill((timezone.localdate() + timedelta(days=2)).isoformat())  # refused
    for m in members:
        card = page.locator(f"#member-{m.pk}")
        card.get_by_text("PHQ-9 (read the questions out where needed)").click()
        for number, code in enumerate(ITEM9 if m == risky else LOW, start=1):
            card.locator(f'select[name="m{m.pk}-item{number}"]').select_option(code)
    page.locator(f"#member-{wrong.pk}").locator(f'select[name="m{wrong.pk}-item1"]').select_option("")
    page.get_by_role("button", name="Save the session").click()
    banner = page.locator(".risk-kept")
    expect(banner).to_contain_text("A risk alert has been raised.")
    expect(banner).to_contain_text(risky.client.display_name)
    check_page(page, "group-capture-refused-risk", screen, problems)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=SCREENSHOTS / f"group-capture-refused-risk-top-{screen.name}.png")
    assert not GroupSession.objects.exists()
    alert = RiskAlert.objects.get()
    assert alert.client_id == risky.client_id
    assert AlertDelivery.objects.filter(alert=alert, recipient=clinic.supervisor).exists()
    # Corrected and saved: the session is kept and the alert is not raised twice.
    page.get_by_label("Date held").fill((timezone.localdate() - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Save the session").click()
    expect(page.get_by_role("alert").filter(has_text="follow the crisis protocol now")).to_contain_text(
        risky.client.display_name
    )
    assert GroupSession.objects.count() == 1 and RiskAlert.objects.count() == 1


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_a_supervisor_replaces_the_facilitator_and_the_old_one_no_longer_opens_a_member(
    new_page, clinic, screen, watch
):
    """The edit page says what replacing a facilitator does, and it does it: the lay counsellor
    who ran the group meets a 404 on a member's record, the new one opens it."""
    problems: list[str] = []
    group, counsellor, people = make_group(clinic, members=2)
    Client.objects.filter(pk__in=[p.pk for p in people]).update(responsible_clinician=clinic.clinician)
    Group.objects.filter(pk=group.pk).update(co_facilitator=clinic.clinician)
    for person in people:
        given = membership.NewMember(client_id=person.pk, joined_on=timezone.localdate(), reason="")
        membership.add_member(request_as(clinic.clinician), group.pk, given)
    successor = User.objects.create_user(
        "successor@test.rapport",
        PASSWORD,
        full_name="Sam Successor",
        role=Role.CLINICIAN,
        organisation=clinic.org,
        clinician_title="Lay counsellor",
    )
    watch.allow(rf"status of 404 .*\[.*/clients/{people[0].pk}/\]$")  # the replaced counsellor's, expected
    old = new_page(screen)
    sign_in(old, counsellor.email)
    assert old.goto(f"/clients/{people[0].pk}/").status == 200
    page = new_page(screen)
    sign_in(page, clinic.supervisor.email)
    page.goto(f"/groups/{group.pk}/edit/")
    expect(page.get_by_text("stops seeing the members' records")).to_be_visible()
    check_page(page, "group-edit-replacing", screen, problems)
    page.get_by_label("Facilitator", exact=True).select_option(str(successor.pk))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The group was saved.")).to_be_visible()
    assert old.goto(f"/clients/{people[0].pk}/").status == 404
    new = new_page(screen)
    sign_in(new, successor.email)
    assert new.goto(f"/clients/{people[0].pk}/").status == 200
    # The leaving page says the same of a member who leaves.
    member = membership.current_members(group).first()
    new.goto(f"/groups/{group.pk}/members/{member.pk}/leave/")
    expect(new.get_by_text("The group's facilitators stop seeing their record")).to_be_visible()
    check_page(new, "group-member-leaving", screen, problems)
    assert problems == []
