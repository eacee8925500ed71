"""The safety plan: six sections built with the clinician, every saved version kept, the date it
was last reviewed together, two editors never overwriting each other, and its staff pages."""

import pytest
import time_machine
from django.http import Http404
from django.utils import timezone

from rapport.audit.models import Action, AuditEvent
from rapport.clinic import safety_plans
from rapport.clinic.models import SafetyPlan, SafetyPlanVersion
from rapport.common.errors import EditConflict, InvalidInput
from tests.support import request_as

PLAN = {
    "warning_signs": [{"text": "Not sleeping; staying in bed all day"}],
    "internal_coping": [{"text": "Walk the dog round the park"}, {"text": "  "}],
    "people_to_ask_for_help": [{"text": "My sister Ann", "phone": "07700 900123"}],
}


def test_a_new_plan_is_saved_in_template_order_with_blank_rows_dropped(clinic):
    plan = safety_plans.save(request_as(clinic.clinician), clinic.client.pk, PLAN, 0)
    assert list(plan.sections) == [
        "warning_signs",
        "internal_coping",
        "social_distraction",
        "people_to_ask_for_help",
        "professionals_and_agencies",
        "safe_environment",
    ]
    assert plan.sections["internal_coping"] == [{"text": "Walk the dog round the park"}]
    assert plan.sections["people_to_ask_for_help"][0]["phone"] == "07700 900123"
    assert (plan.version, plan.updated_by, plan.last_reviewed_with_clinician_at) == (
        1,
        clinic.clinician,
        None,
    )
    assert SafetyPlanVersion.objects.get().sections == plan.sections
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="SafetyPlan").count() == 1


def test_every_save_is_kept_as_a_version_newest_first_in_the_history(clinic):
    plan = safety_plans.save(request_as(clinic.clinician), clinic.client.pk, PLAN, 0)
    changed = {**PLAN, "safe_environment": [{"text": "Tablets kept by Ann"}]}
    plan = safety_plans.save(request_as(clinic.client_user), clinic.client.pk, changed, plan.version)
    _, _, versions = safety_plans.history(request_as(clinic.supervisor), clinic.client.pk)
    assert [(v.version, v.saved_by) for v in versions] == [(2, clinic.client_user), (1, clinic.clinician)]
    assert versions[0].sections["safe_environment"] == [{"text": "Tablets kept by Ann"}]
    assert versions[1].sections["safe_environment"] == []


def test_reviewed_together_is_recorded_for_a_clinician_only(clinic):
    when = timezone.now().replace(microsecond=0)
    with time_machine.travel(when, tick=False):
        plan = safety_plans.save(
            request_as(clinic.clinician), clinic.client.pk, PLAN, 0, reviewed_together=True
        )
    assert (plan.last_reviewed_with_clinician_at, plan.last_reviewed_by) == (when, clinic.clinician)
    plan = safety_plans.save(
        request_as(clinic.client_user), clinic.client.pk, PLAN, 1, reviewed_together=True
    )
    assert (plan.last_reviewed_with_clinician_at, plan.last_reviewed_by) == (when, clinic.clinician)
    assert list(SafetyPlanVersion.objects.values_list("reviewed_together", flat=True)) == [True, False]


def test_a_save_from_an_older_version_is_refused_and_changes_nothing(clinic):
    safety_plans.save(request_as(clinic.clinician), clinic.client.pk, PLAN, 0)
    safety_plans.save(request_as(clinic.client_user), clinic.client.pk, {**PLAN, "warning_signs": []}, 1)
    with pytest.raises(EditConflict) as conflict:
        safety_plans.save(request_as(clinic.clinician), clinic.client.pk, PLAN, 1)
    assert conflict.value.current.version == 2
    # Two people starting a new plan at once: the second is refused too.
    with pytest.raises(EditConflict):
        safety_plans.save(request_as(clinic.clinician), clinic.client.pk, PLAN, 0)
    assert SafetyPlan.objects.get().sections["warning_signs"] == []
    assert SafetyPlanVersion.objects.count() == 2


def test_a_bad_item_is_refused_naming_its_section_and_row(clinic):
    bad = {
        "people_to_ask_for_help": [{"text": "Ann", "phone": "call me"}],
        "warning_signs": [{"phone": "999"}],
    }
    with pytest.raises(InvalidInput) as refused:
        safety_plans.save(request_as(clinic.clinician), clinic.client.pk, bad, 0)
    assert set(refused.value.errors) == {"people_to_ask_for_help-0", "warning_signs-0"}
    assert not SafetyPlan.objects.exists()


@pytest.mark.parametrize("who", ["supervisor", "other_clinician", "other_client_user", "administrator"])
def test_only_the_clients_clinicians_and_the_client_write_the_plan(clinic, who):
    with pytest.raises(Http404):
        safety_plans.save(request_as(getattr(clinic, who)), clinic.client.pk, PLAN, 0)
    assert not SafetyPlan.objects.exists()


# --- The staff pages ----------------------------------------------------------------------------


def form(version=0, **rows):
    data = {"version": str(version)}
    for section, items in rows.items():
        data[f"{section}-rows"] = str(len(items))
        for i, item in enumerate(items):
            for name, value in item.items():
                data[f"{section}-{i}-{name}"] = value
    return data


def test_the_plan_is_written_on_the_page_reviewed_together_and_shown_with_its_date(clinic, as_user):
    client = as_user(clinic.clinician)
    url = f"/clients/{clinic.client.pk}/safety-plan/"
    page = client.get(url).content.decode()
    assert "No plan has been written yet" in page
    assert page.count('type="text" id="warning_signs-') == 2  # two empty rows to start with
    data = form(
        warning_signs=[{"text": "Not sleeping"}, {"text": ""}],
        people_to_ask_for_help=[{"text": "Ann", "phone": "07700 900123"}],
        professionals_and_agencies=[
            {"text": "Crisis team", "phone": "0300 123 4567", "available_hours": "24/7"}
        ],
    )
    done = client.post(url, {**data, "reviewed_together": "on"}, follow=True)
    page = done.content.decode()
    assert "The safety plan was saved." in page
    assert "Last reviewed together on" in page and "with Cleo Responsible" in page
    assert 'href="tel:07700900123"' in page and "(24/7)" in page
    plan = SafetyPlan.objects.get()
    assert plan.sections["warning_signs"] == [{"text": "Not sleeping"}]
    assert 'class="plan-form no-print"' in page  # printing shows the plan, not the form


def test_a_refused_plan_keeps_what_was_typed_and_marks_the_row(clinic, as_user):
    url = f"/clients/{clinic.client.pk}/safety-plan/"
    data = form(people_to_ask_for_help=[{"text": "Ann", "phone": "ring Ann"}])
    page = as_user(clinic.clinician).post(url, data).content.decode()
    assert "Nothing was saved yet" in page
    assert "A phone number may contain only digits" in page
    assert 'value="ring Ann"' in page and 'aria-describedby="people_to_ask_for_help-0-error"' in page
    assert not SafetyPlan.objects.exists()


def test_a_plan_saved_meanwhile_by_the_client_is_not_overwritten_from_the_page(clinic, as_user):
    url = f"/clients/{clinic.client.pk}/safety-plan/"
    safety_plans.save(request_as(clinic.clinician), clinic.client.pk, PLAN, 0)
    safety_plans.save(
        request_as(clinic.client_user), clinic.client.pk, {"warning_signs": [{"text": "Mine"}]}, 1
    )
    page = as_user(clinic.clinician).post(url, form(1, warning_signs=[{"text": "Yours"}])).content.decode()
    assert "Someone else saved this plan while you were editing it." in page
    assert 'value="Yours"' in page and 'name="version" value="2"' in page
    assert SafetyPlan.objects.get().sections["warning_signs"] == [{"text": "Mine"}]


def test_a_supervisor_reads_the_plan_and_its_history_but_cannot_change_it(clinic, as_user):
    safety_plans.save(request_as(clinic.clinician), clinic.client.pk, PLAN, 0)
    client = as_user(clinic.supervisor)
    page = client.get(f"/clients/{clinic.client.pk}/safety-plan/").content.decode()
    assert "Walk the dog round the park" in page and "Save the plan" not in page
    refused = client.post(f"/clients/{clinic.client.pk}/safety-plan/", form(1, warning_signs=[{"text": "x"}]))
    assert refused.status_code == 404
    history = client.get(f"/clients/{clinic.client.pk}/safety-plan/history/").content.decode()
    assert "Version 1" in history and "Walk the dog round the park" in history


def test_a_clinician_takes_an_item_out_on_the_page_as_the_client_does_on_theirs(clinic, as_user):
    safety_plans.save(request_as(clinic.clinician), clinic.client.pk, PLAN, 0)
    client = as_user(clinic.clinician)
    url = f"/clients/{clinic.client.pk}/safety-plan/"
    page = client.get(url).content.decode()
    # One editor for both: each saved item has a "Remove" box, and two empty rows follow it.
    assert 'name="warning_signs-0-remove"' in page and 'name="warning_signs-1-remove"' not in page
    assert page.count('type="text" id="warning_signs-') == 3
    data = form(
        1, internal_coping=[{"text": "Walk the dog round the park", "remove": "1"}, {"text": "Call Ann"}]
    )
    done = client.post(url, data, follow=True)
    assert "The safety plan was saved." in done.content.decode()
    assert SafetyPlan.objects.get().sections["internal_coping"] == [{"text": "Call Ann"}]


def test_a_removal_on_a_refused_plan_stays_ticked_and_the_other_rows_keep_their_numbers(clinic, as_user):
    url = f"/clients/{clinic.client.pk}/safety-plan/"
    data = form(people_to_ask_for_help=[{"text": "Bob", "remove": "1"}, {"text": "Ann", "phone": "ring Ann"}])
    page = as_user(clinic.clinician).post(url, data).content.decode()
    assert "A phone number may contain only digits" in page
    assert 'aria-describedby="people_to_ask_for_help-1-error"' in page
    assert 'name="people_to_ask_for_help-0-remove" value="1" checked' in page
    assert not SafetyPlan.objects.exists()
