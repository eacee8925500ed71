"""The lists behind the programme's figures open the course behind the figure, not the client's
current course: a client with an ended course and a newer one is listed under "finished" by the
ended course, whose page shows that course, read-only, with a link to the current one."""

from datetime import date, timedelta

import pytest

from rapport.audit.models import Action, AuditEvent
from rapport.clinic.models import Course, Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_courses(clinic):
    """Cai's first course ended after four attended sessions in 2025; a second one is open."""
    first = Course.objects.create(
        client=clinic.client,
        status="ended",
        ending_reason="completed",
        started_on=date(2025, 1, 6),
        ended_on=date(2025, 2, 3),
        planned_sessions=12,
    )
    for n in range(1, 5):
        Session.objects.create(
            course=first, number=n, date=date(2025, 1, 6) + timedelta(weeks=n - 1), status="attended"
        )
    second = Course.objects.create(
        client=clinic.client, status="active", started_on=date(2026, 2, 2), planned_sessions=16
    )
    Session.objects.create(course=second, number=1, date=date(2026, 2, 2), status="attended")
    return first, second


def test_the_list_behind_a_figure_links_to_the_course_behind_it(clinic, two_courses, as_user):
    first, second = two_courses
    page = as_user(clinic.supervisor).get("/programme/courses/?figure=finished")
    html = page.content.decode()
    assert f'href="/clients/{clinic.client.pk}/courses/{first.pk}/"' in html
    assert f'href="/clients/{clinic.client.pk}/course/"' not in html
    everyone = as_user(clinic.supervisor).get("/programme/courses/?figure=referrals").content.decode()
    # The open course is listed too, by its own id, which opens the current course's page.
    assert f'href="/clients/{clinic.client.pk}/courses/{second.pk}/"' in everyone


def test_an_earlier_course_shows_itself_read_only_and_points_to_the_current_one(clinic, two_courses, as_user):
    first, _ = two_courses
    page = as_user(clinic.clinician).get(f"/clients/{clinic.client.pk}/courses/{first.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Earlier course of IPT, started 6 Jan 2025" in html
    assert "Go to the current course (started 2 Feb 2026)" in html
    assert page.context["course"] == first
    assert len(page.context["sessions"]) == 4
    # Nothing on it changes a course: no contract, no new session, no new course.
    for form_or_link in ("/course/contract/", "/sessions/new/", "/course/start/", "/inventory/"):
        assert form_or_link not in html
    assert AuditEvent.objects.filter(
        action=Action.READ, client_id=clinic.client.pk, object_type="Course", object_id=str(first.pk)
    ).exists()


def test_the_current_course_by_id_is_the_course_page(clinic, two_courses, as_user):
    _, second = two_courses
    answer = as_user(clinic.clinician).get(f"/clients/{clinic.client.pk}/courses/{second.pk}/")
    assert answer.status_code == 302 and answer["Location"] == f"/clients/{clinic.client.pk}/course/"


def test_a_course_of_another_client_is_not_found_under_this_one(clinic, two_courses, as_user):
    first, _ = two_courses
    theirs = Course.objects.create(client=clinic.other_client, started_on=date(2026, 1, 5))
    supervisor = as_user(clinic.supervisor)
    assert supervisor.get(f"/clients/{clinic.client.pk}/courses/{theirs.pk}/").status_code == 404
    assert supervisor.get(f"/clients/{clinic.client.pk}/courses/999999/").status_code == 404
    # Nor is Cai's earlier course reached through a client the viewer may not see.
    other = as_user(clinic.other_clinician)
    assert other.get(f"/clients/{clinic.client.pk}/courses/{first.pk}/").status_code == 404
    Course.objects.filter(pk=first.pk).update(entered_in_error_at="2026-03-01T10:00Z")
    assert supervisor.get(f"/clients/{clinic.client.pk}/courses/{first.pk}/").status_code == 404
