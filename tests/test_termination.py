"""Termination: the relapse-prevention plan, the ending as the therapist judges it, the
not-improved path without blame, and a maintenance contract for continuation."""

import pytest

from rapport.clinic.models import Course, RelapsePreventionPlan


@pytest.fixture
def course(clinic):
    return Course.objects.create(client=clinic.client, status="active", planned_sessions=12)


def plan(**change):
    data = {
        "version": "0",
        "warning_signs": "Sleeping badly; stopping calls to friends.",
        "what_helped": "Talking about Mum; seeing Ana weekly.",
        "what_to_do": "Phone Ana; book a session.",
        "who_to_contact": "Ana; the clinic.",
        "work_to_continue": "",
        "ending": "improved",
        "next_step": "",
    }
    return {**data, **change}


def test_the_relapse_prevention_plan_is_saved_and_the_ending_is_the_therapists_choice(
    clinic, course, as_user
):
    client = as_user(clinic.clinician)
    assert client.post(f"/clients/{clinic.client.pk}/course/termination/", plan()).status_code == 302
    saved = RelapsePreventionPlan.objects.get(course=course)
    assert saved.ending == "improved" and saved.sections["warning_signs"].startswith("Sleeping badly")
    assert "work_to_continue" not in saved.sections


def test_the_not_improved_path_offers_other_treatment_without_blame(clinic, course, as_user):
    page = as_user(clinic.clinician).get(f"/clients/{clinic.client.pk}/course/termination/").content.decode()
    assert "without blame" in page and "A different psychotherapy" in page and "Medication" in page


def test_an_unknown_ending_is_refused(clinic, course, as_user):
    response = as_user(clinic.clinician).post(
        f"/clients/{clinic.client.pk}/course/termination/", plan(ending="cured")
    )
    assert response.status_code == 200 and b"Select a valid choice" in response.content
    assert not RelapsePreventionPlan.objects.exists()


def test_continuation_opens_a_maintenance_course_with_its_own_contract(clinic, course, as_user):
    client = as_user(clinic.clinician)
    refused = client.post(f"/clients/{clinic.client.pk}/course/maintenance/", follow=True)
    assert b"Record continuation as the ending first." in refused.content
    client.post(f"/clients/{clinic.client.pk}/course/termination/", plan(ending="continuation"))
    response = client.post(f"/clients/{clinic.client.pk}/course/maintenance/")
    assert response["Location"] == f"/clients/{clinic.client.pk}/course/contract/"
    courses = list(Course.objects.filter(client=clinic.client).order_by("id"))
    assert [(c.variant, c.status) for c in courses] == [("ipt_individual", "ended"), ("ipt_m", "maintenance")]
    assert courses[0].ending_reason == "completed"


def test_two_tabs_writing_the_plan_keep_the_first(clinic, course, as_user):
    client = as_user(clinic.clinician)
    client.post(f"/clients/{clinic.client.pk}/course/termination/", plan(what_helped="First tab"))
    refused = client.post(f"/clients/{clinic.client.pk}/course/termination/", plan(what_helped="Second tab"))
    assert b"Someone else saved this plan" in refused.content
    assert RelapsePreventionPlan.objects.get(course=course).sections["what_helped"] == "First tab"


def test_the_course_summary_gathers_the_course_and_its_printing_is_audited(clinic, course, as_user):
    from rapport.audit.models import Action, AuditEvent
    from rapport.clinic.models import Formulation, InventoryEntry

    Formulation.objects.create(course=course, primary_area="grief", text="Low mood since her mother died.")
    InventoryEntry.objects.create(
        course=course, person_label="Ana", closeness_ring=1, values={"current_status": "ongoing"}
    )
    client = as_user(clinic.clinician)
    client.post(f"/clients/{clinic.client.pk}/course/termination/", plan())
    response = client.get(f"/clients/{clinic.client.pk}/course/summary/")
    page = response.content.decode()
    assert "Low mood since her mother died." in page and "<strong>Grief</strong>" in page
    assert "Sleeping badly" in page and "<svg" in page and "Ana" in page
    event = AuditEvent.objects.get(request_id=response["X-Request-ID"])
    assert (event.action, event.client_id) == (Action.PRINT, clinic.client.pk)
