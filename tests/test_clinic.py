"""Client records: emergency access, entered-in-error, concurrent edits, bad input, local time."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.core import mail

from rapport.audit.models import Action, AuditEvent, Outcome
from rapport.clinic.models import BreakGlassGrant, Client, Notification

REASON = "Client rang the duty line in crisis; their clinician is on leave."


def glass(client, clinic, **change):
    data = {"full_name": clinic.client.full_name, "date_of_birth": "1990-05-17", "reason": REASON, **change}
    return client.post("/emergency-access/", data)


def test_emergency_access_opens_a_record_for_a_limited_time_and_tells_the_supervisor(
    clinic, as_user, settings, django_capture_on_commit_callbacks
):
    settings.RAPPORT_STAFF_IDLE_SECONDS = 24 * 3600  # stay signed in across the hour
    client = as_user(clinic.other_clinician)
    assert client.get(f"/clients/{clinic.client.pk}/").status_code == 404
    with time_machine.travel("2026-03-01 09:00 +0000", tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            response = glass(client, clinic)
        assert response["Location"] == f"/clients/{clinic.client.pk}/"
        page = client.get(f"/clients/{clinic.client.pk}/")
        assert page.status_code == 200 and b"emergency access" in page.content
        traveller.shift(timedelta(minutes=61))
        assert client.get(f"/clients/{clinic.client.pk}/").status_code == 404
    grant = BreakGlassGrant.objects.get()
    assert (grant.clinician, grant.client, grant.reason) == (clinic.other_clinician, clinic.client, REASON)
    note = Notification.objects.get()
    assert note.recipient == clinic.supervisor and REASON in note.body
    assert [m.to for m in mail.outbox] == [[clinic.supervisor.email]]
    assert clinic.client.full_name not in mail.outbox[0].body and REASON not in mail.outbox[0].body
    event = AuditEvent.objects.get(action=Action.BREAK_GLASS)
    assert (event.client_id, event.actor_id, event.outcome) == (
        clinic.client.pk,
        clinic.other_clinician.pk,
        "success",
    )


def test_emergency_access_needs_a_reason(clinic, as_user):
    response = glass(as_user(clinic.other_clinician), clinic, reason="")
    assert response.status_code == 200 and b"This field is required" in response.content
    assert not BreakGlassGrant.objects.exists()


def test_emergency_access_to_no_matching_client_is_recorded_and_opens_nothing(clinic, as_user):
    response = glass(as_user(clinic.other_clinician), clinic, date_of_birth="1990-05-18")
    assert b"No client in your organisation matches" in response.content
    assert not BreakGlassGrant.objects.exists()
    assert AuditEvent.objects.get(action=Action.BREAK_GLASS).outcome == Outcome.FAILURE


def test_supervisors_and_clients_cannot_use_emergency_access(clinic, as_user):
    for user in (clinic.supervisor, clinic.client_user, clinic.administrator):
        assert glass(as_user(user), clinic).status_code == 403
    assert not BreakGlassGrant.objects.exists()


def test_a_record_marked_entered_in_error_is_hidden_everywhere_and_its_reason_kept(clinic, as_user):
    client = as_user(clinic.clinician)
    response = client.post(f"/clients/{clinic.client.pk}/entered-in-error/", {"reason": "Duplicate record"})
    assert response.status_code == 302
    assert client.get(f"/clients/{clinic.client.pk}/").status_code == 404
    assert client.get("/api/v1/clients").json() == []
    assert as_user(clinic.client_user).get("/api/v1/me").json()["client_id"] is None
    kept = Client.objects.get(pk=clinic.client.pk)
    assert (kept.entered_in_error_reason, kept.entered_in_error_by) == ("Duplicate record", clinic.clinician)
    assert AuditEvent.objects.filter(action=Action.DELETE, client_id=kept.pk).count() == 1
    trail = as_user(clinic.administrator).get(f"/clients/{kept.pk}/audit/")
    assert trail.status_code == 200 and b"entered in error" in trail.content


def test_entered_in_error_needs_a_reason(clinic, as_user):
    response = as_user(clinic.clinician).post(
        f"/clients/{clinic.client.pk}/entered-in-error/", {"reason": " "}
    )
    assert response.status_code == 200 and b"This field is required" in response.content
    assert Client.objects.get(pk=clinic.client.pk).entered_in_error_at is None


def test_a_supervisor_can_read_but_not_change_a_record(clinic, as_user):
    client = as_user(clinic.supervisor)
    assert client.get(f"/clients/{clinic.client.pk}/").status_code == 200
    response = client.post(f"/clients/{clinic.client.pk}/entered-in-error/", {"reason": "Not allowed"})
    assert response.status_code == 403
    assert Client.objects.get(pk=clinic.client.pk).entered_in_error_at is None


def edit_form(clinic, **change):
    c = clinic.client
    data = {
        "full_name": c.full_name,
        "preferred_name": c.preferred_name,
        "date_of_birth": c.date_of_birth.isoformat(),
        "language": c.language,
        "country": c.country.code,
        "time_zone": c.time_zone,
        "team": c.team_id,
        "version": c.version,
    }
    return {**data, **change}


def test_two_people_editing_the_same_record_never_overwrite_each_other(clinic, as_user, client):
    first = edit_form(clinic, preferred_name="Cai from the first edit")
    second = edit_form(clinic, preferred_name="Cai from the second edit")
    assert as_user(clinic.clinician).post(f"/clients/{clinic.client.pk}/edit/", first).status_code == 302
    response = as_user(clinic.co_clinician).post(f"/clients/{clinic.client.pk}/edit/", second)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Someone else saved this record" in body
    assert "Cai from the second edit" in body  # the loser's text is kept in the form
    saved = Client.objects.get(pk=clinic.client.pk)
    assert (saved.preferred_name, saved.version) == ("Cai from the first edit", 2)
    # Saving again from the refreshed form, now at the current version, goes through.
    resend = edit_form(clinic, preferred_name="Cai from the second edit", version=2)
    assert as_user(clinic.co_clinician).post(f"/clients/{clinic.client.pk}/edit/", resend).status_code == 302
    assert Client.objects.get(pk=clinic.client.pk).preferred_name == "Cai from the second edit"


def test_an_edit_records_which_fields_changed_but_not_their_values(clinic, as_user):
    as_user(clinic.clinician).post(
        f"/clients/{clinic.client.pk}/edit/", edit_form(clinic, preferred_name="Kai")
    )
    event = AuditEvent.objects.get(action=Action.UPDATE)
    assert event.detail == {"fields": ["preferred_name"]}


def test_a_bad_edit_shows_the_error_and_changes_nothing(clinic, as_user):
    response = as_user(clinic.clinician).post(
        f"/clients/{clinic.client.pk}/edit/",
        edit_form(clinic, date_of_birth="2999-01-01", preferred_name="X"),
    )
    assert response.status_code == 200
    assert b"cannot be in the future" in response.content
    saved = Client.objects.get(pk=clinic.client.pk)
    assert (saved.preferred_name, saved.version) == ("Cai", 1)


def test_the_add_form_refuses_bad_input_and_saves_nothing(clinic, as_user):
    before = Client.objects.count()
    response = as_user(clinic.clinician).post(
        "/clients/new/",
        {"full_name": "", "date_of_birth": "not a date", "country": "GB", "team": clinic.team_a.pk},
    )
    assert response.status_code == 200
    assert b"Nothing was saved yet" in response.content and b"Enter a valid date" in response.content
    assert Client.objects.count() == before


def test_pages_show_times_in_the_clients_local_time(clinic, as_user):
    Client.objects.filter(pk=clinic.client.pk).update(updated_at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    page = as_user(clinic.clinician).get(f"/clients/{clinic.client.pk}/").content.decode()
    assert "1 Jul 2026, 13:00 BST" in page


def test_a_client_sees_only_their_own_page(clinic, as_user):
    page = as_user(clinic.client_user).get("/my/").content.decode()
    assert "Hello, Cai" in page and "Bea" not in page
