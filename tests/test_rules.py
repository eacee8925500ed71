"""Access rules in one place: pages and the API ask the named predicates of clinic.rules, and
who must pass two-factor sign-in is decided once."""

from django.test import override_settings

from rapport.clinic import measurement, progress
from rapport.common.access import two_factor_step
from tests.access_matrix import url_names
from tests.support import request_as

PHQ9 = {f"item{i}": "nearly_every_day" for i in range(1, 10)}


def test_every_page_names_a_rule_of_the_rules_module_never_a_list_of_roles():
    # The FHIR API, like the JSON API, signs its caller in and then asks the rules for each record.
    named = {"public", "signed_in:any", "fhir:bearer_or_session"} | {
        f"signed_in:{name}"
        for name in (
            "is_clinician",
            "is_supervisor",
            "is_client_user",
            "is_administrator",
            "is_clinical_staff",
            "is_staff",
            "is_supervisor_or_administrator",
            "sees_workspace",
            "keeps_case_reviews",
            "sees_programme",
            "does_intake",  # rapport.intake.team: chosen by an administrator
        )
    }
    rules_worn = {name: view.access_rule for name, view in url_names().items()}
    assert {name: rule for name, rule in rules_worn.items() if rule not in named} == {}


def test_a_client_never_sees_a_severity_band_and_the_clinic_does(clinic):
    assert not clinic.client_user.has_perm("clinic.view_severity")
    assert clinic.clinician.has_perm("clinic.view_severity")
    assert clinic.supervisor.has_perm("clinic.view_severity")


def test_only_clinicians_and_supervisors_read_a_course(clinic):
    assert clinic.clinician.has_perm("clinic.view_course") and clinic.supervisor.has_perm(
        "clinic.view_course"
    )
    assert not clinic.client_user.has_perm("clinic.view_course")
    assert not clinic.administrator.has_perm("clinic.view_course")


def test_the_measures_name_and_shade_a_band_only_for_those_the_rules_let_see_one(clinic):
    measurement.record_response(request_as(clinic.clinician), clinic.client.pk, "phq9", PHQ9)
    (for_clinician,) = progress.for_client(clinic.client, clinic.clinician)
    (for_client,) = progress.for_client(clinic.client, clinic.client_user)
    assert for_clinician.latest_band_label == "Severe" and "Severe" in for_clinician.chart
    assert for_client.latest_band_label is None and "Severe" not in for_client.chart


@override_settings(RAPPORT_REQUIRE_STAFF_2FA=True)
def test_two_factor_is_required_of_staff_and_optional_for_clients(clinic):
    for user in (clinic.clinician, clinic.client_user):
        user.is_verified = lambda: False  # as the OTP middleware sets it, before a code is confirmed
    assert two_factor_step(clinic.clinician) == "setup"
    assert two_factor_step(clinic.client_user) is None
