"""The referrals API: public POST with the safety net in its answer, the intake team's GET."""

import pytest

from rapport.intake.models import Referral
from tests.access_matrix import ROUTES  # noqa: F401  (loads tests.matrix.intake in order)
from tests.matrix.intake import a_referral_body

pytestmark = pytest.mark.django_db


def post(client, body, **headers):
    return client.post("/api/v1/referrals", body, content_type="application/json", **headers)


def test_a_referral_through_the_api_is_kept_and_answered_with_a_reference(clinic, client):
    answer = post(client, a_referral_body(clinic))
    assert answer.status_code == 201
    data = answer.json()
    assert data["urgent"] is False and data["crisis"] is None
    assert Referral.objects.get(reference=data["reference"]).full_name == "Api Person"


def test_a_positive_risk_answer_comes_back_urgent_with_the_crisis_lines_of_the_country(clinic, client):
    body = a_referral_body(clinic) | {"country": "IE", "phq9": {"item9": "several_days"}}
    data = post(client, body).json()
    assert data["urgent"] is True
    assert data["crisis"]["country"] == "IE"
    assert data["crisis"]["emergency"] and data["crisis"]["lines"]
    assert all(line["tel"].startswith("tel:") or not line["tel"] for line in data["crisis"]["lines"])
    assert Referral.objects.get(reference=data["reference"]).alert is not None


def test_bad_input_gets_the_forms_words_and_nothing_is_kept(clinic, client):
    body = a_referral_body(clinic) | {"country": "XX", "phq9": {"item1": "often"}, "extra": 1}
    answer = post(client, body)
    assert answer.status_code == 422
    assert "extra" in answer.json()["errors"]
    body.pop("extra")
    answer = post(client, body)
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert errors["country"] == ["Choose the country you live in."]
    assert errors["phq9.item1"] == ["Select a valid choice."]
    assert not Referral.objects.exists()


def test_over_the_limit_the_api_answers_429_and_keeps_nothing(clinic, client, settings):
    settings.RAPPORT_REFERRALS_PER_IP = 1
    assert post(client, a_referral_body(clinic)).status_code == 201
    refused = post(client, a_referral_body(clinic))
    assert refused.status_code == 429
    assert Referral.objects.count() == 1


def test_the_inbox_lists_urgent_referrals_first_for_the_intake_team(clinic, client, as_user):
    post(client, a_referral_body(clinic))
    post(client, a_referral_body(clinic) | {"full_name": "Urgent Api", "phq9": {"item9": "nearly_every_day"}})
    rows = as_user(clinic.co_clinician).get("/api/v1/referrals").json()
    assert [r["full_name"] for r in rows] == ["Urgent Api", "Api Person"]
    assert rows[0]["urgent"] and rows[0]["alert_status"] == "open"
    assert as_user(clinic.clinician).get("/api/v1/referrals").status_code == 403


def test_a_body_refused_for_its_country_but_with_a_risk_answer_is_kept_incomplete(clinic, client, as_user):
    body = a_referral_body(clinic) | {"country": "XX", "phq9": {"item9": "nearly_every_day"}}
    answer = post(client, body)
    assert answer.status_code == 201
    data = answer.json()
    assert data["urgent"] is True and data["incomplete"] is True
    assert data["refused"] == {"country": ["Choose the country you live in."]}
    assert data["crisis"]["lines"] or data["crisis"]["directory_url"]  # the generic entry
    referral = Referral.objects.get(reference=data["reference"])
    assert referral.incomplete and referral.alert is not None and referral.missing == ["country"]
    rows = as_user(clinic.co_clinician).get("/api/v1/referrals").json()
    assert rows[0]["incomplete"] is True and rows[0]["missing"] == ["country"]
