"""The JSON API: who is calling, the visible clients, adding a client, tokens."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rapport.accounts.models import ApiToken
from rapport.audit.models import Action, AuditEvent
from rapport.clinic.models import Client
from tests.personas import PERSONAS

NEW = {
    "full_name": "Ada Newcomer",
    "date_of_birth": "1994-02-03",
    "country": "GB",
    "time_zone": "Europe/London",
}


def issue(email) -> str:
    out = io.StringIO()
    call_command("issue_token", email, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_me_tells_a_client_account_its_client_id(clinic, as_user):
    body = as_user(clinic.client_user).get("/api/v1/me").json()
    assert body == {
        "id": clinic.client_user.pk,
        "name": "Cai Client",
        "role": "client",
        "client_id": clinic.client.pk,
    }


def test_me_tells_staff_who_they_are(clinic, as_user):
    body = as_user(clinic.supervisor).get("/api/v1/me").json()
    assert (body["role"], body["client_id"]) == ("supervisor", None)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_the_list_the_detail_and_the_page_agree_on_who_sees_what(persona, clinic, as_user):
    user = clinic.persona(persona)
    client = as_user(user)
    listed = {c["id"] for c in client.get("/api/v1/clients").json()}
    readable = {
        c.pk for c in Client.objects.all() if client.get(f"/api/v1/clients/{c.pk}").status_code == 200
    }
    assert listed == readable == set(Client.objects.visible_to(user).values_list("pk", flat=True))
    expected = {
        "clinician": {clinic.client.pk},
        "co_clinician": {clinic.client.pk},
        "other_clinician": {clinic.other_client.pk},
        "supervisor": {clinic.client.pk},
        "other_supervisor": {clinic.other_client.pk},
        "client_user": {clinic.client.pk},
        "other_client_user": {clinic.other_client.pk},
        "administrator": set(),
        "programme_lead": set(),  # figures only, no client record unless named supervisor of a team
    }[persona]
    assert listed == expected


def test_a_clinician_adds_a_client_to_their_own_caseload(clinic, as_user):
    response = as_user(clinic.clinician).post(
        "/api/v1/clients", {**NEW, "team_id": clinic.team_a.pk}, content_type="application/json"
    )
    assert response.status_code == 201
    created = Client.objects.get(pk=response.json()["id"])
    assert created.responsible_clinician == clinic.clinician and created.team == clinic.team_a
    assert (
        AuditEvent.objects.filter(action=Action.CREATE, client_id=created.pk, object_type="Client").count()
        == 1
    )
    assert created.courses.count() == 1, "a new client starts a fresh course"


def test_the_server_owns_ownership_whatever_the_body_says(clinic, as_user):
    # A body naming an owner is refused outright (unknown fields are never silently dropped),
    # and without those fields the caller owns the record.
    body = {**NEW, "responsible_clinician_id": clinic.other_clinician.pk, "organisation_id": 999}
    refused = as_user(clinic.clinician).post("/api/v1/clients", body, content_type="application/json")
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"responsible_clinician_id", "organisation_id"}
    assert not Client.objects.filter(full_name=NEW["full_name"]).exists()
    response = as_user(clinic.clinician).post("/api/v1/clients", NEW, content_type="application/json")
    assert response.status_code == 201
    assert Client.objects.get(pk=response.json()["id"]).responsible_clinician == clinic.clinician


def test_a_clinician_cannot_file_a_client_in_another_team(clinic, as_user):
    response = as_user(clinic.clinician).post(
        "/api/v1/clients", {**NEW, "team_id": clinic.team_b.pk}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "team" in response.json()["errors"]
    assert not Client.objects.filter(full_name="Ada Newcomer").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"country": "XX"}, "country"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"full_name": "   "}, "full_name"),
        ({"language": "klingon"}, "language"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(change, field, clinic, as_user):
    before = Client.objects.count()
    response = as_user(clinic.clinician).post(
        "/api/v1/clients", {**NEW, **change}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert field in body["errors"] and body["errors"][field][0]
    assert "nothing was saved" in body["detail"]
    assert Client.objects.count() == before


def test_a_malformed_body_is_refused_with_422(clinic, as_user):
    response = as_user(clinic.clinician).post(
        "/api/v1/clients", {"full_name": 3}, content_type="application/json"
    )
    assert response.status_code == 422


def test_a_session_post_without_csrf_is_refused(clinic, client):
    from django.test import Client as DjangoClient

    strict = DjangoClient(enforce_csrf_checks=True)
    strict.force_login(clinic.clinician)
    response = strict.post("/api/v1/clients", NEW, content_type="application/json")
    assert response.status_code in (401, 403)
    assert not Client.objects.filter(full_name="Ada Newcomer").exists()


def test_a_bearer_token_signs_in_an_integration(clinic, client):
    token = issue(clinic.clinician.email)
    response = client.get("/api/v1/clients", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == [clinic.client.pk]


def test_a_token_can_create_without_csrf(clinic, client):
    token = issue(clinic.clinician.email)
    response = client.post(
        "/api/v1/clients", NEW, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 201


def test_tokens_are_stored_hashed(clinic):
    token = issue(clinic.clinician.email)
    stored = ApiToken.objects.get()
    assert token not in stored.digest and stored.digest == ApiToken.digest_of(token)


def test_a_revoked_token_no_longer_works(clinic, client):
    token = issue(clinic.clinician.email)
    call_command("revoke_token", str(ApiToken.objects.get().pk), stdout=io.StringIO())
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert AuditEvent.objects.filter(action=Action.TOKEN, detail__event="revoked").exists()


def test_a_wrong_token_is_refused(clinic, client):
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer rpt_nonsense").status_code == 401


def test_a_token_of_a_deactivated_account_is_refused(clinic, client):
    token = issue(clinic.clinician.email)
    clinic.clinician.is_active = False
    clinic.clinician.save()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_a_token_of_a_locked_out_account_is_refused_until_the_pause_ends(clinic, client):
    import time_machine

    token = issue(clinic.clinician.email)
    with time_machine.travel("2026-03-01 09:00 +0000", tick=False) as traveller:
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
        for _ in range(10):
            client.post("/sign-in/", {"username": clinic.clinician.email.upper(), "password": "wrong"})
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
        traveller.shift(timedelta(minutes=16))
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_a_deactivated_accounts_open_session_stops_working(clinic, as_user):
    browser = as_user(clinic.clinician)
    assert browser.get("/api/v1/me").status_code == 200
    clinic.clinician.is_active = False
    clinic.clinician.save()
    assert browser.get("/api/v1/me").status_code == 401


def test_issue_token_refuses_an_unknown_account(db):
    with pytest.raises(CommandError, match="No active account"):
        issue("nobody@test.rapport")


def test_the_openapi_schema_lists_the_routes(db, client):
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/me", "/api/v1/clients", "/api/v1/clients/{client_id}"} <= set(schema["paths"])


def test_api_responses_are_not_cached(clinic, as_user):
    assert "no-store" in as_user(clinic.clinician).get("/api/v1/clients")["Cache-Control"]


@pytest.mark.parametrize(
    "persona", ["clinician", "co_clinician", "other_clinician", "supervisor", "other_supervisor"]
)
def test_the_export_holds_exactly_what_the_list_shows(persona, clinic, as_user):
    client = as_user(clinic.persona(persona))
    listed = {c["id"] for c in client.get("/api/v1/clients").json()}
    export = client.get("/caseload/export.csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][0] == "reference"
    assert {int(r[0]) for r in rows[1:]} == listed
    exported = AuditEvent.objects.filter(request_id=export["X-Request-ID"], action=Action.EXPORT)
    assert set(exported.values_list("client_id", flat=True)) == listed


def test_the_export_cannot_smuggle_a_spreadsheet_formula(clinic, as_user):
    Client.objects.filter(pk=clinic.client.pk).update(full_name='=HYPERLINK("http://x")')
    rows = list(
        csv.reader(io.StringIO(as_user(clinic.clinician).get("/caseload/export.csv").content.decode()))
    )
    assert rows[1][1].startswith("'=")


def test_printing_a_record_is_audited_as_a_print(clinic, as_user):
    response = as_user(clinic.clinician).get(f"/clients/{clinic.client.pk}/print/")
    event = AuditEvent.objects.get(request_id=response["X-Request-ID"])
    assert (event.action, event.client_id) == (Action.PRINT, clinic.client.pk)
