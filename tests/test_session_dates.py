"""Session dates stay near the course's start and in order, with a clear 422 (API) or form error
(page), and nothing is saved (issue 17: year 1, year 9999 and any order were accepted)."""

from datetime import date, timedelta

import pytest

from rapport.clinic.models import Course, Session


@pytest.fixture
def course(clinic):
    return Course.objects.create(client=clinic.client, started_on="2026-01-05", status="active")


def url(clinic, rest="sessions"):
    return f"/api/v1/clients/{clinic.client.pk}/{rest}"


def add(api, clinic, day):
    return api.post(url(clinic), {"date": day}, content_type="application/json")


def refused(response, words):
    assert response.status_code == 422, response.content[:300]
    assert any(words in message for message in response.json()["errors"]["date"]), response.json()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2023-01-01", "2028-06-01"])
def test_a_session_far_from_the_course_is_refused(day, clinic, course, as_user):
    refused(add(as_user(clinic.clinician), clinic, day), "within two years of the course's start")
    assert not Session.objects.exists()


def test_a_new_session_before_the_last_one_is_refused(clinic, course, as_user):
    api = as_user(clinic.clinician)
    assert add(api, clinic, "2026-01-19").status_code == 201
    refused(add(api, clinic, "2026-01-12"), "before the previous session's (2026-01-19)")
    assert add(api, clinic, "2026-01-19").status_code == 201  # the same day is in order
    assert Session.objects.count() == 2


def sessions(course, n):
    return [
        Session.objects.create(course=course, number=i, date=date(2026, 1, 5) + timedelta(weeks=i))
        for i in range(1, n + 1)
    ]


def note(session, day):
    return {
        "date": day,
        "status": "scheduled",
        "phase_override": "",
        "phase_override_reason": "",
        "tasks_done": [],
        "techniques": [],
        "step_notes": {},
        "problem_area_progress": None,
        "between_session_task": "",
        "note": "",
        "version": session.version,
    }


@pytest.mark.parametrize(
    ("day", "words"),
    [("2026-01-11", "before the previous session's"), ("2026-01-27", "after the next session's")],
)
def test_moving_a_session_past_its_neighbours_is_refused(day, words, clinic, course, as_user):
    _first, second, _third = sessions(course, 3)
    response = as_user(clinic.clinician).put(
        url(clinic, f"sessions/{second.pk}"), note(second, day), content_type="application/json"
    )
    refused(response, words)
    assert Session.objects.get(pk=second.pk).date == second.date


def test_the_session_page_says_why_a_date_is_refused(clinic, course, as_user):
    (_first,) = sessions(course, 1)
    page = as_user(clinic.clinician)
    response = page.post(f"/clients/{clinic.client.pk}/sessions/new/", {"date": "9999-01-01"}, follow=True)
    assert response.status_code == 200
    assert b"within two years of the course" in response.content
    assert Session.objects.count() == 1
