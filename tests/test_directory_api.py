"""GET /api/v1/providers and /api/v1/providers/{id}: public, filtered as the pages filter, an
unpublished profile answered 404, outcomes only where shown, and strict query parameters."""

from rapport.directory import profiles
from tests.directory_support import make_profile
from tests.personas import CANARY
from tests.support import request_as


def test_anyone_lists_published_providers_with_their_credentials(clinic, client):
    shown = make_profile(clinic.clinician, verified=True)
    make_profile(clinic.co_clinician, published=False)
    answer = client.get("/api/v1/providers")
    assert answer.status_code == 200
    body = answer.json()
    assert [p["id"] for p in body] == [shown.pk]
    credential = body[0]["credentials"][0]
    assert credential["verified"] is True and credential["verification_method"] == "certificate"
    assert CANARY not in answer.content.decode()


def test_filters_are_query_parameters_and_reasons_say_why(clinic, client):
    spanish = make_profile(clinic.clinician, languages=["es"], formats=["individual", "online"])
    make_profile(clinic.co_clinician, languages=["en"], formats=["individual", "in_person"])
    body = client.get("/api/v1/providers?language=es&meeting=online").json()
    assert [p["id"] for p in body] == [spanish.pk]
    assert body[0]["reasons"][:2] == ["Offers sessions in Spanish", "Offers sessions online"]


def test_a_bad_filter_is_a_422_naming_it(client, db):
    answer = client.get("/api/v1/providers?language=klingon&fee_max=-1")
    assert answer.status_code == 422
    assert {"language", "fee_max"} <= set(answer.json()["errors"])


def test_an_unpublished_profile_is_404_like_a_missing_one(clinic, client):
    hidden = make_profile(clinic.clinician, published=False)
    assert client.get(f"/api/v1/providers/{hidden.pk}").status_code == 404
    assert client.get("/api/v1/providers/999999").status_code == 404


def test_a_provider_shows_outcomes_only_when_both_opted_in(clinic, client):
    profile = make_profile(clinic.clinician, show_outcomes=True)
    assert client.get(f"/api/v1/providers/{profile.pk}").json()["outcomes"] is None
    profiles.set_outcomes_shown(request_as(clinic.administrator), True)
    # Still none: no finished course yet, far below the minimum.
    assert client.get(f"/api/v1/providers/{profile.pk}").json()["outcomes"] is None


def test_the_problem_text_is_not_taken_in_the_address(clinic, client):
    make_profile(clinic.clinician)
    answer = client.get("/api/v1/providers?problem=my+mother+died")
    # Unknown query parameters are ignored, and the words are never read.
    assert answer.status_code == 200
    assert "grief" not in answer.content.decode()
