"""The client page leads with the clinical picture (issue 11): one status from the current course,
the course's not-on-track flag with its reason, recovery where the rules enable it, the mid-course
review as a task and an overdue flag, PHQ-9 first and the C-SSRS by risk level."""

import csv
import io
from datetime import date, timedelta

from django.utils import timezone

from rapport.clinic.models import Client, Course, Response, Session


def a_client(clinic, name="Rhiannon Test-Picture", *, status="active", planned=16):
    client = Client.objects.create(
        organisation=clinic.org,
        team=clinic.team_a,
        responsible_clinician=clinic.clinician,
        full_name=name,
        date_of_birth=date(1988, 5, 4),
        country="GB",
    )
    course = Course.objects.create(client=client, status=status, planned_sessions=planned)
    return client, course


def held(course, *numbers, tasks=()):
    for n in numbers:
        Session.objects.create(
            course=course,
            number=n,
            date=timezone.localdate() - timedelta(weeks=20 - n),
            status="attended",
            tasks_done=list(tasks),
        )


def scores(clinic, client, course, instrument, *points, **extra):
    for session, total in points:
        Response.objects.create(
            client=client,
            course=course,
            session_number=session,
            instrument=instrument,
            instrument_version="1",
            answered_by=clinic.clinician,
            respondent="clinician",
            answered_at=timezone.now() - timedelta(weeks=20 - session),
            complete=True,
            total=total,
            band="",
            **extra,
        )


def recovered(clinic):
    client, course = a_client(clinic)
    held(course, *range(1, 13))
    scores(clinic, client, course, "phq9", (1, 18), (6, 11), (12, 4))
    scores(clinic, client, course, "gad7", (1, 12), (12, 5))
    return client, course


def page(browser, url):
    response = browser.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_client_whose_phq9_and_gad7_fell_below_caseness_shows_recovery_on_the_client_page(clinic, as_user):
    client, _ = recovered(clinic)
    html = page(as_user(clinic.clinician), f"/clients/{client.pk}/")
    assert "Recovery</span>" in html
    assert "Reliable recovery" in html


def test_recovery_shows_on_the_termination_page_and_the_course_summary(clinic, as_user):
    client, _ = recovered(clinic)
    browser = as_user(clinic.clinician)
    for url in (f"/clients/{client.pk}/course/termination/", f"/clients/{client.pk}/course/summary/"):
        assert "Reliable recovery" in page(browser, url), url


def test_a_client_still_above_caseness_is_not_shown_as_recovered(clinic, as_user):
    client, course = a_client(clinic)
    held(course, 1, 2, 3)
    scores(clinic, client, course, "phq9", (1, 18), (3, 12))
    scores(clinic, client, course, "gad7", (1, 12), (3, 9))
    html = page(as_user(clinic.clinician), f"/clients/{client.pk}/")
    assert "Not recovered yet" in html
    assert "Reliable recovery" not in html


def test_the_client_page_gives_one_not_on_track_flag_with_the_measure_and_session(clinic, as_user):
    client, course = a_client(clinic)
    held(course, *range(1, 8))
    scores(clinic, client, course, "phq9", (1, 15), (4, 14), (7, 12))
    scores(clinic, client, course, "gad7", (1, 12), (7, 6))
    html = page(as_user(clinic.clinician), f"/clients/{client.pk}/")
    assert html.count("Not on track") == 1
    assert "No reliable fall on PHQ-9 by session 6: 15 at the start, 12 at session 7." in html


def test_a_reliable_phq9_fall_is_on_track_however_little_the_gad7_moved(clinic, as_user):
    client, course = a_client(clinic)
    held(course, *range(1, 8))
    scores(clinic, client, course, "phq9", (1, 18), (7, 9))
    scores(clinic, client, course, "gad7", (1, 9), (7, 8))
    assert "Not on track" not in page(as_user(clinic.clinician), f"/clients/{client.pk}/")


def test_a_reliable_rise_flags_the_course_with_the_session_it_happened_at(clinic, as_user):
    client, course = a_client(clinic)
    held(course, 1, 2, 3)
    scores(clinic, client, course, "phq9", (1, 10), (2, 16), (3, 11))
    html = page(as_user(clinic.clinician), f"/clients/{client.pk}/")
    assert "PHQ-9 rose reliably from 10 to 16 at session 2." in html


def test_the_client_page_lists_phq9_first_and_gives_the_cssrs_risk_level_and_date(clinic, as_user):
    client, course = a_client(clinic)
    held(course, 1)
    scores(clinic, client, course, "cssrs_screen", (1, None), risk_level="moderate")
    scores(clinic, client, course, "gad7", (1, 9))
    scores(clinic, client, course, "phq9", (1, 14))
    html = page(as_user(clinic.clinician), f"/clients/{client.pk}/")
    assert (
        html.index('id="measure-phq9"')
        < html.index('id="measure-gad7"')
        < html.index('id="measure-cssrs_screen"')
    )
    assert "Moderate risk" in html
    assert "no total" not in html.lower()
    when = (timezone.now() - timedelta(weeks=19)).strftime("%-d %b %Y")
    assert f"Latest {when} · <strong>Moderate risk</strong>" in html


def test_the_mid_course_review_is_a_task_on_session_8_of_16_and_only_there(clinic, as_user):
    client, course = a_client(clinic)
    held(course, *range(1, 9))
    browser = as_user(clinic.clinician)
    eighth = course.sessions.get(number=8)
    seventh = course.sessions.get(number=7)
    assert 'value="mid_course_review"' in page(browser, f"/clients/{client.pk}/sessions/{eighth.pk}/")
    assert 'value="mid_course_review"' not in page(browser, f"/clients/{client.pk}/sessions/{seventh.pk}/")


def test_ticking_the_mid_course_review_records_it_and_clears_the_overdue_flag(clinic, as_user):
    client, course = a_client(clinic)
    held(course, *range(1, 9))
    browser = as_user(clinic.clinician)
    assert "Mid-course review overdue" in page(browser, "/caseload/")
    assert "Mid-course review overdue: planned at session 8." in page(browser, f"/clients/{client.pk}/")
    eighth = course.sessions.get(number=8)
    answer = browser.post(
        f"/clients/{client.pk}/sessions/{eighth.pk}/",
        {
            "version": eighth.version,
            "date": eighth.date.isoformat(),
            "status": "attended",
            "tasks_done": ["mid_course_review"],
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    eighth.refresh_from_db()
    assert eighth.tasks_done == ["mid_course_review"]
    assert "Mid-course review overdue" not in page(browser, "/caseload/")
    assert "Mid-course review overdue" not in page(browser, f"/clients/{client.pk}/")


def test_the_mid_course_review_of_a_twelve_session_contract_falls_at_session_6(clinic, as_user):
    client, course = a_client(clinic, planned=12)
    held(course, *range(1, 6))
    browser = as_user(clinic.clinician)
    assert "Mid-course review overdue" not in page(browser, "/caseload/")
    assert "Mid-course review at the next session (session 6)." in page(browser, f"/clients/{client.pk}/")
    held(course, 6)
    assert "Mid-course review overdue" in page(browser, "/caseload/")


def test_a_client_in_an_active_course_never_shows_referred_on_any_page_or_the_api(clinic, as_user):
    # The course was opened (status "referred" by default) and sessions were held without the
    # contract being edited: the client is in a course of IPT, whatever the stored columns say.
    client, course = a_client(clinic, status="referred")
    held(course, 1, 2)
    assert client.status == "referred"
    browser = as_user(clinic.clinician)
    summary = page(browser, f"/clients/{client.pk}/course/summary/")
    assert "<p>Active · started" in summary
    assert "Referred" not in summary
    for url in (f"/clients/{client.pk}/", "/caseload/"):
        html = page(browser, url)
        row = html if url != "/caseload/" else next(r for r in html.split("<tr") if client.full_name in r)
        assert "In a course of IPT" in row, url
        assert "Referred" not in row, url
    exported = csv.DictReader(io.StringIO(page(browser, "/caseload/export.csv")))
    assert {r["full_name"]: r["status"] for r in exported}[client.full_name] == "In a course of IPT"
    assert browser.get(f"/api/v1/clients/{client.pk}").json()["status"] == "active"
    listed = {c["id"]: c["status"] for c in browser.get("/api/v1/clients").json()}
    assert listed[client.pk] == "active"


def test_a_client_without_a_course_is_referred_and_an_ended_course_is_ended(clinic, as_user):
    browser = as_user(clinic.clinician)
    waiting = Client.objects.create(
        organisation=clinic.org,
        team=clinic.team_a,
        responsible_clinician=clinic.clinician,
        full_name="Waiting Test-Client",
        date_of_birth=date(1990, 1, 1),
        country="GB",
    )
    client, course = a_client(clinic, status="ended")
    held(course, 1, 2)
    assert browser.get(f"/api/v1/clients/{waiting.pk}").json()["status"] == "referred"
    assert browser.get(f"/api/v1/clients/{client.pk}").json()["status"] == "ended"
    assert "Course ended" in page(browser, f"/clients/{client.pk}/")


def test_the_session_page_gives_the_course_flag_with_its_reason(clinic, as_user):
    client, course = a_client(clinic)
    held(course, *range(1, 8))
    scores(clinic, client, course, "phq9", (1, 15), (7, 12))
    seventh = course.sessions.get(number=7)
    html = page(as_user(clinic.clinician), f"/clients/{client.pk}/sessions/{seventh.pk}/")
    assert "No reliable fall on PHQ-9 by session 6: 15 at the start, 12 at session 7." in html
