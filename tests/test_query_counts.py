"""Query-count guards for the pages and routes that `make bench` measures: each runs the same,
fixed number of SQL queries whether the caseload, the course or the history is small or large.

A change that adds a query per client, session or response fails here. When a page needs one more
query for a good reason, change its number below and say why in the commit."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.accounts.models import ApiToken
from rapport.clinic.models import Client, Course, Response, RiskAlert, Session

# Queries per request, signed in (session for pages, Bearer token for the API).
# A page read no longer saves the session each time (the savepoint, UPDATE and release it cost:
# #17 item 3), so both pages are 3 fewer than the 19 they were; and the two-factor device is
# looked up once a page, where the access check and the menu each asked (one fewer again).
CASELOAD = 14  # each client's next appointment (scheduling); the menu's unread-messages count;
# the supervision actions due to the clinician; the courses' sessions read once for how far each
# has come, its next date and its tasks (two queries before)
# The course's sessions, for where the course stands on the first screen; the next appointment;
# the menu's and the Messages button's unread counts.
CLIENT_PAGE = 15
# The token's owner is checked for a lockout (a paused account's tokens stop) in the token's own
# query, which asks whether any failed sign-in is on record (django-axes only then): was 6 and 5.
OUTCOMES = 5
ALERTS_API = 4
# The alerts page: its two lists (open and acknowledged; resolved in the last 30 days), each with
# the client, their clinician and whoever acknowledged, and the audit row.
ALERTS_PAGE = 8
# Scored, stored, audited, no alert: the token with its owner and whether any failed sign-in is on
# record (axes is asked only then), the client by its key (the access rule decided on the row), the
# current course, the response, the course's programme summary (the course with its formulation,
# plan, inventory count and organisation, its sessions, its scores, the old row out and the new one
# in; the running totals moved only when a figure moved), the audit row, and the savepoint pair of
# the service's transaction (a BEGIN and COMMIT when served). Issue #17 item 1: was 16.
RESPONSE_POST = 12
# The same, and the alert (with its savepoint pair), its audit row, the care team, one INSERT each
# for their notifications and e-mail records, an e-mail job per person and the escalation job. Was 28.
RESPONSE_POST_WITH_ALERT = 22

FREQ = ["not_at_all", "several_days", "more_than_half_the_days", "nearly_every_day"]


def history(clinic, client, sessions: int, *, alerts: bool = False) -> None:
    """A course with `sessions` weekly sessions held, a PHQ-9 at each, a GAD-7 every other one,
    and the next session booked."""
    course = Course.objects.create(client=client, status="active", planned_sessions=16)
    start = timezone.now() - timedelta(weeks=sessions)
    for n in range(1, sessions + 1):
        Session.objects.create(
            course=course, number=n, date=(start + timedelta(weeks=n - 1)).date(), status="attended"
        )
        for instrument in ("phq9", "gad7") if n % 2 else ("phq9",):
            response = Response.objects.create(
                client=client,
                course=course,
                session_number=n,
                instrument=instrument,
                instrument_version="1.0",
                answered_by=clinic.clinician,
                respondent="clinician",
                answered_at=start + timedelta(weeks=n - 1),
                complete=True,
                total=max(20 - n, 3),
                band="moderate",
            )
            if alerts and instrument == "phq9" and n % 3 == 0:
                RiskAlert.objects.create(client=client, response=response, tier="T1", risk_level="low")
    Session.objects.create(course=course, number=sessions + 1, date=timezone.localdate() + timedelta(days=2))


def more_clients(clinic, n: int, sessions: int) -> None:
    for i in range(n):
        client = Client.objects.create(
            organisation=clinic.org,
            team=clinic.team_a,
            responsible_clinician=clinic.clinician,
            full_name=f"Extra Client {i}",
            date_of_birth=datetime(1980, 1, 1, tzinfo=UTC).date(),
            country="GB",
        )
        history(clinic, client, sessions, alerts=True)


def queries(browser, method: str, url: str, **extra) -> int:
    with CaptureQueriesContext(connection) as captured:
        answer = getattr(browser, method)(url, **extra)
    assert answer.status_code in (200, 201), answer.content[:500]
    return len(captured)


@pytest.fixture
def token(clinic):
    secret = ApiToken.new_secret()
    ApiToken.objects.create(user=clinic.clinician, name="bench", digest=ApiToken.digest_of(secret))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def still():
    """Time stands still: a page read saves the session only when the activity it notes has moved
    by 30 s (accounts.middleware), so the counts below are of reads that write no session."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


def reader(as_user, user):
    browser = as_user(user)
    browser.get("/caseload/")  # the first read after signing in notes the activity in the session
    return browser


def test_the_caseload_runs_the_same_queries_for_one_client_or_forty(clinic, as_user, still):
    browser = reader(as_user, clinic.clinician)
    history(clinic, clinic.client, 2)
    few = queries(browser, "get", "/caseload/")
    more_clients(clinic, 39, sessions=8)
    many = queries(browser, "get", "/caseload/")
    assert (few, many) == (CASELOAD, CASELOAD)


def test_the_client_page_runs_the_same_queries_for_two_sessions_or_sixteen(clinic, as_user, still):
    browser = reader(as_user, clinic.clinician)
    history(clinic, clinic.client, 2)
    few = queries(browser, "get", f"/clients/{clinic.client.pk}/")
    Course.objects.filter(client=clinic.client).update(status="ended", ending_reason="completed")
    history(clinic, clinic.client, 16, alerts=True)
    more_clients(clinic, 5, sessions=4)
    many = queries(browser, "get", f"/clients/{clinic.client.pk}/")
    assert (few, many) == (CLIENT_PAGE, CLIENT_PAGE)


def test_the_alerts_page_runs_the_same_queries_for_one_alert_or_many_acknowledged(clinic, as_user, still):
    browser = reader(as_user, clinic.clinician)
    history(clinic, clinic.client, 3, alerts=True)
    few = queries(browser, "get", "/alerts/")
    more_clients(clinic, 6, sessions=9)
    RiskAlert.objects.filter(client__responsible_clinician=clinic.clinician).exclude(
        client=clinic.client
    ).update(status="acknowledged", acknowledged_by=clinic.co_clinician, acknowledged_at=timezone.now())
    many = queries(browser, "get", "/alerts/")
    assert RiskAlert.objects.filter(status="acknowledged").count() == 18
    assert (few, many) == (ALERTS_PAGE, ALERTS_PAGE)


def test_the_outcomes_route_runs_the_same_queries_for_two_sessions_or_sixteen(clinic, as_user, token):
    url = f"/api/v1/clients/{clinic.client.pk}/outcomes"
    history(clinic, clinic.client, 2)
    few = queries(as_user(None), "get", url, **token)
    Course.objects.filter(client=clinic.client).update(status="ended", ending_reason="completed")
    history(clinic, clinic.client, 16, alerts=True)
    more_clients(clinic, 5, sessions=4)
    many = queries(as_user(None), "get", url, **token)
    assert (few, many) == (OUTCOMES, OUTCOMES)


def test_the_alerts_route_runs_the_same_queries_for_one_alert_or_many(clinic, as_user, token):
    url = f"/api/v1/clients/{clinic.client.pk}/alerts"
    history(clinic, clinic.client, 3, alerts=True)
    few = queries(as_user(None), "get", url, **token)
    history(clinic, clinic.client, 16, alerts=True)
    more_clients(clinic, 5, sessions=4)
    many = queries(as_user(None), "get", url, **token)
    assert (few, many) == (ALERTS_API, ALERTS_API)


def post_phq9(browser, clinic, token, item9: int) -> int:
    answers = {f"item{i}": FREQ[1] for i in range(1, 9)} | {"item9": FREQ[item9]}
    return queries(
        browser,
        "post",
        f"/api/v1/clients/{clinic.client.pk}/responses",
        data={"instrument": "phq9", "answers": answers, "session_number": 3},
        content_type="application/json",
        **token,
    )


def test_recording_a_response_runs_the_same_queries_however_long_the_history(clinic, as_user, token):
    browser = as_user(None)
    history(clinic, clinic.client, 1)
    few = post_phq9(browser, clinic, token, item9=0)
    few_alert = post_phq9(browser, clinic, token, item9=1)
    history(clinic, clinic.client, 16, alerts=True)
    more_clients(clinic, 5, sessions=4)
    many = post_phq9(browser, clinic, token, item9=0)
    many_alert = post_phq9(browser, clinic, token, item9=1)
    assert (few, many) == (RESPONSE_POST, RESPONSE_POST)
    assert (few_alert, many_alert) == (RESPONSE_POST_WITH_ALERT, RESPONSE_POST_WITH_ALERT)
