"""Taking a referral: the checks, the scoring of a skippable screening, the safety net of a risk
answer, the rate limits and the honeypot, and no way to learn whether someone is a client."""

from dataclasses import replace
from datetime import date

import pytest
from django.core import mail
from django.test import RequestFactory, override_settings
from django.utils import timezone

from rapport.audit.models import AuditEvent
from rapport.clinic.models import AlertDelivery, AlertSource, Notification, RiskAlert
from rapport.common.errors import InvalidInput
from rapport.intake import referrals
from rapport.intake.models import IntakeWorker, Referral, Stamp
from tests.support import run_worker

pytestmark = pytest.mark.django_db

PHQ9_LOW = {f"item{n}": "several_days" for n in range(1, 9)} | {"item9": "not_at_all"}


def public_request(ip="203.0.113.5"):
    request = RequestFactory().post("/refer/", REMOTE_ADDR=ip)
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    return request


def given(**overrides) -> referrals.NewReferral:
    base = referrals.NewReferral(
        full_name="Rowan Ashdown",
        date_of_birth=date(1991, 3, 4),
        country="GB",
        concern="I have felt low since my father died and I cannot face work.",
        consent_contact=True,
        consent_data=True,
        consent_wording_version="1",
        email="rowan@example.org",
        contact_by=("email",),
        phq9=dict(PHQ9_LOW),
    )
    return replace(base, **overrides)


@pytest.fixture(autouse=True)
def _after_commit(django_capture_on_commit_callbacks, monkeypatch):
    # The acknowledgement goes after the referral's commit: run it when the service returns.
    def submit(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return real(*args, **kwargs)

    real = referrals.submit
    monkeypatch.setattr(referrals, "submit", submit)


@pytest.fixture
def intake(clinic):
    # The personas' co-clinician does intake (tests/personas.py).
    assert IntakeWorker.objects.filter(user=clinic.co_clinician).exists()
    return clinic


def test_a_referral_is_kept_scored_and_acknowledged_by_an_e_mail_that_names_nobody(intake):
    sent = referrals.submit(public_request(), given())
    referral = Referral.objects.get(reference=sent.reference)
    assert (referral.phq9_total, referral.phq9_band, referral.urgent) == (8, "mild", False)
    assert referral.gad7_total is None  # nothing answered: no total
    assert referral.consent_wording_version == "1"
    assert not sent.urgent
    assert len(mail.outbox) == 1
    text = mail.outbox[0].subject + mail.outbox[0].body
    assert sent.reference in text
    for private in ("Rowan", "Ashdown", "father", "1991", "low"):
        assert private not in text.replace("Follow", "")
    assert AuditEvent.objects.filter(
        object_type="Referral", object_id=str(referral.pk), action="create"
    ).exists()


def test_a_skipped_item_leaves_no_total_but_an_answered_item_9_is_still_judged(intake):
    answers = {"item9": "several_days"}  # everything else skipped
    sent = referrals.submit(public_request(), given(phq9=answers))
    referral = Referral.objects.get(reference=sent.reference)
    assert referral.phq9_total is None and referral.phq9_band == ""
    assert sent.urgent and referral.urgent
    assert referral.risk_flags == ["phq9.item9"]


def test_a_positive_item_9_tells_the_intake_team_at_once_through_the_alert_chain(intake):
    sent = referrals.submit(public_request(), given(phq9=PHQ9_LOW | {"item9": "more_than_half_the_days"}))
    referral = Referral.objects.get(reference=sent.reference)
    alert = referral.alert
    assert alert is not None and alert.client is None and alert.source == AlertSource.REFERRAL
    assert alert.tier == "T2" and alert.escalate_at is not None
    assert alert.source_record == {"type": "Referral", "id": referral.pk}
    note = Notification.objects.get(alert=alert)
    assert note.recipient == intake.co_clinician and note.kind == "referral"
    assert "Rowan" not in note.subject + note.body
    # The crisis lines for the person's country come back with the answer.
    assert sent.crisis.country == "GB" and sent.crisis.lines
    # The e-mail to the intake worker is sent by the worker, and links to the inbox.
    run_worker()
    delivery = AlertDelivery.objects.get(alert=alert)
    assert delivery.status == "sent"
    to_worker = [m for m in mail.outbox if m.to == [intake.co_clinician.email]]
    assert to_worker and "/intake/" in to_worker[0].body


def test_an_urgent_referral_nobody_acknowledges_escalates_to_supervisors_then_administrators(intake):
    from datetime import timedelta

    from django.utils import timezone

    from rapport.clinic import alert_chain

    sent = referrals.submit(public_request(), given(phq9=PHQ9_LOW | {"item9": "several_days"}))
    alert = Referral.objects.get(reference=sent.reference).alert
    # Item 9 "several days" is T1 for a client; a referral's alert is at least T2 (same day).
    assert alert.tier == "T2" and alert.escalate_at - alert.created_at == timedelta(hours=4)
    alert_chain.escalate_due(now=alert.escalate_at + timedelta(seconds=1))
    alert.refresh_from_db()
    assert alert.escalation_level == 1
    told = set(Notification.objects.filter(alert=alert).values_list("recipient__email", flat=True))
    assert {intake.supervisor.email, intake.other_supervisor.email} <= told
    alert_chain.escalate_due(now=timezone.now() + timedelta(days=1))
    alert.refresh_from_db()
    assert alert.escalation_level == 2
    assert Notification.objects.filter(alert=alert, recipient=intake.administrator).exists()


def test_with_nobody_in_intake_an_urgent_referral_still_reaches_a_person(clinic):
    IntakeWorker.objects.update(ended_at=timezone.now())
    sent = referrals.submit(public_request(), given(phq9={"item9": "nearly_every_day"}))
    alert = Referral.objects.get(reference=sent.reference).alert
    assert alert.escalation_level == 1  # the empty first step is skipped
    assert Notification.objects.filter(alert=alert, recipient=clinic.supervisor).exists()


def test_bad_input_is_refused_by_field_and_nothing_is_kept(intake):
    bad = given(
        full_name=" ",
        date_of_birth=None,
        country="XX",
        consent_data=False,
        contact_by=("phone",),
        phq9={"item1": "sometimes", "item99": "not_at_all"},
    )
    with pytest.raises(InvalidInput) as refused:
        referrals.submit(public_request(), bad)
    assert set(refused.value.errors) >= {
        "full_name",
        "date_of_birth",
        "country",
        "consent_data",
        "phone",
        "phq9.item1",
        "phq9.item99",
    }
    assert not Referral.objects.exists() and not Stamp.objects.exists() and not mail.outbox


def test_a_professional_must_say_who_they_are_and_gets_the_acknowledgement(intake):
    with pytest.raises(InvalidInput) as refused:
        referrals.submit(public_request(), given(referred_by="professional"))
    assert set(refused.value.errors) == {"referrer_name", "referrer_email"}
    referrals.submit(
        public_request(),
        given(referred_by="professional", referrer_name="Dr Ames", referrer_email="gp@example.org"),
    )
    assert mail.outbox[-1].to == ["gp@example.org"]


def test_a_filled_honeypot_gets_the_same_answer_and_nothing_is_kept(intake):
    sent = referrals.submit(public_request(), given(), honeypot="http://spam.example")
    assert sent.reference.startswith("R") and len(sent.reference) == 8
    assert not Referral.objects.exists() and not mail.outbox


@override_settings(RAPPORT_REFERRALS_PER_IP=2, RAPPORT_REFERRALS_GLOBAL=3)
def test_the_rate_limits_hold_per_address_and_overall_and_refusals_keep_nothing(intake):
    referrals.submit(public_request("198.51.100.1"), given())
    referrals.submit(public_request("198.51.100.1"), given())
    with pytest.raises(referrals.RateLimited):
        referrals.submit(public_request("198.51.100.1"), given())
    referrals.submit(public_request("198.51.100.2"), given())
    with pytest.raises(referrals.RateLimited):
        referrals.submit(public_request("198.51.100.3"), given())
    assert Referral.objects.count() == 3 == Stamp.objects.count()
    # No address is stored, only a keyed digest.
    assert not Stamp.objects.filter(key__contains="198.51").exists()


def test_the_answer_is_the_same_whether_or_not_the_person_is_already_a_client(intake):
    client = intake.client
    as_client = referrals.submit(
        public_request(), given(full_name=client.full_name, date_of_birth=client.date_of_birth)
    )
    stranger = referrals.submit(public_request("203.0.113.9"), given())
    assert (as_client.urgent, as_client.reply_within_days) == (stranger.urgent, stranger.reply_within_days)
    first, second = mail.outbox
    assert first.subject == second.subject
    assert first.body.replace(as_client.reference, "") == second.body.replace(stranger.reference, "")
    assert RiskAlert.objects.count() == 0


def test_a_referrals_alert_is_not_found_through_the_client_alert_pages_or_fhir(intake, as_user):
    sent = referrals.submit(public_request(), given(phq9={"item9": "several_days"}))
    alert = Referral.objects.get(reference=sent.reference).alert
    browser = as_user(intake.co_clinician)
    assert browser.get(f"/alerts/{alert.pk}/").status_code == 404
    assert browser.get(f"/fhir/R4/Flag/{alert.pk}").status_code == 404
    assert sent.reference not in browser.get("/alerts/").content.decode()


# A refused form whose valid risk answers carry risk (hazard log HAZ-285).

PHQ9_RISK = PHQ9_LOW | {"item9": "more_than_half_the_days"}


def test_a_missing_date_of_birth_with_a_positive_item_9_keeps_one_incomplete_urgent_referral(intake):
    sent = referrals.submit(public_request(), given(date_of_birth=None, phq9=dict(PHQ9_RISK)))
    assert sent.urgent and sent.incomplete and set(sent.refused) == {"date_of_birth"}
    referral = Referral.objects.get()
    assert referral.reference == sent.reference
    assert (referral.incomplete, referral.urgent, referral.missing) == (True, True, ["date_of_birth"])
    assert referral.date_of_birth is None and referral.full_name == "Rowan Ashdown"
    assert referral.phq9_answers == PHQ9_RISK and referral.risk_flags == ["phq9.item9"]
    # The alert, and the intake team told, exactly as for a complete urgent referral.
    alert = referral.alert
    assert alert.source == AlertSource.REFERRAL and alert.tier == "T2"
    assert alert.reasons[0] == "incomplete_referral"
    note = Notification.objects.get(alert=alert)
    assert note.recipient == intake.co_clinician and note.kind == "referral"
    assert "Rowan" not in note.subject + note.body
    assert Stamp.objects.get().urgent
    assert AuditEvent.objects.get(object_type="Referral", action="create").detail["incomplete"] == [
        "date_of_birth"
    ]
    run_worker()
    assert AlertDelivery.objects.get(alert=alert).status == "sent"
    assert sent.crisis.country == "GB" and sent.crisis.lines


def test_an_incomplete_referral_keeps_only_what_was_valid(intake):
    sent = referrals.submit(
        public_request(),
        given(
            country="XX",
            phone="+44 20 7946 0000",
            email="not-an-address",
            contact_by=("phone", "email"),
            consent_data=False,
            phq9={"item1": "sometimes", "item2": "several_days", "item9": "nearly_every_day"},
            gad7={"item1": "nearly_every_day"},
        ),
    )
    referral = Referral.objects.get(reference=sent.reference)
    assert set(referral.missing) == {"country", "email", "consent_data", "phq9.item1"}
    assert (referral.country.code or "", referral.email, referral.phone) == ("", "", "+44 20 7946 0000")
    assert referral.phq9_answers == {"item2": "several_days", "item9": "nearly_every_day"}
    assert referral.gad7_answers == {"item1": "nearly_every_day"}
    assert referral.phq9_total is None  # items skipped or refused: no total
    assert referral.consent_data is False  # as the person left it; intake asks when they call
    assert not mail.outbox or all("not-an-address" not in m.to for m in mail.outbox)


def test_without_a_valid_way_to_reach_the_person_nothing_is_kept_and_nobody_is_told(intake):
    bad = given(email="rowan-at-example", phone="", contact_by=("email",), phq9=dict(PHQ9_RISK))
    with pytest.raises(InvalidInput) as refused:
        referrals.submit(public_request(), bad)
    assert "email" in refused.value.errors
    assert referrals.risk_answered(bad)  # the page still shows the crisis lines
    nameless = given(full_name="", date_of_birth=None, phq9=dict(PHQ9_RISK))
    with pytest.raises(InvalidInput):
        referrals.submit(public_request(), nameless)
    assert not Referral.objects.exists() and not RiskAlert.objects.exists() and not Stamp.objects.exists()
    assert not Notification.objects.exists() and not mail.outbox


def test_a_refused_form_without_a_risk_answer_is_still_refused_whole(intake):
    with pytest.raises(InvalidInput):
        referrals.submit(public_request(), given(date_of_birth=None))
    assert not Referral.objects.exists()


def test_a_filled_honeypot_keeps_nothing_even_with_a_risk_answer_on_a_refused_form(intake):
    referrals.submit(
        public_request(), given(date_of_birth=None, phq9=dict(PHQ9_RISK)), honeypot="http://spam.example"
    )
    assert not Referral.objects.exists() and not RiskAlert.objects.exists() and not Stamp.objects.exists()


@override_settings(
    RAPPORT_REFERRALS_PER_IP=1,
    RAPPORT_REFERRALS_GLOBAL=4,
    RAPPORT_URGENT_REFERRALS_PER_IP=2,
    RAPPORT_URGENT_REFERRALS_GLOBAL=3,
)
def test_over_the_rate_limit_a_risk_answer_is_kept_within_a_bounded_urgent_cap(intake):
    here, there = public_request("198.51.100.7"), public_request("198.51.100.8")
    referrals.submit(here, given())
    with pytest.raises(referrals.RateLimited):
        referrals.submit(here, given())  # no risk answer: the ordinary limit holds
    kept = referrals.submit(here, given(phq9=dict(PHQ9_RISK)))
    assert Referral.objects.get(reference=kept.reference).alert is not None
    referrals.submit(here, given(date_of_birth=None, phq9=dict(PHQ9_RISK)))  # incomplete: kept too
    with pytest.raises(referrals.RateLimited):
        referrals.submit(here, given(phq9=dict(PHQ9_RISK)))  # this address's urgent cap is reached
    referrals.submit(there, given())
    referrals.submit(there, given(phq9=dict(PHQ9_RISK)))
    with pytest.raises(referrals.RateLimited):
        # Over the service's ordinary limit, and its urgent cap is reached as well.
        referrals.submit(public_request("198.51.100.9"), given(phq9=dict(PHQ9_RISK)))
    assert Referral.objects.filter(urgent=True).count() == 3 == Stamp.objects.filter(urgent=True).count()
    assert RiskAlert.objects.count() == 3


def test_the_fields_an_incomplete_referral_lacks_read_as_words(intake):
    assert referrals.missing_labels(["date_of_birth", "phq9.item3", "email"]) == [
        "date of birth",
        "PHQ-9 question 3",
        "e-mail address",
    ]
