"""Closing a client's account and purging the record after the organisation's retention period
(issue 17, item 8): sign-in and tokens stop at once, the record stays until due, the purge removes
every row of the client's in one transaction with an audit row per class and count, never content."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rapport.accounts.models import Organisation, User
from rapport.audit.models import Action, AuditEvent
from rapport.clinic.models import CheckInSchedule, Client, Course, Response, SafetyPlan, Session
from rapport.core import retention
from rapport.retention import service
from rapport.retention.models import AccountClosure
from tests.personas import CANARY
from tests.test_api import issue
from tests.test_my_data import held  # noqa: F401 - the fixture: a course, sessions, responses, a safety plan


def close(as_user, clinic, reason="Moved away; asked to close", **extra):
    browser = as_user(clinic.administrator)
    url = f"/administration/clients/{clinic.client.pk}/close/"
    first = browser.post(url, {"reason": reason, **extra})
    return browser, first, browser.post(url, {"reason": reason, "step": "confirm"})


def test_the_default_period_is_data_and_unconfirmed(db):
    assert retention.rules().confidence == "[U]"
    assert Organisation.objects.create(name="New").retention_years == retention.default_years() == 20


def test_closing_asks_to_confirm_first_and_then_stops_sign_in_and_tokens_at_once(clinic, as_user, client):
    token = issue(clinic.client_user.email)
    portal = as_user(clinic.client_user)
    assert portal.get("/my/data/").status_code == 200
    session_cookie = portal.cookies["sessionid"].value
    browser = as_user(clinic.administrator)
    url = f"/administration/clients/{clinic.client.pk}/close/"
    step = browser.post(url, {"reason": "Asked to close"})
    assert b"Confirm the closure" in step.content and not AccountClosure.objects.exists()
    assert User.objects.get(pk=clinic.client_user.pk).is_active
    done = browser.post(url, {"reason": "Asked to close", "step": "confirm"})
    assert done.status_code == 302 and done["Location"] == "/administration/retention/"
    closure = AccountClosure.objects.get()
    assert closure.client_ref == clinic.client.pk and closure.closed_by == clinic.administrator
    # The session signed in before the closure and the token both stop.
    client.logout()
    client.cookies["sessionid"] = session_cookie
    assert client.get("/my/data/").status_code == 302
    client.logout()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    # The record stays; the closure is audited on the client's trail without the reason.
    assert Client.objects.filter(pk=clinic.client.pk).exists()
    row = AuditEvent.objects.get(client=clinic.client, detail__account="closed")
    assert row.actor == clinic.administrator and "Asked" not in json.dumps(row.detail)
    assert DBTaskResult.objects.filter(task_path__endswith="purge_closed_clients").exists()


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_a_closure_needs_a_reason_and_bad_input_changes_nothing(reason, clinic, as_user):
    _, first, second = close(as_user, clinic, reason=reason)
    assert first.status_code == second.status_code == 200
    assert b"Nothing was closed" in second.content
    assert not AccountClosure.objects.exists() and User.objects.get(pk=clinic.client_user.pk).is_active


def test_closing_stops_the_clients_check_in_schedules(clinic, as_user):
    kept, other = (
        CheckInSchedule.objects.create(client=someone, instrument="phq9", created_by=clinic.clinician)
        for someone in (clinic.client, clinic.other_client)
    )
    close(as_user, clinic)
    kept.refresh_from_db()
    other.refresh_from_db()
    assert not kept.active and kept.version == 2 and other.active
    assert AuditEvent.objects.filter(client=clinic.client, object_type="CheckInSchedule").exists()


def test_closing_twice_makes_one_closure(clinic, as_user):
    close(as_user, clinic)
    _, _, again = close(as_user, clinic)
    assert again.status_code == 200 and b"was closed on" in again.content
    assert AccountClosure.objects.count() == 1


def test_staff_other_than_administrators_cannot_close(clinic, as_user):
    for user in (clinic.clinician, clinic.supervisor, clinic.client_user):
        response = as_user(user).post(
            f"/administration/clients/{clinic.client.pk}/close/", {"reason": "r", "step": "confirm"}
        )
        assert response.status_code in (302, 403)
    assert not AccountClosure.objects.exists()


def test_the_retention_period_has_bounds(clinic, as_user):
    browser = as_user(clinic.administrator)
    for bad in ("0", "2", "abc", "101"):
        response = browser.post("/administration/retention/", {"retention_years": bad})
        assert response.status_code == 200 and b"Nothing was saved" in response.content
    assert Organisation.objects.get(pk=clinic.org.pk).retention_years == 20
    assert browser.post("/administration/retention/", {"retention_years": "25"}).status_code == 302
    assert Organisation.objects.get(pk=clinic.org.pk).retention_years == 25


def _closed(clinic, as_user):
    close(as_user, clinic)
    return AccountClosure.objects.get()


def test_nothing_is_purged_a_day_before_the_period_ends(clinic, held, as_user):  # noqa: F811
    closure = _closed(clinic, as_user)
    due = service.due_of(closure)
    assert service.purge_due(due - timedelta(days=1)) == 0
    assert (
        Client.objects.filter(pk=clinic.client.pk).exists()
        and Response.objects.filter(client=clinic.client).exists()
    )


def test_a_change_after_closure_restarts_the_period(clinic, as_user):
    closure = _closed(clinic, as_user)
    first = service.due_of(closure)
    Client.objects.filter(pk=clinic.client.pk).update(updated_at=timezone.now() + timedelta(days=30))
    assert service.due_of(closure) > first + timedelta(days=29)


def test_the_purge_removes_every_row_of_the_client_and_audits_classes_and_counts(clinic, held, as_user):  # noqa: F811
    other_before = (
        Response.objects.filter(client=clinic.other_client).count(),
        Course.objects.filter(client=clinic.other_client).count(),
    )
    portal = as_user(clinic.client_user)
    portal.get("/my/data/")  # a read on the client's trail, to be kept
    closure = _closed(clinic, as_user)
    kept = set(AuditEvent.objects.filter(client_id=clinic.client.pk).values_list("pk", flat=True))
    assert service.purge_due(service.due_of(closure) + timedelta(days=1)) == 1

    assert not Client.objects.filter(pk=clinic.client.pk).exists()
    assert not Response.objects.filter(client_id=clinic.client.pk).exists()
    assert not Course.objects.filter(client_id=clinic.client.pk).exists()
    assert not Session.objects.filter(course__client_id=clinic.client.pk).exists()
    assert not SafetyPlan.objects.filter(client_id=clinic.client.pk).exists()
    other_after = (
        Response.objects.filter(client=clinic.other_client).count(),
        Course.objects.filter(client=clinic.other_client).count(),
    )
    assert other_after == other_before
    # The sign-in account keeps no name or address.
    user = User.objects.get(pk=clinic.client_user.pk)
    assert user.email.endswith("@invalid") and user.full_name == "" and not user.is_active
    # The trail kept every earlier row and added one per class of record with its count.
    trail = AuditEvent.objects.filter(client_id=clinic.client.pk)
    assert kept <= set(trail.values_list("pk", flat=True))
    purged = {row.detail["class"]: row.detail["count"] for row in trail.filter(action=Action.PURGE)}
    assert purged["clinic.Client"] == 1 and purged["clinic.Response"] == 1 and purged["clinic.Session"] == 1
    assert purged["clinic.SafetyPlan"] == 1 and purged["accounts.User"] == 1
    # No audit row of the client holds content.
    assert CANARY not in json.dumps(list(trail.values_list("detail", flat=True)))
    # The stub stays, its reason cleared; a second run purges nothing.
    stub = AccountClosure.objects.get()
    assert stub.purged_at is not None and stub.reason == ""
    assert service.purge_due(service.due_of(stub) + timedelta(days=400)) == 0


def test_a_purge_that_fails_leaves_the_whole_record(clinic, held, as_user, monkeypatch):  # noqa: F811
    closure = _closed(clinic, as_user)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service.trail, "record", broken)
    with pytest.raises(RuntimeError):
        service.purge(closure, service.due_of(closure) + timedelta(days=1))
    assert Client.objects.filter(pk=clinic.client.pk).exists()
    assert Response.objects.filter(client=clinic.client).exists()
    assert AccountClosure.objects.get().purged_at is None


def test_the_job_runs_the_purge_and_books_the_next(clinic, as_user):
    _closed(clinic, as_user)
    DBTaskResult.objects.all().delete()
    assert service.purge_closed_clients.call() == 0
    assert DBTaskResult.objects.filter(task_path__endswith="purge_closed_clients").count() == 1
