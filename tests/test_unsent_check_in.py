"""A positive risk answer saved in a check-in the client never sends still reaches a person."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from rapport.clinic import portal
from rapport.clinic.models import AlertSource, CheckInDraft, RiskAlert
from tests.support import request_as, run_worker


def answer(clinic, item, code):
    return portal.save_answer(request_as(clinic.client_user), "phq9", item, code)


def test_an_unsent_positive_item_9_raises_its_alert_after_half_an_hour(clinic):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        answer(clinic, "item1", "several_days")
        draft = answer(clinic, "item9", "more_than_half_the_days")
        assert draft.risk_answered_at == start
        run_worker()
        assert not RiskAlert.objects.exists(), "the client may still be answering: no alert yet"
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        run_worker()
    alert = RiskAlert.objects.get()
    assert (alert.tier, alert.source, alert.client) == ("T2", AlertSource.QUESTIONNAIRE, clinic.client)
    assert "unsent_check_in" in alert.reasons and alert.response is None
    assert alert.source_record == {"type": "CheckInDraft", "id": draft.pk}
    assert alert.notifications.filter(recipient=clinic.clinician).exists()
    with time_machine.travel(start + timedelta(minutes=40), tick=False):
        run_worker()
    assert RiskAlert.objects.filter(source_record__type="CheckInDraft").count() == 1, "one alert per draft"


def test_a_check_in_sent_in_time_raises_one_alert_through_its_response(clinic):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        answer(clinic, "item9", "several_days")
        portal.submit(request_as(clinic.client_user), "phq9")
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        run_worker()
    alert = RiskAlert.objects.get()
    assert alert.response is not None and alert.tier == "T1"


def test_an_answer_changed_back_before_leaving_raises_nothing(clinic):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        answer(clinic, "item9", "several_days")
        answer(clinic, "item9", "not_at_all")
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        run_worker()
    assert not RiskAlert.objects.exists()
    assert CheckInDraft.objects.get().risk_answered_at is not None
