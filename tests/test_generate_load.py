"""The load generator: the organisation it makes, the same rows for the same seed, never in
production, never over existing data."""

import math
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count

from rapport.accounts.models import Organisation, Role, Team, User
from rapport.audit.models import AuditEvent
from rapport.clinic.models import Client, Course, InventoryEntry, Response, RiskAlert, Session, TimelineEvent
from rapport.core import instruments, scoring
from rapport.demo import load

DAY = date(2026, 3, 2)


class Rollback(Exception):
    pass


def snapshot() -> dict:
    return {
        "users": list(User.objects.order_by("pk").values_list("pk", "email", "full_name", "role")),
        "clients": list(
            Client.objects.order_by("pk").values_list("pk", "full_name", "status", "responsible_clinician_id")
        ),
        "courses": list(Course.objects.order_by("pk").values_list("pk", "client_id", "status", "started_on")),
        "sessions": list(
            Session.objects.order_by("pk").values_list("pk", "course_id", "number", "date", "status")
        ),
        "responses": list(
            Response.objects.order_by("pk").values_list("pk", "instrument", "answers", "total", "answered_at")
        ),
        "alerts": list(RiskAlert.objects.order_by("pk").values_list("pk", "response_id", "tier", "status")),
    }


@pytest.mark.django_db
def test_fifty_clients_make_an_organisation_of_clinicians_teams_and_supervisors():
    load.generate(50, seed=4, today=DAY)
    clinicians = User.objects.filter(role=Role.CLINICIAN)
    assert clinicians.count() == math.ceil(50 / load.CLIENTS_PER_CLINICIAN)
    assert Client.objects.count() == 50
    caseloads = clinicians.annotate(n=Count("responsible_for")).values_list("n", flat=True)
    assert max(caseloads) == load.CLIENTS_PER_CLINICIAN
    for team in Team.objects.all():
        assert team.supervisors.count() == 1
        assert team.members.filter(role=Role.CLINICIAN).exists()
    assert User.objects.filter(role=Role.ADMINISTRATOR).count() == 1
    for client in Client.objects.select_related("team"):
        assert client.team.members.filter(pk=client.responsible_clinician_id).exists()
        assert client.courses.exists()


@pytest.mark.django_db
def test_courses_reach_every_phase_with_weekly_phq9_and_fortnightly_gad7():
    load.generate(150, seed=4, today=DAY)
    assert set(Client.objects.values_list("status", flat=True)) == {
        "referred",
        "assessment",
        "active",
        "maintenance",
        "ended",
    }
    assert set(Course.objects.exclude(ending_reason="").values_list("ending_reason", flat=True)) >= {
        "completed",
        "dropped_out",
    }
    attended = Session.objects.filter(status="attended", course__variant="ipt_individual")
    for session in attended.select_related("course")[:200]:
        found = Response.objects.filter(course=session.course, session_number=session.number)
        expected = {"phq9", "gad7"} if session.number % 2 else {"phq9"}
        assert set(found.values_list("instrument", flat=True)) == expected
    # Every active course has its next session booked.
    for course in Course.objects.filter(status="active"):
        assert course.sessions.filter(status="scheduled", date__gt=DAY).exists()
    assert InventoryEntry.objects.exists() and TimelineEvent.objects.exists()


@pytest.mark.django_db
def test_every_score_is_the_real_scorers_and_every_risk_answer_has_its_alert():
    load.generate(80, seed=9, today=DAY)
    for response in Response.objects.all()[:300]:
        result = scoring.score(instruments.get(response.instrument), response.answers)
        assert (response.total, response.band, response.risk_level) == (
            result.total,
            result.band or "",
            result.risk_level,
        )
    risky = Response.objects.exclude(risk_level="none")
    assert risky.exists()
    assert set(RiskAlert.objects.values_list("response_id", flat=True)) == set(
        risky.values_list("pk", flat=True)
    )
    assert Response.objects.count() > 20 * RiskAlert.objects.count()  # a realistic minority


@pytest.mark.django_db
def test_generated_data_writes_no_audit_rows():
    load.generate(20, seed=1, today=DAY)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_rows_and_another_seed_does_not():
    def generated(seed):
        with pytest.raises(Rollback), transaction.atomic():
            load.generate(50, seed=seed, today=DAY)
            found = snapshot()
            raise Rollback
        return found

    first = generated(7)
    assert first == generated(7)
    assert first["clients"] != generated(8)["clients"]


@pytest.mark.django_db
def test_the_first_clients_are_the_same_in_a_larger_organisation():
    def clients(n):
        with pytest.raises(Rollback), transaction.atomic():
            load.generate(n, seed=2, today=DAY)
            found = list(
                Client.objects.order_by("pk").values_list("full_name", "status", "date_of_birth")[:40]
            )
            raise Rollback
        return found

    assert clients(40) == clients(90)


@pytest.mark.django_db
def test_the_generator_is_refused_under_the_production_profile(settings):
    settings.PRODUCTION = True
    with pytest.raises(load.RefusedInProduction):
        load.generate(5, seed=1)
    with pytest.raises(CommandError, match="production"):
        call_command("generate_load", "--clients", "5")
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_the_generator_refuses_a_database_that_holds_data(clinic):
    with pytest.raises(CommandError, match="empty database"):
        call_command("generate_load", "--clients", "5")
    assert Client.objects.count() == 2


@pytest.mark.django_db
def test_the_command_reports_what_it_wrote(capsys):
    call_command("generate_load", "--clients", "12", "--seed", "3", "--today", "2026-03-02")
    out = capsys.readouterr().out
    assert "clinic.Client" in out and "Generated 12 clients (seed 3)" in out
