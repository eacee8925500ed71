"""The running totals (rapport.programme.totals) give a programme lead exactly the figures that
summing every course summary gives, stay equal to a rebuild from the summaries after each kind of
change, and are what the organisation-wide pages read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.clinic.models import Client, Course
from rapport.programme import figures, totals
from rapport.programme.models import ClinicianTotals, MonthTotals
from rapport.programme.scope import Slice, month_totals_for, totals_for, visible_courses
from tests import programme_fixture
from tests.workspace_fixture import varied

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses(clinic):
    built = programme_fixture.build(clinic)
    varied(clinic, 30, seed=4)
    return built


def same_figures(clinic, chosen: Slice) -> None:
    lead = clinic.programme_lead
    rows = totals_for(lead, chosen)
    assert rows is not None
    courses = chosen.apply(visible_courses(lead))
    assert figures.outcomes(rows) == figures.outcomes(courses)
    assert figures.fidelity(rows) == figures.fidelity(courses)
    assert figures.outcomes_by_clinician(rows) == figures.outcomes_by_clinician(courses)
    assert figures.fidelity_by_clinician(rows) == figures.fidelity_by_clinician(courses)


def test_the_totals_give_what_the_summaries_give(clinic, courses):
    assert figures.outcomes(totals_for(clinic.programme_lead, Slice())).referrals > 60
    for chosen in (
        Slice(),
        Slice(team=clinic.team_a.pk),
        Slice(team=clinic.team_b.pk),
        Slice(clinician=clinic.co_clinician.pk),
        Slice(team=clinic.team_b.pk, clinician=clinic.clinician.pk),  # nobody: zeros on both sides
    ):
        same_figures(clinic, chosen)
    months = figures.monthly(month_totals_for(clinic.programme_lead, Slice()))
    assert len(months) > 3
    assert months == figures.monthly(visible_courses(clinic.programme_lead))


def test_only_a_programme_leads_whole_organisation_reads_the_totals(clinic):
    assert totals_for(clinic.supervisor, Slice()) is None  # their courses are the visible clients'
    assert totals_for(clinic.clinician, Slice()) is None
    assert totals_for(clinic.programme_lead, Slice(variant="ipt_a")) is None  # not kept by variant
    assert totals_for(clinic.programme_lead, Slice(referred_from=timezone.localdate())) is None
    assert month_totals_for(clinic.programme_lead, Slice(team=clinic.team_a.pk)) is None
    clinic.programme_lead.is_active = False
    assert totals_for(clinic.programme_lead, Slice()) is None


def snapshot() -> tuple[dict, dict]:
    by_clinician = {
        (row.pop("organisation_id"), row.pop("team_id"), row.pop("clinician_id")): row
        for row in ClinicianTotals.objects.values(
            *totals.COLUMNS, "organisation_id", "team_id", "clinician_id"
        )
        if row["referrals"]
    }
    by_month = {
        (row.pop("organisation_id"), row.pop("month")): row
        for row in MonthTotals.objects.values(*totals.COLUMNS, "organisation_id", "month")
        if row["referrals"]
    }
    return by_clinician, by_month


def assert_as_rebuilt() -> None:
    kept = snapshot()
    totals.rebuild()
    assert kept == snapshot()


def test_the_totals_follow_each_change_as_a_rebuild_would_find_them(clinic, courses):
    assert_as_rebuilt()
    # A transfer to another team and clinician moves the client's courses between groups.
    moved = Client.objects.filter(team=clinic.team_a).exclude(pk=clinic.client.pk).first()
    moved.team, moved.responsible_clinician = clinic.team_b, clinic.other_clinician
    moved.save()
    assert_as_rebuilt()
    # A course entered in error counts nowhere; an ended course moves into its month.
    course = courses[8]
    course.entered_in_error_at = timezone.now()
    course.save()
    assert_as_rebuilt()
    ongoing = Course.objects.filter(client__team=clinic.team_a, status="active").first()
    ongoing.status, ongoing.ended_on, ongoing.ending_reason = "ended", timezone.localdate(), "completed"
    ongoing.save()
    assert_as_rebuilt()
    # A client entered in error takes all their courses out.
    clinic.other_client.entered_in_error_at = timezone.now()
    clinic.other_client.save()
    assert_as_rebuilt()
    assert figures.outcomes(totals_for(clinic.programme_lead, Slice(team=clinic.team_b.pk))).referrals == (
        Course.objects.filter(
            client__team=clinic.team_b,
            client__entered_in_error_at__isnull=True,
            entered_in_error_at__isnull=True,
        ).count()
    )


def test_the_lead_pages_read_the_totals_not_every_course(clinic, courses, as_user):
    browser = as_user(clinic.programme_lead)
    for url in ("/programme/", "/api/v1/programme/outcomes", "/api/v1/programme/fidelity", "/supervision/"):
        with CaptureQueriesContext(connection) as captured:
            assert browser.get(url).status_code == 200
        sql = [q["sql"] for q in captured]
        assert any("programme_cliniciantotals" in q for q in sql), url
        if url != "/supervision/":  # (whose progress counts read the open courses' summaries)
            assert not [q for q in sql if "FILTER" in q and "programme_coursesummary" in q], url


def test_the_page_charts_the_first_clinicians_by_name_and_counts_the_rest(
    clinic, courses, as_user, monkeypatch
):
    from rapport.staff import programme as page

    monkeypatch.setattr(page, "CLINICIAN_LIMIT", 2)
    answer = as_user(clinic.programme_lead).get("/programme/")
    assert answer.context["more_clinicians"] == 1
    everyone = figures.clinicians(visible_courses(clinic.programme_lead))
    assert [pk for pk, _, _ in answer.context["by_clinician"]] == [pk for pk, _ in everyone[:2]]
    assert "And 1 more clinician: choose a team or a clinician above" in answer.content.decode()


def test_a_purge_takes_the_clients_courses_out_of_the_totals(clinic, courses, as_user):
    from datetime import timedelta

    from rapport.retention import service
    from rapport.retention.models import AccountClosure
    from tests.test_retention import close

    before = figures.outcomes(totals_for(clinic.programme_lead, Slice())).referrals
    mine = Course.objects.filter(client=clinic.client, entered_in_error_at__isnull=True).count()
    close(as_user, clinic)
    closure = AccountClosure.objects.get()
    assert service.purge(closure, service.due_of(closure) + timedelta(days=1))
    assert not Client.objects.filter(pk=clinic.client.pk).exists()
    assert figures.outcomes(totals_for(clinic.programme_lead, Slice())).referrals == before - mine
    assert_as_rebuilt()
