"""The alert path from end to end: every trigger raises an alert of its tier, people acknowledge
and resolve it with an audit trail, the worker sends the e-mails and escalates what nobody
acknowledges, and a broken mail server or a crashed job never loses an alert."""

from contextlib import contextmanager
from datetime import date, timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rapport.accounts.models import Role, User
from rapport.audit.models import Action, AuditEvent
from rapport.clinic import alert_chain, alerts, measurement, portal
from rapport.clinic.models import (
    AlertDelivery,
    AlertSource,
    AlertStatus,
    CheckInDraft,
    Course,
    DeliveryStatus,
    Notification,
    Response,
    RiskAlert,
    Session,
)
from rapport.common.errors import InvalidInput
from tests.personas import CANARY, PASSWORD
from tests.support import request_as, run_worker

FREQ = ["not_at_all", "several_days", "more_than_half_the_days", "nearly_every_day"]


def phq9(*scores):
    return {f"item{i}": FREQ[s] for i, s in enumerate(scores, start=1)}


@contextmanager
def minutes_later(start, minutes):
    with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
        yield


def jobs(task_name: str, status=None):
    found = DBTaskResult.objects.filter(task_path=f"rapport.clinic.alert_chain.{task_name}")
    return found.filter(status=status) if status else found


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def administrator_2(clinic):
    # A second administrator, so that "the organisation's administrators" is a list.
    return User.objects.create_user(
        "admin2@test.rapport",
        PASSWORD,
        full_name="Abe Admin",
        role=Role.ADMINISTRATOR,
        organisation=clinic.org,
    )


@pytest.fixture
def course(clinic):
    return Course.objects.create(client=clinic.client, started_on=date(2026, 1, 5), status="active")


# --- Every trigger, its tier --------------------------------------------------------------------


@pytest.mark.parametrize(("item9", "tier"), [(1, "T1"), (2, "T2"), (3, "T2")])
def test_phq9_item9_raises_an_alert_of_its_tier(clinic, item9, tier):
    response = measurement.record_response(
        request_as(clinic.clinician), clinic.client.pk, "phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, item9)
    )
    alert = RiskAlert.objects.get()
    assert (alert.tier, alert.source, alert.response, alert.status) == (
        tier,
        AlertSource.QUESTIONNAIRE,
        response,
        AlertStatus.OPEN,
    )
    assert "item:item9" in alert.reasons


def test_a_high_cssrs_raises_a_t3_alert(clinic):
    answers = {"q1": "yes", "q2": "yes", "q3": "yes", "q4": "no", "q5": "yes", "q6": "no"}
    measurement.record_response(request_as(clinic.client_user), clinic.client.pk, "cssrs_screen", answers)
    alert = RiskAlert.objects.get()
    assert (alert.tier, alert.risk_level) == ("T3", "high")


def test_the_help_button_raises_a_t3_alert_and_pressing_again_does_not_bury_it(clinic):
    first = alerts.help_now(request_as(clinic.client_user))
    again = alerts.help_now(request_as(clinic.client_user))
    assert first == again
    assert (first.tier, first.source, first.reasons) == ("T3", AlertSource.HELP_BUTTON, ["help_now_button"])
    assert RiskAlert.objects.count() == 1


def test_a_clinician_raises_risk_at_the_tier_chosen_with_a_reason(clinic):
    alert = alerts.raise_by_clinician(
        request_as(clinic.clinician), clinic.client.pk, "T2", "Said goodbye oddly."
    )
    assert (alert.tier, alert.source, alert.raised_by, alert.note) == (
        "T2",
        AlertSource.CLINICIAN,
        clinic.clinician,
        "Said goodbye oddly.",
    )
    with pytest.raises(InvalidInput) as refused:
        alerts.raise_by_clinician(request_as(clinic.clinician), clinic.client.pk, "T9", " ")
    assert set(refused.value.errors) == {"tier", "note"}


def test_a_risk_phrase_in_the_clients_preparation_raises_a_t1_review(clinic, course):
    portal.save_preparation(
        request_as(clinic.client_user), {"what_happened": "Some days I want to die, honestly."}, 0
    )
    alert = RiskAlert.objects.get()
    assert (alert.tier, alert.source, alert.reasons) == ("T1", AlertSource.FREE_TEXT, ["phrase:want_to_die"])
    assert alert.source_record["type"] == "Preparation"


def test_autosaving_the_same_words_twice_raises_one_alert_and_new_words_another(clinic, course):
    client = request_as(clinic.client_user)
    prep = portal.save_preparation(client, {"what_happened": "I want to die."}, 0)
    prep = portal.save_preparation(client, {"what_happened": "I want to die. Still."}, prep.version)
    assert RiskAlert.objects.count() == 1
    portal.save_preparation(
        client, {"what_happened": "I want to die.", "topics": "A burden to everyone."}, prep.version
    )
    assert [a.reasons for a in RiskAlert.objects.order_by("pk")] == [
        ["phrase:want_to_die"],
        ["phrase:burden"],
    ]


def test_a_risk_phrase_in_a_task_report_raises_a_t1_review(clinic, course):
    session = Session.objects.create(
        course=course, number=3, date=date(2026, 1, 19), status="attended", between_session_task="Call Sam"
    )
    portal.save_task_report(
        request_as(clinic.client_user), session.pk, "not_yet", "I thought of an overdose.", 0
    )
    alert = RiskAlert.objects.get()
    assert (alert.tier, alert.reasons, alert.source_record["type"]) == ("T1", ["phrase:method"], "TaskReport")


def test_a_positive_risk_item_inside_an_invalid_submission_still_raises_an_alert(clinic):
    answers = {**phq9(0, 0, 0, 0, 0, 0, 0, 0, 2), "item3": "sometimes"}
    with pytest.raises(InvalidInput):
        measurement.record_response(request_as(clinic.clinician), clinic.client.pk, "phq9", answers)
    assert not Response.objects.exists()
    alert = RiskAlert.objects.get()
    assert (alert.tier, alert.status, alert.response) == ("T2", AlertStatus.OPEN, None)
    assert alert.reasons[0] == "refused_submission"


def test_a_refused_check_in_from_the_portal_keeps_its_alert(clinic, course):
    # A draft saved under an older form can hold a code the questionnaire no longer has. The
    # submission is refused, and the valid item 9 answer still raises an alert that is kept.
    CheckInDraft.objects.create(
        client=clinic.client, instrument="phq9", answers={**phq9(0, 0, 0, 0, 0, 0, 0, 0, 3), "item1": "gone"}
    )
    with pytest.raises(InvalidInput):
        portal.submit(request_as(clinic.client_user), "phq9")
    assert RiskAlert.objects.get().tier == "T2"
    assert CheckInDraft.objects.get().response is None


# --- Who is told, at once -----------------------------------------------------------------------


def test_a_new_alert_tells_the_clients_clinicians_in_the_app_and_queues_their_e_mails(clinic):
    alert = alerts.raise_by_clinician(request_as(clinic.clinician), clinic.client.pk, "T3", "Worried.")
    told = {clinic.clinician, clinic.co_clinician}
    assert {n.recipient for n in Notification.objects.filter(alert=alert)} == told
    assert {d.recipient for d in alert.deliveries.all()} == told
    assert jobs("send_alert_email", TaskResultStatus.READY).count() == 2
    deadline = jobs("check_escalations").get().run_after
    assert deadline == alert.created_at + timedelta(minutes=15)
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="RiskAlert").count() == 1

    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in told)
    assert set(alert.deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    # Each job withdrew its own retry once it had finished.
    assert not jobs("send_alert_email", TaskResultStatus.READY).exists()


# --- Acknowledging and resolving ----------------------------------------------------------------


def test_acknowledging_stops_the_escalation_and_is_audited(clinic):
    alert = alerts.raise_by_clinician(request_as(clinic.clinician), clinic.client.pk, "T3", "Worried.")
    done = alerts.acknowledge(request_as(clinic.co_clinician), alert.pk, "Calling her now.")
    assert (done.status, done.acknowledged_by, done.acknowledgement_note, done.escalate_at) == (
        AlertStatus.ACKNOWLEDGED,
        clinic.co_clinician,
        "Calling her now.",
        None,
    )
    row = AuditEvent.objects.get(object_type="RiskAlert", action=Action.UPDATE)
    assert (row.detail, row.actor, row.client_id) == (
        {"step": "acknowledged"},
        clinic.co_clinician,
        clinic.client.pk,
    )


def test_an_acknowledgement_needs_a_note_and_happens_once(clinic):
    alert = alerts.raise_by_clinician(request_as(clinic.clinician), clinic.client.pk, "T2", "Worried.")
    with pytest.raises(InvalidInput) as refused:
        alerts.acknowledge(request_as(clinic.clinician), alert.pk, "  ")
    assert "note" in refused.value.errors
    alerts.acknowledge(request_as(clinic.clinician), alert.pk, "Seen.")
    with pytest.raises(InvalidInput) as refused:
        alerts.acknowledge(request_as(clinic.supervisor), alert.pk, "Seen too.")
    assert refused.value.errors == {"__all__": ["Someone else has already acknowledged this alert."]}
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.acknowledgement_note) == (clinic.clinician, "Seen.")


def test_resolving_records_the_action_and_is_audited(clinic):
    alert = alerts.raise_by_clinician(request_as(clinic.clinician), clinic.client.pk, "T2", "Worried.")
    done = alerts.resolve(
        request_as(clinic.clinician), alert.pk, "safety_plan", "Reviewed the plan together."
    )
    # Resolving an open alert acknowledges it in the same step.
    assert (done.status, done.resolution_action, done.acknowledged_by, done.resolved_by) == (
        AlertStatus.CLOSED,
        "safety_plan",
        clinic.clinician,
        clinic.clinician,
    )
    steps = [e.detail.get("step") for e in AuditEvent.objects.filter(object_type="RiskAlert").order_by("pk")]
    assert steps == [None, "resolved"]
    # The notices about it leave everyone's caseload.
    assert not Notification.objects.filter(alert=alert, read_at=None).exists()


def test_a_resolution_without_an_action_or_twice_or_from_a_stale_page_is_refused(clinic):
    alert = alerts.raise_by_clinician(request_as(clinic.clinician), clinic.client.pk, "T2", "Worried.")
    with pytest.raises(InvalidInput) as refused:
        alerts.resolve(request_as(clinic.clinician), alert.pk, "", "")
    assert "action" in refused.value.errors
    seen = alert.version
    alerts.acknowledge(request_as(clinic.co_clinician), alert.pk, "I am on it: calling her.")
    # Resolving from the page opened before the colleague's acknowledgement is refused.
    with pytest.raises(InvalidInput) as refused:
        alerts.resolve(request_as(clinic.clinician), alert.pk, "no_risk", "Fine.", version=seen)
    assert "changed since you opened it" in refused.value.errors["__all__"][0]
    alerts.resolve(request_as(clinic.co_clinician), alert.pk, "contacted", "Spoke to her.")
    with pytest.raises(InvalidInput):
        alerts.resolve(request_as(clinic.clinician), alert.pk, "no_risk", "Fine.")
    alert.refresh_from_db()
    assert (alert.resolution_action, alert.resolved_by) == ("contacted", clinic.co_clinician)


def test_someone_who_does_not_see_the_client_cannot_touch_the_alert(clinic):
    from django.http import Http404

    alert = alerts.raise_by_clinician(request_as(clinic.clinician), clinic.client.pk, "T2", "Worried.")
    for outsider in (clinic.other_clinician, clinic.other_supervisor, clinic.administrator):
        with pytest.raises(Http404):
            alerts.acknowledge(request_as(outsider), alert.pk, "Seen.")
    assert RiskAlert.objects.get().status == AlertStatus.OPEN


# --- Escalation by the worker -------------------------------------------------------------------


def test_an_unacknowledged_t3_alert_climbs_to_the_supervisor_then_the_administrators(clinic, administrator_2):
    start = timezone.now()
    with minutes_later(start, 0):
        alert = alerts.raise_by_clinician(request_as(clinic.clinician), clinic.client.pk, "T3", "Worried.")
        run_worker()
    assert len(mail.outbox) == 2

    with minutes_later(start, 14):
        run_worker()
    assert RiskAlert.objects.get().escalation_level == 0  # not yet due

    with minutes_later(start, 16):
        run_worker()
    alert.refresh_from_db()
    assert (alert.status, alert.escalation_level) == (AlertStatus.OPEN, 1)
    assert Notification.objects.filter(recipient=clinic.supervisor, alert=alert).exists()
    delivery = AlertDelivery.objects.get(recipient=clinic.supervisor)
    assert (delivery.escalation_level, delivery.status) == (1, DeliveryStatus.SENT)
    assert [m.to for m in mail.outbox[2:]] == [[clinic.supervisor.email]]
    assert "not yet acknowledged" in mail.outbox[2].body
    assert not Notification.objects.filter(recipient=clinic.other_supervisor).exists()

    with minutes_later(start, 32):
        run_worker()
    alert.refresh_from_db()
    assert (alert.escalation_level, alert.escalate_at) == (2, None)  # the top of the chain
    admins = {clinic.administrator, administrator_2}
    assert {
        n.recipient for n in Notification.objects.filter(alert=alert, recipient__role=Role.ADMINISTRATOR)
    } == (admins)
    assert sorted(m.to[0] for m in mail.outbox[3:]) == sorted(a.email for a in admins)
    # Administrators cannot open the alert: they are told whom to reach, and linked to their page.
    note = Notification.objects.get(alert=alert, recipient=clinic.administrator)
    assert clinic.clinician.full_name in note.body and clinic.supervisor.full_name in note.body
    assert "/administration/" in mail.outbox[3].body and f"/alerts/{alert.pk}/" not in mail.outbox[3].body

    with minutes_later(start, 120):
        run_worker()
    assert len(mail.outbox) == 5  # nobody further up
    audit = AuditEvent.objects.filter(object_type="RiskAlert", detail__step="escalated")
    assert sorted(e.detail["level"] for e in audit) == [1, 2]


def test_an_acknowledged_alert_is_not_escalated(clinic):
    start = timezone.now()
    with minutes_later(start, 0):
        alert = alerts.raise_by_clinician(request_as(clinic.clinician), clinic.client.pk, "T3", "Worried.")
        run_worker()
    with minutes_later(start, 5):
        alerts.acknowledge(request_as(clinic.clinician), alert.pk, "Seen; calling.")
    with minutes_later(start, 60):
        run_worker()
    alert.refresh_from_db()
    assert (alert.escalation_level, alert.escalated_at) == (0, None)
    assert not Notification.objects.filter(recipient=clinic.supervisor).exists()
    assert len(mail.outbox) == 2


def test_a_t1_alert_waits_a_day_before_it_escalates(clinic):
    start = timezone.now()
    with minutes_later(start, 0):
        measurement.record_response(
            request_as(clinic.clinician), clinic.client.pk, "phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 1)
        )
        run_worker()
    with minutes_later(start, 23 * 60):
        run_worker()
    assert RiskAlert.objects.get().escalation_level == 0
    with minutes_later(start, 24 * 60 + 1):
        run_worker()
    assert RiskAlert.objects.get().escalation_level == 1


# --- A broken notification path never loses the alert --------------------------------------------


def test_with_the_mail_server_down_the_alert_stays_open_and_visible_and_the_e_mail_is_retried(
    clinic, as_user
):
    start = timezone.now()
    with override_settings(EMAIL_BACKEND="tests.test_alerts.RefusingBackend"), minutes_later(start, 0):
        alert = alerts.raise_by_clinician(request_as(clinic.co_clinician), clinic.client.pk, "T3", "Worried.")
        run_worker()
        assert RiskAlert.objects.get().status == AlertStatus.OPEN
        for delivery in AlertDelivery.objects.all():
            assert (delivery.status, delivery.attempts, delivery.last_error) == (
                DeliveryStatus.PENDING,
                1,
                "ConnectionRefusedError",
            )
        retries = jobs("send_alert_email", TaskResultStatus.READY)
        assert retries.count() == 2
        assert {r.run_after for r in retries} == {start + timedelta(minutes=1)}
        page = as_user(clinic.clinician).get("/alerts/").content.decode()
        assert f'id="alert-{alert.pk}"' in page
        assert Notification.objects.filter(recipient=clinic.clinician, alert=alert, read_at=None).exists()
    assert mail.outbox == []

    # The mail server is back: the retry sends it.
    with minutes_later(start, 2):
        run_worker()
    assert {d.status for d in AlertDelivery.objects.all()} == {DeliveryStatus.SENT}
    assert {d.attempts for d in AlertDelivery.objects.all()} == {2}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([clinic.clinician.email, clinic.co_clinician.email])


def test_an_e_mail_that_keeps_failing_is_marked_failed_and_the_alert_is_still_open(clinic):
    start = timezone.now()
    with override_settings(EMAIL_BACKEND="tests.test_alerts.RefusingBackend"):
        with minutes_later(start, 0):
            alerts.raise_by_clinician(request_as(clinic.clinician), clinic.client.pk, "T2", "Worried.")
        for minutes in (0, 2, 8, 25, 90):
            with minutes_later(start, minutes):
                run_worker()
    assert {(d.status, d.attempts) for d in AlertDelivery.objects.all()} == {(DeliveryStatus.FAILED, 5)}
    assert RiskAlert.objects.get().status == AlertStatus.OPEN
    # The escalation does not depend on the e-mail: it goes ahead at its deadline.
    with minutes_later(start, 241):
        run_worker()
    assert RiskAlert.objects.get().escalation_level == 1


def test_a_worker_crash_mid_escalation_leaves_the_alert_open_and_the_next_run_escalates_it(clinic, as_user):
    start = timezone.now()
    with minutes_later(start, 0):
        alert = alerts.raise_by_clinician(request_as(clinic.clinician), clinic.client.pk, "T3", "Worried.")
        run_worker()
    real_tell = alert_chain._tell

    def crash_on_escalation(alert, level):
        if level > 0:
            real_tell(alert, level)  # part of the work done, then the crash
            raise RuntimeError("worker crashed")
        return real_tell(alert, level)

    with mock.patch.object(alert_chain, "_tell", crash_on_escalation), minutes_later(start, 16):
        run_worker()
        assert jobs("check_escalations", TaskResultStatus.FAILED).count() == 1
        alert.refresh_from_db()
        assert (alert.status, alert.escalation_level) == (AlertStatus.OPEN, 0)
        # Nothing of the half-done escalation is left behind.
        assert not AlertDelivery.objects.filter(recipient=clinic.supervisor).exists()
        assert f'id="alert-{alert.pk}"' in as_user(clinic.clinician).get("/alerts/").content.decode()

    # The fault is gone; the job's own retry runs a minute later and escalates.
    with minutes_later(start, 18):
        run_worker()
    alert.refresh_from_db()
    assert alert.escalation_level == 1
    assert [m.to for m in mail.outbox[2:]] == [[clinic.supervisor.email]]


def test_a_worker_killed_mid_job_is_caught_up_by_the_retry_it_queued_first(clinic):
    start = timezone.now()
    with minutes_later(start, 0):
        alert = alerts.raise_by_clinician(request_as(clinic.clinician), clinic.client.pk, "T3", "Worried.")
        run_worker()
    # A worker takes the deadline's job and its process dies inside it: no exception handler and
    # no `finally` runs, and the job's row stays RUNNING for ever.
    job = jobs("check_escalations", TaskResultStatus.READY).get()
    with (
        minutes_later(start, 16),
        mock.patch.object(alert_chain, "escalate_due", side_effect=KeyboardInterrupt),
        pytest.raises(KeyboardInterrupt),
    ):
        job.claim("a-worker-that-dies")
        job.task.call()
    assert jobs("check_escalations").get(pk=job.pk).status == TaskResultStatus.RUNNING
    with minutes_later(start, 18):
        run_worker()
    alert.refresh_from_db()
    assert alert.escalation_level == 1


def test_no_e_mail_names_the_client(clinic):
    clinic.client.preferred_name = "Cai"
    clinic.client.save()
    start = timezone.now()
    with minutes_later(start, 0):
        alerts.raise_by_clinician(request_as(clinic.clinician), clinic.client.pk, "T3", "Worried.")
        alerts.help_now(request_as(clinic.client_user))
        run_worker()
    for minutes in (16, 32):
        with minutes_later(start, minutes):
            run_worker()
    assert len(mail.outbox) >= 8
    for message in mail.outbox:
        text = message.subject + message.body
        for name in (CANARY, clinic.client.full_name, "Cai", clinic.client.date_of_birth.isoformat()):
            assert name not in text


def test_a_refused_submission_sent_with_an_idempotency_key_keeps_its_alert_and_says_so(clinic, as_user):
    # The key's wrapper rolls a refused request back whole; the alert is raised after it.
    answers = {**phq9(0, 0, 0, 0, 0, 0, 0, 0, 2), "item3": "sometimes"}
    answer = as_user(clinic.clinician).post(
        f"/api/v1/clients/{clinic.client.pk}/responses",
        {"instrument": "phq9", "answers": answers},
        content_type="application/json",
        headers={"Idempotency-Key": "paper-1"},
    )
    assert answer.status_code == 422 and answer.json()["kept"]
    assert not Response.objects.exists()
    assert RiskAlert.objects.get().reasons[0] == "refused_submission"
