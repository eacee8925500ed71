"""Questionnaires through the API: scores, risk items, alerts in the same transaction, change."""

from unittest import mock

import pytest
from django.db import DatabaseError

from rapport.audit.models import Action, AuditEvent
from rapport.clinic.models import Notification, Response, RiskAlert

FREQ = ["not_at_all", "several_days", "more_than_half_the_days", "nearly_every_day"]


def phq9(*scores, difficulty=None):
    answers = {f"item{i}": FREQ[s] for i, s in enumerate(scores, start=1) if s is not None}
    if difficulty:
        answers["difficulty"] = difficulty
    return answers


def post(client, clinic, instrument, answers, **extra):
    return client.post(
        f"/api/v1/clients/{clinic.client.pk}/responses",
        {"instrument": instrument, "answers": answers, **extra},
        content_type="application/json",
    )


def test_a_complete_phq9_is_scored_and_banded(clinic, as_user):
    body = post(as_user(clinic.clinician), clinic, "phq9", phq9(2, 2, 2, 2, 2, 1, 1, 0, 0)).json()
    assert (body["complete"], body["total"], body["band"]) == (True, 12, "moderate")
    assert (body["risk_flags"], body["risk_level"], body["alert_id"]) == ([], "none", None)
    assert body["respondent"] == "clinician"
    assert not RiskAlert.objects.exists()


def test_item9_positive_inside_a_minimal_total_raises_an_alert(clinic, as_user):
    response = post(as_user(clinic.clinician), clinic, "phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 1))
    body = response.json()
    assert response.status_code == 201
    assert (body["total"], body["band"], body["risk_flags"], body["risk_level"]) == (
        1,
        "minimal",
        ["item9"],
        "low",
    )
    alert = RiskAlert.objects.get(pk=body["alert_id"])
    assert (alert.client, alert.response_id, alert.tier, alert.status) == (
        clinic.client,
        body["id"],
        "T1",
        "open",
    )
    assert Notification.objects.filter(recipient=clinic.clinician, client=clinic.client).count() == 1
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="RiskAlert").count() == 1


def test_item9_answered_more_than_half_the_days_is_a_higher_tier(clinic, as_user):
    body = post(as_user(clinic.clinician), clinic, "phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 2)).json()
    assert RiskAlert.objects.get(pk=body["alert_id"]).tier == "T2"


def test_a_skipped_item_leaves_no_total_and_an_unanswered_risk_item_is_reported_not_alerted(clinic, as_user):
    body = post(as_user(clinic.clinician), clinic, "phq9", phq9(3, 3, 3, 3, 3, 3, 3, 3, None)).json()
    assert (body["complete"], body["total"], body["band"]) == (False, None, None)
    assert body["unanswered_risk_items"] == ["item9"] and body["alert_id"] is None


def test_the_cssrs_level_is_the_highest_matching_rule(clinic, as_user):
    answers = {"q1": "yes", "q2": "yes", "q3": "yes", "q4": "yes", "q5": "no", "q6": "no"}
    body = post(as_user(clinic.clinician), clinic, "cssrs_screen", answers).json()
    assert body["risk_level"] == "high" and body["total"] is None
    assert RiskAlert.objects.get(pk=body["alert_id"]).tier == "T3"


@pytest.mark.parametrize(
    ("instrument", "answers", "named"),
    [
        ("phq9", {"item1": "sometimes"}, "item1"),
        ("phq9", {"item99": "not_at_all"}, "item99"),
        ("cssrs_screen", {"q2": "no", "q3": "yes"}, "q3"),
    ],
    ids=["unknown option", "unknown item", "item the branching skips"],
)
def test_invalid_answers_are_refused_naming_the_item_and_nothing_is_stored(
    instrument, answers, named, clinic, as_user
):
    response = post(as_user(clinic.clinician), clinic, instrument, answers)
    assert response.status_code == 422
    assert named in " ".join(response.json()["errors"]["answers"])
    assert not Response.objects.exists() and not RiskAlert.objects.exists()


def test_an_unknown_instrument_is_refused(clinic, as_user):
    response = post(as_user(clinic.clinician), clinic, "bdi", {})
    assert response.status_code == 422 and "instrument" in response.json()["errors"]


def test_a_response_is_never_stored_without_its_alert(clinic, as_user):
    client = as_user(clinic.clinician)
    with (
        mock.patch("rapport.clinic.models.RiskAlert.objects.create", side_effect=DatabaseError("lost")),
        pytest.raises(DatabaseError),
    ):
        post(client, clinic, "phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 3))
    assert not Response.objects.exists()
    assert not Notification.objects.exists()


def test_a_client_records_their_own_phq9_but_not_a_clinician_rated_scale(clinic, as_user):
    client = as_user(clinic.client_user)
    assert post(client, clinic, "phq9", phq9(1, 1, 1, 1, 1, 1, 1, 1, 0)).json()["respondent"] == "client"
    refused = post(client, clinic, "hamd17", {})
    assert refused.status_code == 422 and "clinician" in refused.json()["errors"]["instrument"][0]


def test_responses_are_listed_oldest_first_and_filtered_by_instrument(clinic, as_user):
    client = as_user(clinic.clinician)
    first = post(client, clinic, "phq9", phq9(3, 3, 3, 3, 3, 3, 3, 0, 0)).json()["id"]
    post(client, clinic, "gad7", {f"item{i}": FREQ[1] for i in range(1, 8)})
    second = post(client, clinic, "phq9", phq9(1, 1, 1, 1, 1, 1, 1, 0, 0)).json()["id"]
    listed = client.get(f"/api/v1/clients/{clinic.client.pk}/responses?instrument=phq9").json()
    assert [r["id"] for r in listed] == [first, second]
    assert len(client.get(f"/api/v1/clients/{clinic.client.pk}/responses").json()) == 3


def test_the_outcomes_summarise_change_since_baseline(clinic, as_user):
    client = as_user(clinic.clinician)
    post(client, clinic, "phq9", phq9(3, 3, 3, 3, 3, 2, 2, 2, 0), session_number=1)  # 21
    post(client, clinic, "phq9", phq9(2, 2, 2, 2, 1, 1, 1, 0, 0), session_number=4)  # 11
    body = client.get(f"/api/v1/clients/{clinic.client.pk}/outcomes").json()
    assert body["phq9"] == {
        "baseline": 21,
        "latest": 11,
        "change": -10,
        "percent_change": -47.6,
        "response": False,
        "remission": False,
        "reliable_improvement": True,
        "reliable_deterioration": False,
        "not_on_track": False,
    }
    assert body["recovery"] is None and body["reliable_recovery"] is None


def test_outcomes_of_a_client_without_scores_are_empty(clinic, as_user):
    body = as_user(clinic.clinician).get(f"/api/v1/clients/{clinic.client.pk}/outcomes").json()
    assert body["recovery"] is None and "phq9" not in body


def test_alerts_are_listed_newest_first(clinic, as_user):
    client = as_user(clinic.clinician)
    older = post(client, clinic, "phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 1)).json()["alert_id"]
    newer = post(client, clinic, "phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 3)).json()["alert_id"]
    alerts = client.get(f"/api/v1/clients/{clinic.client.pk}/alerts").json()
    assert [a["id"] for a in alerts] == [newer, older]


def test_the_phq9_definition_lists_items_and_options_in_display_order(clinic, as_user):
    body = as_user(clinic.clinician).get("/api/v1/instruments/phq9").json()
    assert [i["id"] for i in body["items"]] == [f"item{n}" for n in range(1, 10)] + ["difficulty"]
    assert [o["code"] for o in body["items"][0]["options"]] == FREQ
    assert [o["score"] for o in body["items"][0]["options"]] == [0, 1, 2, 3]
    assert [b["id"] for b in body["bands"]] == ["minimal", "mild", "moderate", "moderately_severe", "severe"]


def test_the_cssrs_definition_asks_6b_last_with_yes_and_no(clinic, as_user):
    body = as_user(clinic.clinician).get("/api/v1/instruments/cssrs_screen").json()
    assert [i["id"] for i in body["items"]] == ["q1", "q2", "q3", "q4", "q5", "q6", "q6b"]
    assert {tuple(o["label"] for o in i["options"]) for i in body["items"]} == {("Yes", "No")}


def test_an_unknown_instrument_definition_is_404(clinic, as_user):
    assert as_user(clinic.clinician).get("/api/v1/instruments/bdi").status_code == 404


def test_a_client_sees_their_answers_but_not_the_triage_alert(clinic, as_user):
    body = post(as_user(clinic.client_user), clinic, "phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 1)).json()
    assert body["alert_id"] is None
    assert RiskAlert.objects.filter(client=clinic.client).count() == 1, "the alert exists for the clinician"


def test_a_client_gets_no_band_for_their_own_answers_and_the_clinician_does(clinic, as_user):
    severe = phq9(3, 3, 3, 3, 3, 3, 2, 2, 0)
    mine = post(as_user(clinic.client_user), clinic, "phq9", severe).json()
    assert (mine["total"], mine["band"]) == (22, None)
    listed = as_user(clinic.client_user).get(f"/api/v1/clients/{clinic.client.pk}/responses").json()
    assert [r["band"] for r in listed] == [None]
    staff = as_user(clinic.clinician).get(f"/api/v1/clients/{clinic.client.pk}/responses").json()
    assert [r["band"] for r in staff] == ["severe"]


def test_a_score_after_a_course_ended_belongs_to_that_course(clinic, as_user):
    from rapport.clinic.models import Course

    course = Course.objects.create(client=clinic.client, status="ended")
    post(as_user(clinic.clinician), clinic, "phq9", phq9(1, 1, 1, 1, 1, 1, 1, 1, 0))
    assert list(Response.objects.values_list("course_id", flat=True)) == [course.pk]


def test_a_paper_form_can_be_entered_with_the_day_it_was_filled_in_but_not_a_future_one(clinic, as_user):
    client = as_user(clinic.clinician)
    url = f"/clients/{clinic.client.pk}/questionnaires/phq9/"
    answers = {f"item{i}": "several_days" for i in range(1, 10)}
    client.post(url, {**answers, "item9": "not_at_all", "answered_on": "2026-01-12"})
    assert Response.objects.get().answered_at.date().isoformat() == "2026-01-12"
    refused = client.post(url, {**answers, "item9": "not_at_all", "answered_on": "2999-01-01"})
    assert b"cannot be answered in the future" in refused.content
    assert Response.objects.count() == 1


@pytest.mark.parametrize("taken", ["2026-02-30", "yesterday"])
def test_an_impossible_date_taken_is_refused_with_a_clear_message(taken, clinic, as_user):
    answers = {f"item{i}": "several_days" for i in range(1, 10)}
    response = as_user(clinic.clinician).post(
        f"/clients/{clinic.client.pk}/questionnaires/phq9/", {**answers, "answered_on": taken}
    )
    assert response.status_code == 200 and b"as a real date" in response.content
    assert not Response.objects.exists()


def test_a_form_dated_today_is_accepted_at_any_hour(clinic, as_user):
    from django.utils import timezone

    answers = {f"item{i}": "several_days" for i in range(1, 10)}
    today = timezone.localdate().isoformat()
    response = as_user(clinic.clinician).post(
        f"/clients/{clinic.client.pk}/questionnaires/phq9/", {**answers, "answered_on": today}
    )
    assert response.status_code == 302 and Response.objects.count() == 1


def test_epds_item_10_positive_raises_an_alert_whatever_the_total(clinic, as_user):
    from rapport.core import instruments

    epds = instruments.get("epds")
    lowest = {item.id: min(item.options, key=lambda o: o.score).code for item in epds.items}
    item10 = epds.item("item10")
    lowest["item10"] = next(o.code for o in item10.options if o.score == 1)
    body = post(as_user(clinic.clinician), clinic, "epds", lowest).json()
    assert body["total"] == 1 and "item10" in body["risk_flags"]
    assert RiskAlert.objects.get(pk=body["alert_id"]).status == "open"
