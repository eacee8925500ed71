"""The directory's services and public pages: opting in, credentials verified or self-declared,
publication, honest outcomes, the search and "help me choose", and no client data anywhere."""

from datetime import date, time, timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from rapport.audit.models import Action, AuditEvent
from rapport.common.errors import EditConflict, InvalidInput
from rapport.directory import profiles, public
from rapport.directory.models import Credential, ProviderProfile
from rapport.directory.profiles import CredentialValues, ProfileValues
from rapport.scheduling.models import Appointment, WorkingHours
from tests.directory_support import finished_courses, make_profile
from tests.personas import CANARY
from tests.support import request_as

PROFILE = ProfileValues(
    display_name="Dr Cleo R",
    profession="Clinical psychologist",
    languages=("en", "es"),
    formats=("individual", "online"),
    place="Leeds",
    fee_from=50,
    fee_to=70,
)


def test_a_clinician_opts_in_by_saving_a_profile_and_it_is_not_public_until_published(clinic):
    profile = profiles.save_profile(request_as(clinic.clinician), PROFILE)
    assert profile.organisation_id == clinic.org.pk
    assert not profile.is_public
    with pytest.raises(Http404):
        public.get_public(profile.pk)
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="ProviderProfile").exists()
    profiles.set_published(request_as(clinic.administrator), profile.pk, True, profile.version)
    assert public.get_public(profile.pk).display_name == "Dr Cleo R"


def test_a_clinician_who_withdraws_is_no_longer_listed_even_when_published(clinic):
    profile = make_profile(clinic.clinician)
    values = ProfileValues(**{**PROFILE.__dict__, "listed": False})
    profiles.save_profile(request_as(clinic.clinician), values, profile.version)
    with pytest.raises(Http404):
        public.get_public(profile.pk)


def test_a_deactivated_clinician_disappears_from_the_directory(clinic):
    profile = make_profile(clinic.clinician)
    clinic.clinician.is_active = False
    clinic.clinician.save()
    with pytest.raises(Http404):
        public.get_public(profile.pk)


def test_two_edits_from_the_same_version_cannot_both_succeed(clinic):
    profile = make_profile(clinic.clinician)
    profiles.save_profile(request_as(clinic.clinician), PROFILE, profile.version)
    with pytest.raises(EditConflict):
        profiles.save_profile(request_as(clinic.clinician), PROFILE, profile.version)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"display_name": " "}, "display_name"),
        ({"languages": ("xx",)}, "languages"),
        ({"languages": ()}, "languages"),
        ({"formats": ("individual",)}, "formats"),
        ({"place": "12 Acacia Avenue, Leeds"}, "place"),
        ({"place": "", "formats": ("in_person",)}, "place"),
        ({"fee_from": 80, "fee_to": 20}, "fee_to"),
        ({"currency": "pounds"}, "currency"),
        ({"problem_areas": ("sadness",)}, "problem_areas"),
        ({"statement": "x" * 1001}, "statement"),
    ],
)
def test_bad_profile_input_is_refused_by_field_and_nothing_is_saved(clinic, change, field):
    values = ProfileValues(**{**PROFILE.__dict__, **change})
    with pytest.raises(InvalidInput) as refused:
        profiles.save_profile(request_as(clinic.clinician), values)
    assert field in refused.value.errors
    assert not ProviderProfile.objects.exists()


def test_a_client_or_administrator_has_no_profile_to_save(clinic):
    for user in (clinic.client_user, clinic.administrator):
        with pytest.raises(Http404):
            profiles.save_profile(request_as(user), PROFILE)


def test_a_changed_verified_credential_becomes_self_declared_again(clinic):
    profile = make_profile(clinic.clinician)
    credential = profile.credentials.get()
    checked = profiles.verify_credential(request_as(clinic.administrator), credential.pk, "register", 1)
    assert checked.verified and checked.verified_by == clinic.administrator
    changed = CredentialValues(kind="training", issuing_body="IPT UK", level="Supervisor", supervised_cases=9)
    saved = profiles.edit_credential(request_as(clinic.clinician), credential.pk, changed, checked.version)
    assert not saved.verified
    assert saved.verified_by is None and saved.verification_method == ""
    event = AuditEvent.objects.filter(object_type="Credential", action=Action.UPDATE).latest("pk")
    assert event.detail["verification_cleared"] is True


def test_an_unchanged_save_keeps_the_verification(clinic):
    profile = make_profile(clinic.clinician)
    credential = profiles.verify_credential(
        request_as(clinic.administrator), profile.credentials.get().pk, "certificate", 1
    )
    same = CredentialValues(
        kind="training",
        issuing_body="IPT UK",
        level="Practitioner",
        completed_on=date(2020, 6, 1),
        supervised_cases=4,
    )
    assert profiles.edit_credential(
        request_as(clinic.clinician), credential.pk, same, credential.version
    ).verified


def test_a_licence_needs_its_number_and_country(clinic):
    make_profile(clinic.clinician)
    with pytest.raises(InvalidInput) as refused:
        profiles.add_credential(
            request_as(clinic.clinician), CredentialValues(kind="licence", issuing_body="HCPC")
        )
    assert {"number", "country"} <= set(refused.value.errors)


def test_another_clinician_cannot_touch_someone_elses_credential(clinic):
    credential = make_profile(clinic.clinician).credentials.get()
    values = CredentialValues(kind="training", issuing_body="Made up", level="Trainer")
    with pytest.raises(Http404):
        profiles.edit_credential(request_as(clinic.other_clinician), credential.pk, values, 1)
    assert Credential.objects.get(pk=credential.pk).issuing_body == "IPT UK"


def test_only_an_administrator_of_the_same_organisation_verifies_or_publishes(clinic):
    from rapport.accounts.models import Organisation, Role, User

    profile = make_profile(clinic.clinician, published=False)
    credential = profile.credentials.get()
    for user in (clinic.clinician, clinic.supervisor):
        with pytest.raises(Http404):
            profiles.verify_credential(request_as(user), credential.pk, "register", 1)
        with pytest.raises(Http404):
            profiles.set_published(request_as(user), profile.pk, True, 1)
    elsewhere = Organisation.objects.create(name="Elsewhere")
    stranger = User.objects.create_user(
        "x@else.test", "pw", full_name="X", role=Role.ADMINISTRATOR, organisation=elsewhere
    )
    with pytest.raises(Http404):
        profiles.verify_credential(request_as(stranger), credential.pk, "register", 1)
    assert not Credential.objects.get(pk=credential.pk).verified


def _summaries(clinic, finished: int, responded: int, recovered: int, *, counted=None):
    finished_courses(clinic, clinic.clinician, finished, responded, recovered, counted=counted)


def _open_outcomes(clinic):
    profile = make_profile(clinic.clinician, show_outcomes=True)
    profiles.set_outcomes_shown(request_as(clinic.administrator), True)
    return profile


def test_outcomes_show_with_n_and_a_wilson_interval_from_twenty_finished_courses(clinic):
    profile = _open_outcomes(clinic)
    _summaries(clinic, 20, responded=12, recovered=9)
    found = public.outcomes_for(profile)
    assert found is not None
    assert (found.finished, found.response.n, found.response.of) == (20, 12, 20)
    assert found.response.ci95 == pytest.approx((0.3866, 0.7812), abs=1e-4)
    assert (found.recovery.n, found.recovery.of) == (9, 20)


def test_no_outcome_figure_from_nineteen_courses(clinic):
    profile = _open_outcomes(clinic)
    _summaries(clinic, 19, responded=19, recovered=19)
    assert public.outcomes_for(profile) is None


def test_no_outcome_figure_when_too_few_courses_count_towards_the_rate(clinic):
    profile = _open_outcomes(clinic)
    _summaries(clinic, 25, responded=10, recovered=10, counted=12)
    assert public.outcomes_for(profile) is None


def test_outcomes_need_both_the_clinician_and_the_organisation(clinic):
    profile = make_profile(clinic.clinician, show_outcomes=True)
    _summaries(clinic, 20, responded=12, recovered=9)
    assert public.outcomes_for(profile) is None  # the organisation has not opted in
    profiles.set_outcomes_shown(request_as(clinic.administrator), True)
    assert public.outcomes_for(profile) is not None
    ProviderProfile.objects.filter(pk=profile.pk).update(show_outcomes=False)
    profile.refresh_from_db()
    assert public.outcomes_for(profile) is None


def test_the_search_filters_by_language_and_online(clinic):
    spanish = make_profile(clinic.clinician, languages=["es", "en"], formats=["individual", "online"])
    make_profile(clinic.co_clinician, languages=["en"], formats=["individual", "in_person"])
    found = public.search(public.parse_search({"language": "es", "meeting": "online"}))
    assert [listing.profile.pk for listing in found] == [spanish.pk]
    assert found[0].reasons[:2] == ("Offers sessions in Spanish", "Offers sessions online")


def test_the_search_never_lists_an_unpublished_profile(clinic):
    make_profile(clinic.clinician, published=False)
    assert public.search(public.parse_search({})) == []


def test_the_next_free_appointment_comes_from_working_hours_clear_of_bookings(clinic):
    from rapport.scheduling import times

    now = timezone.now()
    tomorrow = times.local(now, "Europe/London").date() + timedelta(days=1)
    WorkingHours.objects.create(
        clinician=clinic.clinician, weekday=tomorrow.weekday(), starts=time(9), ends=time(11)
    )
    # 09:00 is booked; 10:00 is free.
    Appointment.objects.create(
        client=clinic.client,
        clinician=clinic.clinician,
        starts_at=times.instant(tomorrow, time(9), "Europe/London"),
        minutes=50,
        local_date=tomorrow,
        local_time=time(9),
        time_zone="Europe/London",
    )
    found = public.next_free([clinic.clinician], now=now)[clinic.clinician.pk]
    assert found.next_free == times.instant(tomorrow, time(10), "Europe/London")
    assert found.days == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"language": "klingon"}, "language"),
        ({"meeting": "teleport"}, "meeting"),
        ({"fee_max": "-5"}, "fee_max"),
        ({"fee_max": "ten"}, "fee_max"),
        ({"kind": "family"}, "kind"),
        ({"problem_area": "sadness"}, "problem_area"),
        ({"adolescents": "maybe"}, "adolescents"),
        ({"problem": "x" * 501}, "problem"),
    ],
)
def test_a_bad_search_parameter_is_named(data, field):
    with pytest.raises(InvalidInput) as refused:
        public.parse_search(data)
    assert field in refused.value.errors


def test_the_public_pages_work_without_signing_in_and_hold_no_client_data(clinic, client):
    profile = make_profile(clinic.clinician, statement="I offer IPT.")
    for url in ("/providers/", f"/providers/{profile.pk}/", "/providers/choose/"):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert CANARY not in body and clinic.client.full_name not in body
        assert '<meta name="description"' in body
    assert "<title>" + "Cleo Responsible" in client.get(f"/providers/{profile.pk}/").content.decode()


def test_the_problem_text_is_read_from_a_post_and_never_from_the_address(clinic, client):
    grief = make_profile(clinic.clinician, problem_areas=["grief"])
    other = make_profile(clinic.co_clinician)
    posted = client.post("/providers/", {"problem": "my mother died"})
    body = posted.content.decode()
    assert body.index(f"/providers/{grief.pk}/") < body.index(f"/providers/{other.pk}/")
    assert "Has experience of helping with grief" in body
    # In the address it is ignored, so a link or a log never carries it.
    assert (
        "Has experience of helping with grief"
        not in client.get("/providers/?problem=my+mother+died").content.decode()
    )


def test_help_me_choose_goes_one_question_at_a_time_and_ranks_with_reasons(clinic, client):
    spanish = make_profile(clinic.clinician, languages=["es"], formats=["individual", "online"])
    make_profile(clinic.co_clinician, languages=["en"], formats=["individual", "online"])
    answers = {"problem": "", "language": "es", "meeting": "online", "place": "", "who": "me", "cost": "any"}
    page = client.post("/providers/choose/", {"step": "0", "go": "next", "problem": ""})
    assert "Question 2 of 5" in page.content.decode()
    results = client.post("/providers/choose/", {"step": "4", "go": "next", **answers}).content.decode()
    assert f"/providers/{spanish.pk}/" in results
    assert "Offers sessions in Spanish" in results
    assert "Co Cody" not in results and "Cody Co" not in results


def test_help_me_choose_keeps_the_person_on_a_question_with_a_bad_answer(clinic, client):
    page = client.post("/providers/choose/", {"step": "4", "go": "next", "cost": "up_to", "fee_max": "lots"})
    body = page.content.decode()
    assert "Question 5 of 5" in body
    assert "whole number" in body


def test_back_from_the_results_returns_to_the_last_question(client, db):
    page = client.post("/providers/choose/", {"step": "5", "go": "back", "cost": "any"})
    assert "Question 5 of 5" in page.content.decode()


def test_a_booking_forgets_the_remembered_next_free_appointment(clinic):
    from rapport.directory.availability import remembered
    from rapport.scheduling import times

    tomorrow = times.local(timezone.now(), "Europe/London").date() + timedelta(days=1)
    WorkingHours.objects.create(
        clinician=clinic.clinician, weekday=tomorrow.weekday(), starts=time(9), ends=time(11)
    )
    first = remembered([clinic.clinician])[clinic.clinician.pk].next_free
    assert first == times.instant(tomorrow, time(9), "Europe/London")
    Appointment.objects.create(
        client=clinic.client,
        clinician=clinic.clinician,
        starts_at=first,
        minutes=50,
        local_date=tomorrow,
        local_time=time(9),
        time_zone="Europe/London",
    )
    assert remembered([clinic.clinician])[clinic.clinician.pk].next_free == times.instant(
        tomorrow, time(10), "Europe/London"
    )


def test_the_directory_shows_twenty_five_providers_a_page_keeping_the_filters(clinic, client):
    from rapport.accounts.models import Role, User

    for n in range(27):
        user = User.objects.create_user(
            f"p{n}@test.rapport",
            None,
            full_name=f"Provider {n:02}",
            role=Role.CLINICIAN,
            organisation=clinic.org,
        )
        make_profile(user)
    first = client.get("/providers/?language=en").content.decode()
    assert "27 providers" in first and "Page 1 of 2" in first
    assert first.count('class="card provider"') == 25
    assert "?language=en&amp;page=2" in first
    second = client.get("/providers/?language=en&page=2").content.decode()
    assert second.count('class="card provider"') == 2
    assert client.get("/providers/?page=99").status_code == 200


def test_a_profile_shows_the_waiting_lists_estimate_when_people_wait(clinic, client):
    from django.test import override_settings

    from rapport.intake.models import Referral, Status

    profile = make_profile(clinic.clinician)
    for n in range(2):
        Referral.objects.create(
            organisation=clinic.org,
            reference=f"R{n:05d}",
            full_name=f"Invented person {n}",
            date_of_birth=date(1990, 1, 1),
            country="GB",
            concern="Low mood",
            consent_contact=True,
            consent_data=True,
            consent_wording_version="1",
            status=Status.WAITING,
            waiting_since=timezone.now() - timedelta(days=3),
            waiting_for=clinic.clinician,
        )
    with override_settings(RAPPORT_WAIT_WEEKS_PER_PLACE=2):
        page = client.get(f"/providers/{profile.pk}/").content.decode()
        listed = client.get("/api/v1/providers").json()[0]
    assert "Waiting list: about 6 weeks" in page
    assert "2 people waiting" in page and "not yet measured" in page
    assert "Invented person" not in page
    assert (listed["waiting"], listed["wait_weeks"], listed["wait_measured"]) == (2, 6, False)
    assert f"/refer/?clinician={clinic.clinician.pk}" in page


def test_a_clinician_takes_a_lapsed_credential_off_and_it_is_kept_with_the_reason(clinic, as_user):
    profile = make_profile(clinic.clinician, verified=True)
    credential = profile.credentials.get()
    page = as_user(clinic.clinician)
    refused = page.post(
        f"/my-directory-profile/credentials/{credential.pk}/", {"action": "withdraw", "reason": ""}
    )
    assert refused.status_code == 200 and not Credential.objects.get(pk=credential.pk).entered_in_error_at
    done = page.post(
        f"/my-directory-profile/credentials/{credential.pk}/",
        {"action": "withdraw", "reason": "The registration lapsed in May."},
    )
    assert done.status_code == 302
    kept = Credential.objects.get(pk=credential.pk)
    assert kept.entered_in_error_at and kept.entered_in_error_reason == "The registration lapsed in May."
    assert "IPT UK" not in page.get(f"/providers/{profile.pk}/").content.decode()
    other = as_user(clinic.other_clinician)
    assert (
        other.post(f"/my-directory-profile/credentials/{credential.pk}/", {"action": "withdraw"}).status_code
        == 404
    )
