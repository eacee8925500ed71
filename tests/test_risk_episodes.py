"""Risk shown as risk: one risk episode is one alert (a C-SSRS after a positive PHQ-9 item 9 or
EPDS item 10 raises the open alert's tier and joins its history), the result page offers the
C-SSRS to the clinician, the caseload flags the highest open tier, in-app notices name the client
only to those who see them, and the portal shows the tier's help on the question that raised it."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from rapport.audit.models import Action, AuditEvent
from rapport.clinic import alert_chain, alerts, measurement
from rapport.clinic.models import (
    AlertStatus,
    AlertTrigger,
    CheckInSchedule,
    Course,
    Notification,
    Response,
    RiskAlert,
)
from rapport.common.errors import InvalidInput
from rapport.core import instruments, triage
from tests.support import request_as, run_worker

FREQ = ["not_at_all", "several_days", "more_than_half_the_days", "nearly_every_day"]
CSSRS_LOW = {"q1": "yes", "q2": "no", "q6": "no"}
CSSRS_MODERATE = {"q1": "yes", "q2": "yes", "q3": "yes", "q4": "no", "q5": "no", "q6": "no"}
CSSRS_HIGH = {"q1": "yes", "q2": "yes", "q3": "yes", "q4": "yes", "q5": "no", "q6": "no"}


def phq9(item9: int) -> dict:
    return {f"item{i}": FREQ[1] for i in range(1, 9)} | {"item9": FREQ[item9]}


def epds(item10_score: int) -> dict:
    definition = instruments.get("epds")
    answers = {item.id: min(item.options, key=lambda o: o.score).code for item in definition.items}
    answers["item10"] = next(o.code for o in definition.item("item10").options if o.score == item10_score)
    return answers


def record(clinic, instrument, answers, by=None) -> Response:
    return measurement.record_response(
        request_as(by or clinic.clinician), clinic.client.pk, instrument, answers
    )


def text(response) -> str:
    return response.content.decode()


# --- One episode, one alert ---------------------------------------------------------------------


def test_a_c_ssrs_after_a_positive_item_9_raises_the_same_alert_to_the_higher_tier(clinic):
    first = record(clinic, "phq9", phq9(1))
    alert = RiskAlert.objects.get(client=clinic.client)
    assert alert.tier == "T1" and alert.response == first
    screener = record(clinic, "cssrs_screen", CSSRS_HIGH)
    assert RiskAlert.objects.filter(client=clinic.client).count() == 1
    alert.refresh_from_db()
    assert (alert.tier, alert.risk_level, alert.status) == ("T3", "high", AlertStatus.OPEN)
    assert alert.version == 2
    # The first trigger's reasons stay; the screener's are added after them.
    assert alert.reasons[0] == "item9_positive" and "intent_plan_or_recent_behaviour" in alert.reasons
    trigger = AlertTrigger.objects.get(alert=alert)
    assert (trigger.response, trigger.tier_before, trigger.tier_after) == (screener, "T1", "T3")
    assert alert_chain.alert_of_response(screener) == alert
    # The higher tier has the shorter acknowledgement window.
    assert alert.escalate_at <= trigger.created_at + triage.triage_rules().tier("T3").acknowledge_within
    audit = AuditEvent.objects.filter(action=Action.UPDATE, object_type="RiskAlert", object_id=str(alert.pk))
    assert audit.get().detail["step"] == "tier_raised"


def test_the_people_told_hear_of_the_higher_tier_in_app_and_by_an_e_mail_that_names_no_one(clinic):
    record(clinic, "phq9", phq9(1))
    record(clinic, "cssrs_screen", CSSRS_HIGH)
    raised = Notification.objects.filter(subject__startswith="Risk alert raised from T1 to T3")
    assert {n.recipient for n in raised} == {clinic.clinician, clinic.co_clinician}
    run_worker()
    assert len(mail.outbox) == 4  # two people, told of T1 then of T3
    for message in mail.outbox:
        assert clinic.client.full_name not in message.body + message.subject
        assert clinic.client.display_name not in message.body + message.subject
    # An e-mail reads the alert when it is sent, so even the first ones say T3 by then.
    assert all("T3" in m.subject for m in mail.outbox)


def test_a_lower_c_ssrs_joins_the_alert_without_lowering_it_or_telling_anyone_again(clinic):
    record(clinic, "phq9", phq9(2))
    alert = RiskAlert.objects.get(client=clinic.client)
    told = Notification.objects.filter(alert=alert).count()
    deadline = alert.escalate_at
    record(clinic, "cssrs_screen", CSSRS_LOW)
    alert.refresh_from_db()
    assert (alert.tier, alert.risk_level) == ("T2", "moderate")
    assert alert.escalate_at == deadline
    assert Notification.objects.filter(alert=alert).count() == told
    trigger = AlertTrigger.objects.get(alert=alert)
    assert (trigger.tier, trigger.tier_before, trigger.tier_after) == ("T1", "T2", "T2")


def test_an_epds_item_10_then_a_c_ssrs_is_one_alert_too(clinic):
    record(clinic, "epds", epds(1))
    record(clinic, "cssrs_screen", CSSRS_MODERATE)
    alert = RiskAlert.objects.get(client=clinic.client)
    assert alert.tier == "T2" and alert.triggers.count() == 1


def test_an_acknowledged_alert_raised_to_a_higher_tier_needs_a_new_acknowledgement(clinic):
    record(clinic, "phq9", phq9(1))
    alert = RiskAlert.objects.get(client=clinic.client)
    alerts.acknowledge(request_as(clinic.clinician), alert.pk, "Rang her; will see her Thursday.")
    record(clinic, "cssrs_screen", CSSRS_HIGH)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN and alert.acknowledged_at is None
    assert alert.escalate_at is not None
    trigger = AlertTrigger.objects.get(alert=alert)
    assert trigger.reopened["note"] == "Rang her; will see her Thursday."
    assert trigger.reopened["acknowledged_by"] == str(clinic.clinician)
    # Unacknowledged, the T3 alert escalates to the supervisors within T3's window.
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        assert alert_chain.escalate_due() == 1
    alert.refresh_from_db()
    assert alert.escalation_level == 1
    alerts.acknowledge(request_as(clinic.clinician), alert.pk, "Seen the C-SSRS; crisis team called.")


def test_a_resolution_written_before_the_tier_rose_is_refused_not_recorded_over_it(clinic):
    record(clinic, "phq9", phq9(1))
    alert = RiskAlert.objects.get(client=clinic.client)
    seen = alert.version
    record(clinic, "cssrs_screen", CSSRS_HIGH)
    with pytest.raises(InvalidInput):
        alerts.resolve(request_as(clinic.clinician), alert.pk, "next_session", "", version=seen)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN and alert.tier == "T3"


def test_a_c_ssrs_after_the_alert_was_resolved_opens_a_new_alert(clinic):
    record(clinic, "phq9", phq9(1))
    alert = RiskAlert.objects.get(client=clinic.client)
    alerts.resolve(request_as(clinic.clinician), alert.pk, "contacted", "")
    record(clinic, "cssrs_screen", CSSRS_MODERATE)
    assert RiskAlert.objects.filter(client=clinic.client).count() == 2
    assert RiskAlert.objects.get(pk=alert.pk).tier == "T1"


def test_a_c_ssrs_outside_the_episode_window_opens_a_new_alert(clinic):
    record(clinic, "phq9", phq9(1))
    window = triage.triage_rules().episode_window
    with time_machine.travel(timezone.now() + window + timedelta(minutes=1), tick=False):
        record(clinic, "cssrs_screen", CSSRS_MODERATE)
    assert sorted(RiskAlert.objects.filter(client=clinic.client).values_list("tier", flat=True)) == [
        "T1",
        "T2",
    ]


def test_a_c_ssrs_without_a_risk_screen_before_it_opens_its_own_alert(clinic):
    record(clinic, "phq9", phq9(0))
    record(clinic, "cssrs_screen", CSSRS_HIGH)
    assert RiskAlert.objects.get(client=clinic.client).triggers.count() == 0


def test_another_clients_open_alert_is_never_joined(clinic):
    measurement.record_response(request_as(clinic.other_clinician), clinic.other_client.pk, "phq9", phq9(1))
    record(clinic, "cssrs_screen", CSSRS_HIGH)
    assert RiskAlert.objects.get(client=clinic.other_client).tier == "T1"
    assert RiskAlert.objects.get(client=clinic.client).tier == "T3"


# --- The pages ----------------------------------------------------------------------------------


def test_the_alert_page_shows_every_trigger_in_its_history(clinic, as_user):
    first = record(clinic, "phq9", phq9(1))
    screener = record(clinic, "cssrs_screen", CSSRS_HIGH)
    alert = RiskAlert.objects.get(client=clinic.client)
    page = text(as_user(clinic.clinician).get(f"/alerts/{alert.pk}/"))
    assert "PHQ-9 question 9 answered" in page
    assert "C-SSRS screener raised this alert from T1 to T3" in page
    assert "C-SSRS screener question 4 answered “Yes”." in page
    assert f'href="/clients/{clinic.client.pk}/responses/{first.pk}/"' in page
    assert f'href="/clients/{clinic.client.pk}/responses/{screener.pk}/"' in page
    assert "of the higher tier" in page  # the re-telling is its own step


def test_the_result_page_of_a_positive_epds_item_10_offers_the_c_ssrs_until_it_is_recorded(clinic, as_user):
    browser = as_user(clinic.clinician)
    response = record(clinic, "epds", epds(2))
    url = f"/clients/{clinic.client.pk}/responses/{response.pk}/"
    offer = f'href="/clients/{clinic.client.pk}/questionnaires/cssrs_screen/"'
    assert offer in text(browser.get(url))
    # A supervisor reads the page but records nothing, so nothing is offered to them.
    assert offer not in text(as_user(clinic.supervisor).get(url))
    screener = record(clinic, "cssrs_screen", CSSRS_LOW)
    assert offer not in text(browser.get(url))
    joined = text(browser.get(f"/clients/{clinic.client.pk}/responses/{screener.pk}/"))
    assert "added to the open risk alert of the same check-in or visit, now T2" in joined


def test_no_risk_no_offer(clinic, as_user):
    response = record(clinic, "epds", epds(0))
    page = text(as_user(clinic.clinician).get(f"/clients/{clinic.client.pk}/responses/{response.pk}/"))
    assert "cssrs_screen" not in page


def test_the_api_gives_the_c_ssrs_the_alert_of_its_episode(clinic, as_user):
    record(clinic, "phq9", phq9(1))
    record(clinic, "cssrs_screen", CSSRS_HIGH)
    alert = RiskAlert.objects.get(client=clinic.client)
    body = as_user(clinic.clinician).get(f"/api/v1/clients/{clinic.client.pk}/responses").json()
    assert [r["alert_id"] for r in body] == [alert.pk, alert.pk]


def test_the_caseload_flag_shows_the_highest_open_tier_and_sets_t3_apart(clinic, as_user):
    alerts.raise_by_clinician(request_as(clinic.clinician), clinic.client.pk, "T1", "Low mood.")
    page = text(as_user(clinic.clinician).get("/caseload/"))
    tier = '<span class="tier tier-t1">T1</span> '
    assert f'alert-flag-t1" href="/alerts/">{tier}<span class="flag-text">1 open alert' in page
    assert "High risk:" not in page
    alerts.raise_by_clinician(request_as(clinic.clinician), clinic.client.pk, "T3", "Said she has a plan.")
    page = text(as_user(clinic.clinician).get("/caseload/"))
    assert (
        'alert-flag-t3" href="/alerts/"><span class="tier tier-t3">T3</span> '
        '<span class="flag-text"><strong>High risk:</strong> 2 open alerts' in page
    )


def test_the_caseload_sorted_by_flags_puts_t3_first(clinic, as_user):
    alerts.raise_by_clinician(request_as(clinic.clinician), clinic.client.pk, "T1", "a")
    alerts.raise_by_clinician(request_as(clinic.clinician), clinic.client.pk, "T1", "b")
    other = clinic.other_client
    other.team, other.responsible_clinician = clinic.client.team, clinic.clinician
    other.save()
    alerts.raise_by_clinician(request_as(clinic.clinician), other.pk, "T3", "c")
    page = text(as_user(clinic.clinician).get("/caseload/?sort=alerts"))
    assert page.index(other.display_name) < page.index(clinic.client.display_name)


def test_in_app_notices_name_the_client_to_those_who_see_them_and_to_no_one_else(clinic, as_user):
    alert = alerts.raise_by_clinician(request_as(clinic.clinician), clinic.client.pk, "T2", "x")
    name = f'<a href="/clients/{clinic.client.pk}/">{clinic.client.display_name}</a>'
    for person in (clinic.clinician, clinic.co_clinician):
        assert Notification.objects.filter(recipient=person, alert=alert).exists()
        assert name in text(as_user(person).get("/caseload/"))
    # Escalated to the administrators, who see no clinical record: named by number only.
    RiskAlert.objects.filter(pk=alert.pk).update(escalation_level=1)
    alert_chain._tell(RiskAlert.objects.get(pk=alert.pk), 2)
    assert Notification.objects.filter(recipient=clinic.administrator).exists()
    admin_page = text(as_user(clinic.administrator).get("/administration/"))
    notice = admin_page.split('class="card notice"', 1)[1].split("</form>", 1)[0]
    assert f"client #{clinic.client.pk}" in notice
    assert clinic.client.display_name not in notice and clinic.client.full_name not in notice


# --- The portal ---------------------------------------------------------------------------------


@pytest.fixture
def me(clinic, as_user):
    Course.objects.create(client=clinic.client, planned_sessions=12)
    CheckInSchedule.objects.create(client=clinic.client, instrument="phq9", created_by=clinic.clinician)
    return as_user(clinic.client_user)


def test_a_risk_answer_shows_its_tiers_help_on_that_questions_screen_before_anything_is_sent(me, clinic):
    answer = me.post("/my/check-ins/phq9/9/", {"answer": "more_than_half_the_days", "action": "next"})
    assert answer["Location"] == "/my/check-ins/phq9/9/"
    page = text(me.get(answer["Location"]))
    assert 'class="tier-help tier-help-t2"' in page
    assert 'class="crisis-panel tier-t2"' in page
    assert "If you feel unsafe now, please contact a crisis line now." in page
    assert 'value="more_than_half_the_days" checked' in page
    # Nothing is sent, so no alert yet: the unsent-answer alert stays the safety net.
    assert not RiskAlert.objects.filter(client=clinic.client).exists()
    assert me.post("/my/check-ins/phq9/9/", {"answer": "more_than_half_the_days", "action": "next"})[
        "Location"
    ] == ("/my/check-ins/phq9/10/")
    assert "tier-help" not in text(me.get("/my/check-ins/phq9/10/"))


def test_leaving_after_a_risk_answer_still_raises_the_unsent_answer_alert(me, clinic):
    me.post("/my/check-ins/phq9/9/", {"answer": "several_days", "action": "next"})
    with time_machine.travel(timezone.now() + alert_chain.UNSENT_DRAFT_AFTER + timedelta(minutes=1)):
        assert alert_chain.alert_unsent_drafts() == 1


def test_a_c_ssrs_answer_that_raises_the_tier_shows_the_higher_help_at_once(me, clinic):
    me.post("/my/check-ins/cssrs_screen/1/", {"answer": "yes", "action": "next"})
    assert 'class="tier-help tier-help-t1"' in text(me.get("/my/check-ins/cssrs_screen/1/"))
    assert me.post("/my/check-ins/cssrs_screen/1/", {"answer": "yes", "action": "next"})["Location"].endswith(
        "/2/"
    )
    # Yes to question 2 keeps the level low: the client moves on.
    assert me.post("/my/check-ins/cssrs_screen/2/", {"answer": "yes", "action": "next"})["Location"].endswith(
        "/3/"
    )
    me.post("/my/check-ins/cssrs_screen/3/", {"answer": "no", "action": "next"})
    assert me.post("/my/check-ins/cssrs_screen/4/", {"answer": "yes", "action": "next"})["Location"].endswith(
        "/4/"
    )
    assert 'class="crisis-panel tier-t3"' in text(me.get("/my/check-ins/cssrs_screen/4/"))


def test_within_an_episode_the_c_ssrs_help_shows_only_when_it_rises_above_the_open_alerts_tier(me, clinic):
    measurement.record_response(request_as(clinic.client_user), clinic.client.pk, "phq9", phq9(2))
    # Low and moderate answers stay within the T2 help the client has just had: they move on.
    for number in (1, 2, 3):
        answer = me.post(f"/my/check-ins/cssrs_screen/{number}/", {"answer": "yes", "action": "next"})
        assert answer["Location"].endswith(f"/{number + 1}/")
        assert "tier-help" not in text(me.get(f"/my/check-ins/cssrs_screen/{number}/"))
    answer = me.post("/my/check-ins/cssrs_screen/4/", {"answer": "yes", "action": "next"})
    assert answer["Location"].endswith("/4/")
    assert 'class="tier-help tier-help-t3"' in text(me.get("/my/check-ins/cssrs_screen/4/"))


def test_the_question_counter_counts_only_the_questions_the_branching_will_ask(me):
    assert "Question 1 of 3" in text(me.get("/my/check-ins/cssrs_screen/1/"))
    me.post("/my/check-ins/cssrs_screen/1/", {"answer": "no", "action": "next"})
    assert "Question 2 of 3" in text(me.get("/my/check-ins/cssrs_screen/2/"))
    me.post("/my/check-ins/cssrs_screen/2/", {"answer": "no", "action": "next"})
    assert "Question 3 of 3" in text(me.get("/my/check-ins/cssrs_screen/6/"))
    # A Yes to question 2 brings in questions 3 to 5.
    me.post("/my/check-ins/cssrs_screen/2/", {"answer": "yes", "action": "next"})
    assert "Question 3 of 6" in text(me.get("/my/check-ins/cssrs_screen/3/"))
    # A Yes to question 6 brings in 6b, and the count says so.
    for number in (3, 4, 5):
        me.post(f"/my/check-ins/cssrs_screen/{number}/", {"answer": "no", "action": "next"})
    me.post("/my/check-ins/cssrs_screen/6/", {"answer": "yes", "action": "next"})
    assert "Question 7 of 7" in text(me.get("/my/check-ins/cssrs_screen/7/"))


def test_a_client_whose_phq9_item_9_and_c_ssrs_in_one_check_in_make_one_alert_at_the_higher_tier(me, clinic):
    from tests.test_portal_pages import answer_all

    codes = {f"item{n}": "not_at_all" for n in range(1, 9)} | {
        "item9": "several_days",
        "difficulty": "not_difficult_at_all",
    }
    answer_all(me, "phq9", codes)
    sent = answer_all(me, "cssrs_screen", CSSRS_HIGH)
    alert = RiskAlert.objects.get(client=clinic.client)
    assert alert.tier == "T3" and alert.triggers.count() == 1
    page = text(me.get(sent["Location"]))
    assert 'class="crisis-panel tier-t3 full"' in page
