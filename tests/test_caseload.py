"""The caseload: position in the course, latest PHQ-9, flags and next session, in a fixed number
of queries however many clients there are."""

from datetime import date, timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.clinic.models import Client, Course, Response, RiskAlert, Session


def a_client(clinic, name, phq9=(), sessions=0, alert=False):
    client = Client.objects.create(
        organisation=clinic.org,
        team=clinic.team_a,
        responsible_clinician=clinic.clinician,
        full_name=name,
        date_of_birth=date(1990, 1, 1),
        country="GB",
    )
    course = Course.objects.create(client=client, status="active", planned_sessions=16)
    for number in range(1, sessions + 1):
        Session.objects.create(course=course, number=number, date=date(2026, 1, number), status="attended")
    Session.objects.create(
        course=course, number=sessions + 1, date=timezone.localdate() + timedelta(days=3), status="scheduled"
    )
    for number, total in enumerate(phq9, start=1):
        response = Response.objects.create(
            client=client,
            course=course,
            session_number=number,
            instrument="phq9",
            instrument_version="1",
            answered_by=clinic.clinician,
            respondent="clinician",
            complete=True,
            total=total,
            band="moderate",
        )
        if alert and number == len(phq9):
            RiskAlert.objects.create(client=client, response=response, tier="T1", risk_level="low")
    return client


def queries_for_caseload(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/caseload/").status_code == 200
    return len(captured)


def test_the_caseload_runs_the_same_number_of_queries_for_two_clients_or_twenty(clinic, as_user):
    browser = as_user(clinic.clinician)
    # Time stands still after a first read: a read saves the session only when the activity it
    # notes has moved by 30 s (accounts.middleware), which would count as queries of its own.
    browser.get("/caseload/")
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(2):
            a_client(clinic, f"Few {n}", phq9=(15, 12), sessions=2)
        few = queries_for_caseload(browser)
        for n in range(18):
            a_client(clinic, f"Many {n}", phq9=(15, 12, 10), sessions=3, alert=n % 2 == 0)
        assert queries_for_caseload(browser) == few


def test_the_caseload_shows_position_latest_score_flags_and_next_session(clinic, as_user):
    a_client(clinic, "Stuck Steady", phq9=(16, 17, 16, 17, 16, 17), sessions=6, alert=True)
    page = as_user(clinic.clinician).get("/caseload/").content.decode()
    row = page[page.index("Stuck Steady") :]
    row = row[: row.index("</tr>")]
    assert "session 6 of 16 · middle" in row
    assert "17" in row and "1 open alert" in row and "Not on track" in row
    assert (timezone.localdate() + timedelta(days=3)).strftime("%-d %b") in row


def test_the_caseload_sorts_by_latest_phq9_highest_first(clinic, as_user):
    a_client(clinic, "Aaron Low", phq9=(4,), sessions=1)
    a_client(clinic, "Zed High", phq9=(22,), sessions=1)
    page = as_user(clinic.clinician).get("/caseload/?sort=phq9").content.decode()
    assert page.index("Zed High") < page.index("Aaron Low")
    by_name = as_user(clinic.clinician).get("/caseload/?sort=unknown").content.decode()
    assert by_name.index("Aaron Low") < by_name.index("Zed High")


def test_a_task_not_reviewed_at_the_next_session_is_flagged(clinic, as_user):
    client = a_client(clinic, "Tara Task", sessions=2)
    first, second = Session.objects.filter(course__client=client, status="attended").order_by("number")
    first.between_session_task = "Call Ana."
    first.save()
    row = lambda page: page[page.index("Tara Task") :][: page[page.index("Tara Task") :].index("</tr>")]  # noqa: E731
    assert "Task not reviewed" in row(as_user(clinic.clinician).get("/caseload/").content.decode())
    second.task_review = "She called."
    second.save()
    assert "Task not reviewed" not in row(as_user(clinic.clinician).get("/caseload/").content.decode())
