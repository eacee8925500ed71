"""A client's own data: everything held about them as a page and a JSON file, from the same
sections, one export row each time, and never anyone else's."""

import json

import pytest

from rapport.audit.models import Action, AuditEvent
from rapport.clinic import my_data
from rapport.clinic.models import Course, Response, SafetyPlan, Session
from tests.personas import CANARY


@pytest.fixture
def held(clinic):
    course = Course.objects.create(client=clinic.client, started_on="2026-01-05", status="active")
    Session.objects.create(course=course, number=1, date="2026-01-12", status="attended")
    Response.objects.create(
        client=clinic.client,
        course=course,
        instrument="phq9",
        instrument_version="1",
        answered_by=clinic.client_user,
        respondent="client",
        answers={"item1": "several_days"},
        complete=False,
        total=None,
        band="",
    )
    Response.objects.create(
        client=clinic.other_client,
        course=Course.objects.create(client=clinic.other_client),
        instrument="gad7",
        instrument_version="1",
        answered_by=clinic.other_client_user,
        respondent="client",
        answers={},
        complete=False,
    )
    SafetyPlan.objects.create(
        client=clinic.client, sections={"warning_signs": [{"text": "I stop answering the phone"}]}
    )
    return course


def test_the_json_file_holds_every_section_and_only_the_clients_own(clinic, held, as_user):
    response = as_user(clinic.client_user).get("/my/data/my-rapport-data.json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-rapport-data.json"'
    data = json.loads(response.content)
    assert list(data["sections"]) == list(my_data.SECTIONS)
    sections = data["sections"]
    assert CANARY in sections["record"]["items"][0]["Full name"]
    (answered,) = sections["responses"]["items"]  # not the other client's GAD-7
    assert "PHQ-9" in answered["Questionnaire"] or "Patient Health" in answered["Questionnaire"]
    assert any(a.endswith(": Several days") for a in answered["Answers"])
    assert sections["plan"]["items"][0]["Sessions attended"] == 1
    assert "I stop answering the phone" in json.dumps(sections["safety_plan"])


def test_the_page_shows_the_same_and_each_copy_is_one_export_row(clinic, held, as_user):
    browser = as_user(clinic.client_user)
    page = browser.get("/my/data/")
    body = page.content.decode()
    assert page.status_code == 200
    for title in ("Your details", "Your questionnaires", "Your plan", "Your safety plan"):
        assert title in body
    assert "I stop answering the phone" in body and CANARY in body
    rows = AuditEvent.objects.filter(request_id=page["X-Request-ID"])
    assert [(r.action, r.client_id, r.detail["format"]) for r in rows] == [
        (Action.EXPORT, clinic.client.pk, "html")
    ]


def test_a_later_record_kind_adds_itself_to_the_copy(clinic, held, as_user, monkeypatch):
    monkeypatch.setattr(my_data, "SECTIONS", dict(my_data.SECTIONS))
    my_data.section("appointments", "Your appointments")(lambda request, client: [{"When": "Tuesday"}])
    data = as_user(clinic.client_user).get("/my/data/my-rapport-data.json").json()
    assert data["sections"]["appointments"] == {"title": "Your appointments", "items": [{"When": "Tuesday"}]}
    assert "Your appointments" in as_user(clinic.client_user).get("/my/data/").content.decode()


def test_staff_cannot_open_a_clients_copy(clinic, as_user):
    assert as_user(clinic.clinician).get("/my/data/").status_code == 403
