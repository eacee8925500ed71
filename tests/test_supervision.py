"""The supervisor's workspace, case reviews, and running the service (teams, sites, transfers,
a caseload's hand-over)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.accounts.models import Role, Team, User
from rapport.audit.models import AuditEvent
from rapport.clinic.models import Client, Course, Notification, Response, RiskAlert, Session
from rapport.common.errors import EditConflict, InvalidInput
from rapport.supervision import reviews, scope, service, workspace
from rapport.supervision.models import AgreedAction, CaseReview, ClientTransfer, Site
from tests.support import request_as

pytestmark = pytest.mark.django_db


def troubled_course(client, *, sessions=9, scores=((1, 10), (2, 17)), planned_end=None):
    """An open 16-session course: `sessions` attended weekly, PHQ-9 totals at the given sessions."""
    start = timezone.localdate() - timedelta(weeks=sessions + 1)
    course = Course.objects.create(
        client=client, status="active", planned_sessions=16, started_on=start, planned_end_on=planned_end
    )
    for n in range(1, sessions + 1):
        Session.objects.create(course=course, number=n, date=start + timedelta(weeks=n), status="attended")
    for n, total in scores:
        Response.objects.create(
            client=client,
            course=course,
            session_number=n,
            instrument="phq9",
            instrument_version="1",
            respondent="clinician",
            answered_by=client.responsible_clinician,
            answered_at=timezone.make_aware(
                timezone.datetime.combine(start + timedelta(weeks=n), timezone.datetime.min.time())
            ),
            complete=True,
            total=total,
        )
    return course


def names(flagged):
    return [name for _, name, _ in flagged.clients]


def test_the_workspace_flags_progress_and_risk_for_the_supervisors_own_teams_only(clinic):
    troubled_course(clinic.client, planned_end=timezone.localdate() - timedelta(days=3))
    troubled_course(clinic.other_client)
    RiskAlert.objects.create(
        client=clinic.client, tier="T2", risk_level="moderate", created_at=timezone.now() - timedelta(days=2)
    )
    RiskAlert.objects.create(client=clinic.client, tier="T1", risk_level="low")
    RiskAlert.objects.create(client=clinic.other_client, tier="T3", risk_level="high")

    ws = workspace.build(clinic.supervisor, scope.team_ids(clinic.supervisor))

    mine = clinic.client.display_name
    for key in ("not_on_track", "deterioration", "review_overdue", "past_planned_end", "no_measure"):
        assert names(ws.progress[key]) == [mine], key
    by_tier = {row.tier: row for row in ws.risk}
    assert by_tier["T2"].total == 1 and by_tier["T2"].overdue == 1  # 2 days > the 4-hour window
    assert by_tier["T1"].total == 1 and by_tier["T1"].overdue == 0
    assert by_tier["T3"].total == 0  # team B's alert is not here
    assert [n for _, n in by_tier["T2"].by_age] == [0, 1, 0]
    assert [a.client_id for a in ws.overdue_alerts] == [clinic.client.pk]
    rows = {r.clinician.pk: r for r in ws.clinicians}
    assert rows[clinic.clinician.pk].caseload == 1
    assert sum(rows[clinic.clinician.pk].phases.values()) == 1
    assert clinic.other_clinician.pk not in rows
    assert rows[clinic.clinician.pk].figures.courses == 1  # team B's course is not counted


def test_no_parameter_reaches_another_teams_workspace(clinic, as_user):
    troubled_course(clinic.client)
    assert scope.team_ids(clinic.other_supervisor, str(clinic.team_a.pk)) == []
    assert scope.team_ids(clinic.other_supervisor, "x") == []
    page = as_user(clinic.other_supervisor).get(f"/supervision/?team={clinic.team_a.pk}")
    assert page.status_code == 200
    assert "Cai" not in page.content.decode()
    own = as_user(clinic.supervisor).get(f"/supervision/?team={clinic.team_a.pk}")
    assert "Cai" in own.content.decode()


def test_an_on_track_course_is_not_flagged(clinic):
    troubled_course(clinic.client, sessions=2, scores=((1, 18), (2, 9)))
    ws = workspace.build(clinic.supervisor, scope.team_ids(clinic.supervisor))
    assert all(flagged.count == 0 for flagged in ws.progress.values())


def test_the_workspace_query_count_does_not_grow_with_clients(clinic):
    troubled_course(clinic.client)
    with CaptureQueriesContext(connection) as one:
        workspace.build(clinic.supervisor, scope.team_ids(clinic.supervisor))
    for i in range(6):
        extra = Client.objects.create(
            organisation=clinic.org,
            team=clinic.team_a,
            responsible_clinician=clinic.co_clinician if i % 2 else clinic.clinician,
            full_name=f"Extra {i}",
            date_of_birth=date(1990, 1, 1),
            country="GB",
        )
        troubled_course(extra)
        RiskAlert.objects.create(client=extra, tier="T2", risk_level="moderate")
    with CaptureQueriesContext(connection) as seven:
        ws = workspace.build(clinic.supervisor, scope.team_ids(clinic.supervisor))
    assert ws.progress["not_on_track"].count == 7
    assert len(seven) == len(one)


def review_data(clinic, **extra) -> reviews.NewReview:
    data = {
        "held_on": date(2026, 3, 2),
        "client": clinic.client.pk,
        "clinician": None,
        "discussion": "Stuck in the initial phase.",
        "actions": [reviews.ActionItem("Finish the inventory", timezone.localdate() + timedelta(days=2))],
    }
    data.update(extra)
    return reviews.NewReview(**data)


def test_a_case_review_tells_the_clinician_and_its_actions_show_on_their_caseload(clinic, as_user):
    review = reviews.create(request_as(clinic.supervisor), review_data(clinic))
    assert review.team == clinic.team_a and review.clinician == clinic.clinician
    assert Notification.objects.filter(recipient=clinic.clinician, client=clinic.client).exists()
    assert AuditEvent.objects.filter(
        action="create", object_type="CaseReview", client_id=clinic.client.pk
    ).exists()
    assert [a.text for a in reviews.actions_due(clinic.clinician)] == ["Finish the inventory"]
    page = as_user(clinic.clinician).get("/caseload/").content.decode()
    assert "Supervision actions due" in page and "Finish the inventory" in page
    # The co-clinician reads neither the review nor its actions.
    assert reviews.actions_due(clinic.co_clinician) == []
    assert as_user(clinic.co_clinician).get(f"/supervision/reviews/{review.pk}/").status_code == 404


def test_a_review_needs_a_client_or_a_clinician_and_a_due_date_per_action(clinic):
    with pytest.raises(InvalidInput) as refused:
        reviews.create(
            request_as(clinic.supervisor),
            review_data(clinic, client=None, actions=[reviews.ActionItem("Finish the inventory", None)]),
        )
    assert set(refused.value.errors) == {"client", "actions.1.due_on"}
    # Another team's client is not a choice.
    with pytest.raises(InvalidInput):
        reviews.create(request_as(clinic.other_supervisor), review_data(clinic))
    assert CaseReview.objects.count() == 0 and AgreedAction.objects.count() == 0


def test_a_review_of_a_clinicians_caseload(clinic):
    review = reviews.create(
        request_as(clinic.supervisor), review_data(clinic, client=None, clinician=clinic.co_clinician.pk)
    )
    assert review.client is None and review.clinician == clinic.co_clinician and review.team == clinic.team_a


def test_concurrent_edits_of_a_review_conflict(clinic, as_user):
    review = reviews.create(request_as(clinic.supervisor), review_data(clinic))
    edit = {"held_on": "2026-03-02", "discussion": "First"}
    reviews.update(request_as(clinic.supervisor), review.pk, reviews.ReviewText(date(2026, 3, 2), "First"), 1)
    with pytest.raises(EditConflict):
        reviews.update(
            request_as(clinic.supervisor), review.pk, reviews.ReviewText(date(2026, 3, 2), "Second"), 1
        )
    assert CaseReview.objects.get(pk=review.pk).discussion == "First"
    page = as_user(clinic.supervisor).post(f"/supervision/reviews/{review.pk}/", {**edit, "version": "1"})
    assert page.status_code == 200 and "Someone else saved this review" in page.content.decode()
    # The clinician reads it but cannot change it.
    assert (
        as_user(clinic.clinician)
        .post(f"/supervision/reviews/{review.pk}/", {**edit, "version": "2"})
        .status_code
        == 404
    )


def test_the_clinician_marks_an_action_done(clinic):
    review = reviews.create(request_as(clinic.supervisor), review_data(clinic))
    action = review.actions.get()
    reviews.set_done(request_as(clinic.clinician), action.pk, True, 1)
    assert AgreedAction.objects.get(pk=action.pk).done_on == timezone.localdate()
    assert reviews.actions_due(clinic.clinician) == []
    with pytest.raises(EditConflict):
        reviews.set_done(request_as(clinic.supervisor), action.pk, False, 1)


def transfer_data(clinic, to, team=None, reason="Clinician on long leave") -> service.Transfer:
    return service.Transfer(to_clinician=to.pk, to_team=(team or clinic.team_a).pk, reason=reason)


def test_a_transfer_moves_the_client_audits_and_tells_both_clinicians_and_the_supervisors(clinic):
    request = request_as(clinic.administrator)
    moved = service.transfer(request, clinic.client.pk, transfer_data(clinic, clinic.co_clinician), version=1)
    client = Client.objects.get(pk=clinic.client.pk)
    assert client.responsible_clinician == clinic.co_clinician and client.version == 2
    assert not client.co_clinicians.filter(pk=clinic.co_clinician.pk).exists()
    assert moved.reason == "Clinician on long leave" and moved.from_clinician == clinic.clinician
    told = set(Notification.objects.filter(client=client).values_list("recipient", flat=True))
    assert told == {clinic.clinician.pk, clinic.co_clinician.pk, clinic.supervisor.pk}
    assert AuditEvent.objects.filter(action="update", client_id=client.pk, object_type="Client").exists()


def test_a_transfer_into_another_team_tells_that_teams_supervisor_too(clinic):
    service.transfer(
        request_as(clinic.administrator),
        clinic.client.pk,
        transfer_data(clinic, clinic.other_clinician, clinic.team_b),
        version=1,
    )
    client = Client.objects.get(pk=clinic.client.pk)
    assert client.team == clinic.team_b
    told = set(Notification.objects.filter(client=client).values_list("recipient", flat=True))
    assert {clinic.supervisor.pk, clinic.other_supervisor.pk} <= told
    # The old team's supervisor no longer sees the client; the new one does.
    assert not Client.objects.visible_to(clinic.supervisor).filter(pk=client.pk).exists()
    assert Client.objects.visible_to(clinic.other_supervisor).filter(pk=client.pk).exists()


@pytest.mark.parametrize("problem", ["inactive", "not_member", "supervisor", "no_reason", "stale"])
def test_a_transfer_never_leaves_a_client_with_nobody_responsible(clinic, problem):
    to, team, reason, version = clinic.co_clinician, clinic.team_a, "Leave", 1
    if problem == "inactive":
        User.objects.filter(pk=to.pk).update(is_active=False)
    elif problem == "not_member":
        team = clinic.team_b
    elif problem == "supervisor":
        to = clinic.supervisor
    elif problem == "no_reason":
        reason = ""
    else:
        Client.objects.filter(pk=clinic.client.pk).update(version=2)
    with pytest.raises((InvalidInput, EditConflict)):
        service.transfer(
            request_as(clinic.administrator),
            clinic.client.pk,
            transfer_data(clinic, to, team, reason),
            version,
        )
    client = Client.objects.get(pk=clinic.client.pk)
    assert client.responsible_clinician == clinic.clinician and client.team == clinic.team_a
    assert not ClientTransfer.objects.exists() and not Notification.objects.exists()


def test_deactivating_a_clinician_who_holds_clients_asks_where_the_caseload_goes(clinic, as_user):
    admin = as_user(clinic.administrator)
    answer = admin.post(f"/administration/accounts/{clinic.clinician.pk}/deactivate/")
    assert answer["Location"] == f"/administration/accounts/{clinic.clinician.pk}/hand-over/"
    assert User.objects.get(pk=clinic.clinician.pk).is_active
    from rapport.accounts import services as accounts

    with pytest.raises(InvalidInput):
        accounts.deactivate(request_as(clinic.administrator), clinic.clinician.pk)
    page = admin.get(answer["Location"])
    assert "responsible for 1 client" in page.content.decode()
    done = admin.post(
        answer["Location"], {"to_clinician": str(clinic.co_clinician.pk), "reason": "Left the service"}
    )
    assert done.status_code == 302
    assert not User.objects.get(pk=clinic.clinician.pk).is_active
    assert Client.objects.get(pk=clinic.client.pk).responsible_clinician == clinic.co_clinician


def test_a_hand_over_to_someone_who_cannot_take_it_changes_nothing(clinic):
    with pytest.raises(InvalidInput):
        service.hand_over_and_deactivate(
            request_as(clinic.administrator),
            clinic.clinician.pk,
            service.Handover(to_clinician=clinic.clinician.pk, reason="x"),
        )
    assert User.objects.get(pk=clinic.clinician.pk).is_active
    assert Client.objects.get(pk=clinic.client.pk).responsible_clinician == clinic.clinician


def test_teams_and_sites_are_created_renamed_and_staffed(clinic):
    request = request_as(clinic.administrator)
    team = service.save_team(
        request, service.TeamDetails("Team C", [clinic.supervisor.pk], [clinic.other_clinician.pk])
    )
    assert list(team.supervisors.all()) == [clinic.supervisor]
    assert clinic.team_b.pk not in scope.team_ids(clinic.supervisor)
    assert team.pk in scope.team_ids(clinic.supervisor)
    service.save_team(request, service.TeamDetails("Team Sea"), team.pk)
    assert Team.objects.get(pk=team.pk).name == "Team Sea"
    with pytest.raises(InvalidInput) as taken:
        service.save_team(request, service.TeamDetails("Team A"))
    assert "name" in taken.value.errors
    site = service.save_site(request, service.SiteDetails("North", [clinic.team_a.pk]))
    service.save_site(request, service.SiteDetails("North clinic"), site.pk)
    assert Site.objects.get(pk=site.pk).name == "North clinic"
    assert AuditEvent.objects.filter(object_type__in=["Team", "Site"]).count() == 4


def test_a_member_who_holds_the_teams_clients_stays_until_they_are_moved(clinic):
    with pytest.raises(InvalidInput) as refused:
        service.save_team(
            request_as(clinic.administrator),
            service.TeamDetails("Team A", [clinic.supervisor.pk], [clinic.co_clinician.pk]),
            clinic.team_a.pk,
        )
    assert "members" in refused.value.errors
    assert clinic.team_a.members.filter(pk=clinic.clinician.pk).exists()


def test_supervisors_land_on_the_workspace(clinic, as_user):
    assert as_user(clinic.supervisor).get("/")["Location"] == "/supervision/"
    assert as_user(clinic.clinician).get("/")["Location"] == "/caseload/"
    assert clinic.supervisor.role == Role.SUPERVISOR


def test_the_programme_lead_finds_the_workspace_in_the_menu(clinic, as_user):
    lead = as_user(clinic.programme_lead)
    assert lead.get("/")["Location"] == "/programme/"
    page = lead.get("/programme/")
    assert [label for _, label, _ in page.context["nav"]] == ["Programme outcomes", "Workspace"]
    menu = page.content.decode().split('aria-label="Main"')[1].split("</nav>")[0]
    assert 'href="/supervision/"' in menu and 'aria-current="page"' in menu
    # On the workspace the same link is the current page.
    current = [label for _, label, on in lead.get("/supervision/").context["nav"] if on]
    assert current == ["Workspace"]


def more_clients_of(clinician, team, *names):
    return [
        Client.objects.create(
            organisation=team.organisation,
            team=team,
            responsible_clinician=clinician,
            full_name=name,
            date_of_birth=date(1990, 1, 1),
            country="GB",
        )
        for name in names
    ]


def test_a_hand_over_sends_each_client_where_the_administrator_chose(clinic):
    dana, eli = more_clients_of(clinic.clinician, clinic.team_a, "Dana Example", "Eli Example")
    handover = service.Handover(
        to_clinician=clinic.co_clinician.pk,
        reason="Left the service",
        clients={dana.pk: clinic.other_clinician.pk},
    )
    leaving, moved = service.hand_over_and_deactivate(
        request_as(clinic.administrator), clinic.clinician.pk, handover
    )
    assert moved == 3 and not User.objects.get(pk=leaving.pk).is_active
    now = {
        c.pk: (c.responsible_clinician, c.team)
        for c in Client.objects.filter(pk__in=[clinic.client.pk, dana.pk, eli.pk])
    }
    assert now[clinic.client.pk] == (clinic.co_clinician, clinic.team_a)
    assert now[eli.pk] == (clinic.co_clinician, clinic.team_a)
    # Otto belongs to team B only: Dana moves into his team, and its supervisor is told too.
    assert now[dana.pk] == (clinic.other_clinician, clinic.team_b)
    transfers = ClientTransfer.objects.all()
    assert {t.client_id for t in transfers} == {clinic.client.pk, dana.pk, eli.pk}
    assert {t.reason for t in transfers} == {"Left the service"}
    assert {t.from_clinician_id for t in transfers} == {clinic.clinician.pk}
    told_of_dana = set(Notification.objects.filter(client=dana).values_list("recipient", flat=True))
    assert told_of_dana == {
        clinic.clinician.pk,
        clinic.other_clinician.pk,
        clinic.supervisor.pk,
        clinic.other_supervisor.pk,
    }
    told_of_eli = set(Notification.objects.filter(client=eli).values_list("recipient", flat=True))
    assert told_of_eli == {clinic.clinician.pk, clinic.co_clinician.pk, clinic.supervisor.pk}
    moves = AuditEvent.objects.filter(action="update", object_type="Client")
    assert sorted(moves.values_list("client_id", flat=True)) == sorted([clinic.client.pk, dana.pk, eli.pk])


def test_a_hand_over_with_no_clinician_for_some_client_moves_nobody(clinic):
    (dana,) = more_clients_of(clinic.clinician, clinic.team_a, "Dana Example")
    handover = service.Handover(None, "Left the service", {dana.pk: clinic.co_clinician.pk})
    with pytest.raises(InvalidInput) as refused:
        service.hand_over_and_deactivate(request_as(clinic.administrator), clinic.clinician.pk, handover)
    assert list(refused.value.errors) == ["to_clinician"]
    assert User.objects.get(pk=clinic.clinician.pk).is_active
    assert set(Client.objects.values_list("responsible_clinician", flat=True)) == {
        clinic.clinician.pk,
        clinic.other_clinician.pk,
    }
    assert not ClientTransfer.objects.exists() and not Notification.objects.exists()
    # Each client chosen one by one needs no clinician for every client.
    everyone = service.Handover(
        None, "Left the service", {dana.pk: clinic.co_clinician.pk, clinic.client.pk: clinic.co_clinician.pk}
    )
    service.hand_over_and_deactivate(request_as(clinic.administrator), clinic.clinician.pk, everyone)
    assert not Client.objects.filter(responsible_clinician=clinic.clinician).exists()


def test_the_hand_over_page_takes_a_choice_per_client(clinic, as_user):
    (dana,) = more_clients_of(clinic.clinician, clinic.team_a, "Dana Example")
    admin = as_user(clinic.administrator)
    url = f"/administration/accounts/{clinic.clinician.pk}/hand-over/"
    page = admin.get(url).content.decode()
    assert f'name="client_{dana.pk}"' in page and f'name="client_{clinic.client.pk}"' in page
    refused = admin.post(url, {f"client_{dana.pk}": str(clinic.other_clinician.pk), "reason": "Leaving"})
    assert refused.status_code == 200
    assert refused.context["form"].errors == {
        "to_clinician": ["Choose who takes over: one clinician for every client, or one for each."]
    }
    done = admin.post(
        url,
        {
            "to_clinician": str(clinic.co_clinician.pk),
            f"client_{dana.pk}": str(clinic.other_clinician.pk),
            "reason": "Leaving",
        },
    )
    assert done.status_code == 302
    assert Client.objects.get(pk=dana.pk).responsible_clinician == clinic.other_clinician
    assert Client.objects.get(pk=clinic.client.pk).responsible_clinician == clinic.co_clinician
