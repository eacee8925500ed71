"""The audit trail: complete, atomic with the change, append-only, free of secrets."""

import logging
from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction

from rapport.audit.models import Action, AuditEvent
from rapport.clinic.models import Client
from tests.personas import CANARY, PASSWORD


def an_event():
    return AuditEvent.objects.create(action=Action.READ, actor_role="clinician")


def test_the_application_cannot_change_an_audit_row(db):
    event = an_event()
    event.action = Action.UPDATE
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action=Action.UPDATE)
    assert AuditEvent.objects.get(pk=event.pk).action == Action.READ


def test_the_application_cannot_delete_an_audit_row(db):
    event = an_event()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditevent SET action = 'create'", "DELETE FROM audit_auditevent"],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_or_delete_audit_rows_whatever_the_sql(sql, db):
    event = an_event()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).action == Action.READ


_COLUMNS = "(id, at, actor_role, action, outcome, object_type, object_id, route, request_id, detail)"
_VALUES = "(%s, '2020-01-01T00:00:00Z', 'clinician', 'create', 'success', '', '', '', '', '{}')"
# Every way SQL can rewrite an existing row; REPLACE is SQLite's own (it deletes the old row
# without firing delete triggers), the upserts are shared by both databases. Fixed SQL, no input.
_REWRITES = {
    "update": "UPDATE audit_auditevent SET action = 'create' WHERE id = %s",
    "delete": "DELETE FROM audit_auditevent WHERE id = %s",
    "upsert": f"INSERT INTO audit_auditevent {_COLUMNS} VALUES {_VALUES} "  # noqa: S608
    "ON CONFLICT (id) DO UPDATE SET action = excluded.action",
}
if connection.vendor == "sqlite":
    _REWRITES["insert_or_replace"] = f"INSERT OR REPLACE INTO audit_auditevent {_COLUMNS} VALUES {_VALUES}"  # noqa: S608
    _REWRITES["replace"] = f"REPLACE INTO audit_auditevent {_COLUMNS} VALUES {_VALUES}"  # noqa: S608


@pytest.mark.parametrize("how", sorted(_REWRITES))
def test_no_sql_rewrites_an_existing_audit_row(how, db):
    event = an_event()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute(_REWRITES[how], [event.pk])
    kept = AuditEvent.objects.get(pk=event.pk)
    assert (kept.action, kept.at) == (Action.READ, event.at)


def test_plain_inserts_still_work_beside_the_replace_guard(db):
    first, second = an_event(), an_event()
    assert second.pk > first.pk
    with connection.cursor() as c:
        c.execute(f"INSERT INTO audit_auditevent {_COLUMNS} VALUES {_VALUES}", [second.pk + 10])  # noqa: S608
    assert AuditEvent.objects.filter(pk=second.pk + 10).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL only")
def test_the_database_refuses_to_truncate_the_audit_trail(db):
    an_event()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 1


NEW_CLIENT = {
    "full_name": "Rolled Back",
    "language": "en",
    "date_of_birth": "1990-01-01",
    "country": "GB",
    "time_zone": "Europe/London",
}


def test_a_change_whose_audit_row_fails_is_rolled_back(clinic, as_user):
    client = as_user(clinic.clinician)
    with (
        mock.patch("rapport.audit.models.AuditEvent.objects.create", side_effect=DatabaseError("disk full")),
        pytest.raises(DatabaseError),
    ):
        client.post("/clients/new/", {**NEW_CLIENT, "team": clinic.team_a.pk})
    assert not Client.objects.filter(full_name="Rolled Back").exists()


def test_creating_a_client_writes_the_change_and_its_audit_row(clinic, as_user):
    response = as_user(clinic.clinician).post("/clients/new/", {**NEW_CLIENT, "team": clinic.team_a.pk})
    created = Client.objects.get(full_name="Rolled Back")
    assert response.status_code == 302
    row = AuditEvent.objects.get(
        request_id=response["X-Request-ID"], action=Action.CREATE, object_type="Client"
    )
    assert (row.client_id, row.object_type, row.object_id) == (created.pk, "Client", str(created.pk))


def test_sign_in_sign_out_and_failed_sign_in_are_audited(clinic, client):
    failed = client.post("/sign-in/", {"username": clinic.clinician.email, "password": "wrong"})
    good = client.post("/sign-in/", {"username": clinic.clinician.email, "password": PASSWORD})
    out = client.post("/sign-out/")
    actions = [AuditEvent.objects.get(request_id=r["X-Request-ID"]).action for r in (failed, good, out)]
    assert actions == [Action.SIGN_IN_FAILED, Action.SIGN_IN, Action.SIGN_OUT]
    assert set(AuditEvent.objects.values_list("actor_id", flat=True)) == {clinic.clinician.pk}


def test_a_failed_sign_in_for_an_unknown_address_names_nobody(db, client):
    response = client.post("/sign-in/", {"username": "nobody@test.rapport", "password": "x"})
    row = AuditEvent.objects.get(request_id=response["X-Request-ID"])
    assert row.actor_id is None and row.action == Action.SIGN_IN_FAILED
    assert "nobody" not in str(row.detail)


def test_no_password_token_or_record_text_reaches_the_audit_trail_or_the_logs(clinic, client, caplog):
    caplog.set_level(logging.DEBUG)
    secret_password = "Canary-Password-99"
    client.post("/sign-in/", {"username": clinic.clinician.email, "password": secret_password})
    client.post("/sign-in/", {"username": clinic.clinician.email, "password": PASSWORD})
    client.get(f"/clients/{clinic.client.pk}/")
    client.post(f"/clients/{clinic.client.pk}/entered-in-error/", {"reason": f"duplicate of {CANARY} record"})
    rows = " ".join(str(v) for row in AuditEvent.objects.values() for v in row.values())
    for secret in (secret_password, PASSWORD, CANARY):
        assert secret not in rows
        assert secret not in caplog.text


def test_the_request_id_is_returned_to_the_caller_and_matches_the_audit_row(clinic, as_user):
    response = as_user(clinic.clinician).get(
        f"/clients/{clinic.client.pk}/", HTTP_X_REQUEST_ID="abcd1234-feed"
    )
    assert response["X-Request-ID"] == "abcd1234-feed"
    assert AuditEvent.objects.filter(request_id="abcd1234-feed", action=Action.READ).count() == 1


def test_a_malformed_request_id_is_replaced(clinic, as_user):
    response = as_user(clinic.clinician).get("/caseload/", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>" and len(response["X-Request-ID"]) == 36


def test_the_audit_page_shows_the_clients_trail_and_no_other(clinic, as_user):
    as_user(clinic.other_clinician).get(f"/clients/{clinic.other_client.pk}/")
    as_user(clinic.clinician).get(f"/clients/{clinic.client.pk}/")
    page = as_user(clinic.supervisor).get(f"/clients/{clinic.client.pk}/audit/")
    body = page.content.decode()
    assert clinic.clinician.full_name in body
    assert clinic.other_clinician.full_name not in body
