"""A client's own data: everything held about them as a page and a JSON file, from the same
sections, one export row each time, and never anyone else's."""

import json
from datetime import UTC

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


def test_messages_appointments_and_consents_are_in_the_copy_as_the_client_sees_them(clinic, as_user):
    from datetime import date, datetime, time

    from rapport.messaging.models import Message, Thread
    from rapport.scheduling.models import Appointment, Consent

    def message(client, author, body, from_client, withdrawn=False):
        thread, _ = Thread.objects.get_or_create(client=client)
        return Message.objects.create(
            thread=thread,
            client=client,
            author=author,
            from_client=from_client,
            body=body,
            retracted_at=datetime(2026, 2, 3, tzinfo=UTC) if withdrawn else None,
        )

    message(clinic.client, clinic.client_user, "Running late on Monday", True)
    message(clinic.client, clinic.clinician, "Sent to the wrong client", False, withdrawn=True)
    message(clinic.other_client, clinic.other_client_user, "Not yours to see", True)
    Appointment.objects.create(
        client=clinic.client,
        clinician=clinic.clinician,
        starts_at=datetime(2026, 3, 2, 10, tzinfo=UTC),
        time_zone="Europe/London",
        local_date=date(2026, 3, 2),
        local_time=time(10),
        minutes=50,
        place="Room 2",
    )
    Consent.objects.create(
        client=clinic.client,
        kind="messages",
        wording_version="portal-1",
        given_on=date(2026, 2, 1),
        recorded_by=clinic.clinician,
    )
    data = json.loads(as_user(clinic.client_user).get("/my/data/my-rapport-data.json").content)["sections"]
    sent, withdrawn = data["messages"]["items"]
    assert (sent["From"], sent["Message"]) == ("You", "Running late on Monday")
    assert withdrawn["Message"] == "" and withdrawn["Withdrawn"]  # the original stays in the record only
    assert "Not yours to see" not in json.dumps(data)
    booked = [(a["Date"], a["Time"], a["Place"]) for a in data["appointments"]["items"]]
    assert ("2026-03-02", "10:00", "Room 2") in booked
    agreed = [(c["Wording version"], c["Given on"], c["Given by"]) for c in data["consents"]["items"]]
    assert ("portal-1", "2026-02-01", "You") in agreed
