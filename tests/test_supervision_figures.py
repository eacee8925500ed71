"""Per-clinician fidelity and outcome figures on the supervisor's workspace (issue 12)."""

from urllib.parse import parse_qs, urlparse

import pytest

from rapport.supervision import figures, scope, workspace
from tests.test_supervision import troubled_course

pytestmark = pytest.mark.django_db


def test_each_clinician_gets_the_programmes_figures_over_the_teams_in_view(clinic):
    troubled_course(clinic.client)
    troubled_course(clinic.client)
    troubled_course(clinic.other_client)  # team B: not this supervisor's
    ids = scope.team_ids(clinic.supervisor)
    ws = workspace.build(clinic.supervisor, ids)
    rows = {r.clinician.pk: r for r in ws.clinicians}
    mine = rows[clinic.clinician.pk].figures
    assert mine.courses == 2
    assert [f.key for f in mine.outcomes] == [key for key, _ in figures.OUTCOME_FIGURES]
    finished = mine.outcomes[0]
    assert (finished.n, finished.of) == (0, None)  # both still open
    assert len(mine.fidelity) == 9 and all(f.of is not None for f in mine.fidelity)
    assert clinic.other_clinician.pk not in rows


def test_a_figure_links_to_the_programmes_course_list_with_the_same_filter(clinic, as_user):
    troubled_course(clinic.client)
    team = clinic.team_a.pk
    found = figures.clinician_figures(clinic.supervisor, [team], [clinic.clinician.pk])
    recovery = next(f for f in found[clinic.clinician.pk].outcomes if f.key == "recovery")
    url = urlparse(recovery.href)
    assert url.path == "/programme/courses/"
    assert parse_qs(url.query) == {
        "team": [str(team)],
        "clinician": [str(clinic.clinician.pk)],
        "figure": ["recovery"],
    }
    everything = found[clinic.clinician.pk].fidelity[0].href
    listed = as_user(clinic.supervisor).get(everything)
    assert listed.status_code == 200 and clinic.client.full_name in listed.content.decode()


def test_figures_never_count_courses_outside_the_given_teams(clinic):
    troubled_course(clinic.other_client)
    found = figures.clinician_figures(clinic.supervisor, [clinic.team_b.pk], [clinic.other_clinician.pk])
    assert found == {}  # the supervisor cannot see team B's clients, whatever ids are passed


def test_the_workspace_page_shows_the_figures(clinic, as_user):
    troubled_course(clinic.client)
    page = as_user(clinic.supervisor).get("/supervision/").content.decode()
    assert "Reliable improvement" in page and "/programme/courses/?team=" in page
    assert "Not yet available" not in page


# The programme lead: every team's counts and figures, no client named or linked unless they are
# also a supervisor of that client's team.


def test_the_lead_sees_every_teams_counts_but_no_names(clinic, as_user):
    from rapport.clinic.models import RiskAlert

    troubled_course(clinic.client)
    troubled_course(clinic.other_client)
    from datetime import timedelta

    from django.utils import timezone

    RiskAlert.objects.create(
        client=clinic.client, tier="T2", risk_level="moderate", created_at=timezone.now() - timedelta(days=2)
    )
    lead = clinic.programme_lead
    ids = scope.team_ids(lead)
    assert sorted(ids) == sorted([clinic.team_a.pk, clinic.team_b.pk])
    ws = workspace.build(lead, ids)
    assert ws.progress["not_on_track"].count == 2 and ws.progress["not_on_track"].clients == []
    assert ws.overdue_alerts == [] and not ws.names_clients
    assert {r.tier: r.total for r in ws.risk}["T2"] == 1
    rows = {r.clinician.pk: r for r in ws.clinicians}
    assert (
        rows[clinic.clinician.pk].figures.courses == 1
        and rows[clinic.other_clinician.pk].figures.courses == 1
    )
    assert all(f.href == "" for f in rows[clinic.clinician.pk].figures.outcomes)  # no course list for a lead
    page = as_user(lead).get("/supervision/").content.decode()
    for name in (clinic.client.full_name, clinic.other_client.full_name):
        assert name not in page
    assert f"/clients/{clinic.client.pk}/" not in page and "/supervision/reviews/new/" not in page
    assert as_user(lead).get("/supervision/reviews/new/").status_code == 403


def test_a_lead_who_supervises_a_team_is_named_its_clients_only(clinic, as_user):
    troubled_course(clinic.client)
    troubled_course(clinic.other_client)
    lead = clinic.programme_lead
    clinic.team_b.supervisors.add(lead)
    ws = workspace.build(lead, scope.team_ids(lead))
    shown = [name for _, name, _ in ws.progress["not_on_track"].clients]
    assert ws.progress["not_on_track"].count == 2 and shown == [clinic.other_client.display_name]
    assert [t.pk for t in scope.supervised_teams(lead)] == [clinic.team_b.pk]
    assert as_user(lead).get("/supervision/reviews/new/").status_code == 200


def test_a_supervisor_still_sees_only_their_own_teams(clinic):
    assert scope.team_ids(clinic.supervisor) == [clinic.team_a.pk]
    assert scope.team_ids(clinic.supervisor, str(clinic.team_b.pk)) == []
