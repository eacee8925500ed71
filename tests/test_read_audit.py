"""Reads in the audit trail: the domain's read functions write them, once per page or API call;
a page and its API twin write the same row; a view of part of a course is logged as that part;
the client's own portal pages are reads too; and the trail page names records in words."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone

from rapport.audit.models import RECORD_WORDS, Action, AuditEvent
from rapport.clinic.models import (
    CheckInDraft,
    CheckInSchedule,
    Course,
    Formulation,
    Goal,
    InventoryEntry,
    Session,
    SessionStatus,
    TimelineEvent,
)

SRC = Path(__file__).resolve().parents[1] / "src" / "rapport"


@pytest.fixture
def course(clinic):
    course = Course.objects.create(client=clinic.client, started_on="2026-01-05", status="active")
    clinic.session = Session.objects.create(
        course=course, number=1, date=timezone.localdate() - timedelta(days=3), status=SessionStatus.ATTENDED
    )
    Formulation.objects.create(course=course, primary_area="grief")
    InventoryEntry.objects.create(course=course, person_label="Anna", values={"closeness_ring": 1})
    TimelineEvent.objects.create(course=course, start=date(2025, 9, 14), event="A move", kind="move")
    return course


def one_row(response) -> AuditEvent:
    """The one audit row a request wrote (and there is no other)."""
    assert response.status_code == 200, response.content[:300]
    rows = list(AuditEvent.objects.filter(request_id=response["X-Request-ID"]))
    assert len(rows) == 1, [(r.action, r.object_type) for r in rows]
    return rows[0]


def shape(row: AuditEvent) -> tuple:
    return (row.action, row.client_id, row.object_type, row.object_id, row.detail)


TWINS = {
    "client": ("/clients/{pk}/", "/api/v1/clients/{pk}"),
    "course": ("/clients/{pk}/course/", "/api/v1/clients/{pk}/course"),
    "session": ("/clients/{pk}/sessions/{sid}/", "/api/v1/clients/{pk}/sessions/{sid}"),
    "formulation": ("/clients/{pk}/formulation/", "/api/v1/clients/{pk}/formulation"),
    "inventory": ("/clients/{pk}/inventory/", "/api/v1/clients/{pk}/inventory"),
    "timeline": ("/clients/{pk}/timeline/", "/api/v1/clients/{pk}/timeline"),
}


@pytest.mark.parametrize("name", TWINS)
def test_a_page_and_its_api_twin_each_write_one_read_row_naming_the_same_record(
    name, clinic, course, as_user
):
    http = as_user(clinic.clinician)
    page, api = (u.format(pk=clinic.client.pk, sid=clinic.session.pk) for u in TWINS[name])
    from_page, from_api = one_row(http.get(page)), one_row(http.get(api))
    assert from_page.action == Action.READ
    assert shape(from_page) == shape(from_api)
    assert (from_page.route, from_api.route) != ("", "")


@pytest.mark.parametrize(
    ("path", "object_type", "words"),
    [
        ("formulation/", "Formulation", "Formulation"),
        ("inventory/", "Inventory", "Interpersonal inventory"),
        ("inventory/circle/", "ClosenessCircle", "Closeness circle"),
    ],
)
def test_a_view_of_the_formulation_inventory_or_circle_is_logged_as_that_record_of_the_course(
    path, object_type, words, clinic, course, as_user
):
    row = one_row(as_user(clinic.clinician).get(f"/clients/{clinic.client.pk}/{path}"))
    assert (row.action, row.client_id, row.object_type, row.object_id) == (
        Action.READ,
        clinic.client.pk,
        object_type,
        str(course.pk),
    )
    assert row.record_label == f"{words} of course {course.pk}"


def test_saving_the_formulation_writes_the_change_and_no_read(clinic, course, as_user):
    formulation = Formulation.objects.get(course=course)
    data = {"version": formulation.version, "primary_area": "grief", "stage": "working"}
    response = as_user(clinic.clinician).post(f"/clients/{clinic.client.pk}/formulation/", data)
    rows = AuditEvent.objects.filter(request_id=response["X-Request-ID"])
    assert not rows.filter(action=Action.READ).exists()


def test_the_goals_through_the_api_are_one_read_of_the_courses_goals(clinic, course, as_user):
    row = one_row(as_user(clinic.clinician).get(f"/api/v1/clients/{clinic.client.pk}/goals"))
    assert (row.action, row.object_type, row.object_id, row.detail) == (
        Action.READ,
        "Goal",
        str(course.pk),
        {"count": 0, "of": "Course"},
    )


def test_opening_a_goal_to_edit_it_is_one_read_of_that_goal(clinic, course, as_user):
    goal = Goal.objects.create(course=course, problem_area="grief", text="Visit the grave with my sister")
    row = one_row(as_user(clinic.clinician).get(f"/clients/{clinic.client.pk}/goals/{goal.pk}/"))
    assert (row.action, row.object_type, row.object_id) == (Action.READ, "Goal", str(goal.pk))


def test_a_safety_plan_not_yet_written_is_still_read_as_the_safety_plan(clinic, course, as_user):
    row = one_row(as_user(clinic.clinician).get(f"/clients/{clinic.client.pk}/safety-plan/"))
    assert (row.action, row.object_type, row.object_id, row.record_label) == (
        Action.READ,
        "SafetyPlan",
        "",
        "Safety plan",
    )


def test_printing_the_client_or_the_course_summary_writes_one_print_row(clinic, course, as_user):
    http = as_user(clinic.clinician)
    printed = one_row(http.get(f"/clients/{clinic.client.pk}/print/"))
    summary = one_row(http.get(f"/clients/{clinic.client.pk}/course/summary/"))
    assert (printed.action, printed.object_type, printed.object_id) == (
        Action.PRINT,
        "Client",
        str(clinic.client.pk),
    )
    assert (summary.action, summary.object_type, summary.object_id) == (
        Action.PRINT,
        "Course",
        str(course.pk),
    )


# The client's own pages


@pytest.fixture
def me(clinic, course, as_user):
    CheckInSchedule.objects.create(client=clinic.client, instrument="phq9", created_by=clinic.clinician)
    return as_user(clinic.client_user)


def test_the_check_in_list_writes_one_read_row(clinic, me):
    row = one_row(me.get("/my/check-ins/"))
    assert (row.action, row.client_id, row.object_type, row.actor_id) == (
        Action.READ,
        clinic.client.pk,
        "CheckIns",
        clinic.client_user.pk,
    )


def test_a_check_in_question_and_the_review_each_write_one_read_of_the_draft(clinic, me):
    first = one_row(me.get("/my/check-ins/phq9/1/"))
    assert (first.action, first.object_type, first.object_id, first.detail) == (
        Action.READ,
        "CheckInDraft",
        "",
        {"instrument": "phq9"},
    )
    answered = me.post("/my/check-ins/phq9/1/", {"answer": "several_days", "action": "next"})
    assert answered.status_code == 302
    assert not AuditEvent.objects.filter(request_id=answered["X-Request-ID"], action=Action.READ).exists()
    draft = CheckInDraft.objects.get(client=clinic.client)
    for url in ("/my/check-ins/phq9/1/", "/my/check-ins/phq9/review/"):
        row = one_row(me.get(url))
        assert (row.action, row.object_type, row.object_id) == (Action.READ, "CheckInDraft", str(draft.pk))


def test_the_plan_page_writes_one_read_row_of_the_clients_plan(clinic, course, me):
    row = one_row(me.get("/my/plan/"))
    assert (row.action, row.client_id, row.object_type, row.object_id) == (
        Action.READ,
        clinic.client.pk,
        "Plan",
        str(course.pk),
    )


# Who writes them


def test_no_page_or_api_route_writes_an_audit_row_itself():
    # Reads and changes alike are recorded by the domain function the page or route calls, so
    # that a page and the API reading the same record write the same row.
    writers = [
        str(path.relative_to(SRC))
        for package in ("staff", "portal", "administration", "api")
        for path in (SRC / package).rglob("*.py")
        if re.search(r"\btrail\.record|\brecord_each\(", path.read_text())
    ]
    assert writers == []


# The trail page


def test_the_trail_page_names_records_in_words_not_class_names(clinic, course, as_user):
    http = as_user(clinic.clinician)
    event = TimelineEvent.objects.get(course=course)
    for path in ("formulation/", "inventory/", "inventory/circle/", f"timeline/{event.pk}/edit/"):
        assert http.get(f"/clients/{clinic.client.pk}/{path}").status_code == 200
    body = as_user(clinic.supervisor).get(f"/clients/{clinic.client.pk}/audit/").content.decode()
    for words in (
        f"Formulation of course {course.pk}",
        f"Interpersonal inventory of course {course.pk}",
        f"Closeness circle of course {course.pk}",
        f"Timeline event {event.pk}",
        "Audit trail",
    ):
        assert words in body
    for class_name in ("TimelineEvent", "ClosenessCircle", "AuditTrail", ">Inventory "):
        assert class_name not in body


def test_every_kind_of_record_has_words_for_the_trail():
    kinds = {m.__name__ for m in apps.get_models() if m._meta.app_label in ("clinic", "accounts")}
    assert sorted(kinds - set(RECORD_WORDS)) == []
