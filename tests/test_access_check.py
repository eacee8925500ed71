"""The single-client access check (`may_see`, `Client.objects.visible_one`) gives exactly the answer
of `Client.objects.visible_to`, the rule every list uses, for every persona and every kind of
client: own caseload, co-clinician, live and expired emergency access, supervised team, the
client's own record, entered in error, another organisation, an account switched off."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from rapport.accounts.models import Organisation, Role, Team, User
from rapport.clinic.models import BreakGlassGrant, Client
from rapport.clinic.models.clients import may_see
from tests.personas import PERSONAS


def _client(org, team, clinician, name: str) -> Client:
    return Client.objects.create(
        organisation=org,
        team=team,
        responsible_clinician=clinician,
        full_name=name,
        date_of_birth=date(1980, 1, 1),
        country="GB",
    )


@pytest.fixture
def every_kind(clinic) -> list[Client]:
    in_error = _client(clinic.org, clinic.team_a, clinic.clinician, "Entered In Error")
    Client.objects.filter(pk=in_error.pk).update(entered_in_error_at=timezone.now())
    glass_live = _client(clinic.org, clinic.team_b, clinic.other_clinician, "Open By Grant")
    glass_gone = _client(clinic.org, clinic.team_b, clinic.other_clinician, "Grant Expired")
    for client, expires in ((glass_live, timedelta(hours=1)), (glass_gone, -timedelta(minutes=1))):
        BreakGlassGrant.objects.create(
            client=client, clinician=clinic.clinician, reason="On call", expires_at=timezone.now() + expires
        )
    elsewhere = Organisation.objects.create(name="Elsewhere", time_zone="Europe/London")
    their_team = Team.objects.create(organisation=elsewhere, name="Theirs")
    their_clinician = User.objects.create_user(
        "theirs@test.rapport", "x" * 12, full_name="Theo", role=Role.CLINICIAN, organisation=elsewhere
    )
    abroad = _client(elsewhere, their_team, their_clinician, "Other Organisation")
    # A team-A client, of the team's supervisor, whose responsible clinician is someone else.
    team_a = _client(clinic.org, clinic.team_a, clinic.co_clinician, "Team A Second")
    return [clinic.client, clinic.other_client, in_error, glass_live, glass_gone, abroad, team_a]


def test_the_single_check_agrees_with_visible_to_for_every_persona_and_client(clinic, every_kind):
    clinic.programme_lead.supervised_teams.add(clinic.team_b)  # a lead named supervisor of one team
    people = [clinic.persona(p) or AnonymousUser() for p in PERSONAS]
    asked = seen = 0
    for user in people:
        for fresh in every_kind:
            client = Client.objects.get(pk=fresh.pk)
            expected = Client.objects.visible_to(user).filter(pk=client.pk).exists()
            assert may_see(user, client) is expected, (user, client.full_name)
            assert (Client.objects.visible_one(user, client.pk) is not None) is expected
            asked += 1
            seen += expected
    # The cases are not all "no": the clinician sees own, co and granted records, and so on.
    assert asked == len(people) * len(every_kind) and 8 <= seen < asked


def test_a_switched_off_account_sees_nothing_through_the_single_check(clinic):
    clinic.clinician.is_active = False
    assert not may_see(clinic.clinician, clinic.client)
    assert Client.objects.visible_one(clinic.clinician, clinic.client.pk) is None


def test_the_usual_answers_need_no_query_beyond_the_row(clinic, django_assert_num_queries):
    client = Client.objects.get(pk=clinic.client.pk)
    with django_assert_num_queries(0):
        assert may_see(clinic.clinician, client) and may_see(clinic.client_user, client)
    with django_assert_num_queries(1):
        assert may_see(clinic.supervisor, client)
