"""The formulation: decision support that explains and never chooses, the therapist's choice,
the role-dispute stage, goals from the protocol, and two-tab edits."""

from datetime import date

import pytest

from rapport.audit.models import Action, AuditEvent
from rapport.clinic.models import Course, Formulation, Goal, InventoryEntry, TimelineEvent


@pytest.fixture
def course(clinic):
    return Course.objects.create(client=clinic.client, started_on="2026-01-05", status="active")


def url(clinic):
    return f"/clients/{clinic.client.pk}/formulation/"


def form(**change):
    data = {
        "version": "0",
        "onset": "2025-11-01",
        "primary_area": "",
        "secondary_area": "",
        "dispute_stage": "",
        "text": "",
        "shared_on": "",
        "agreed_on": "",
    }
    return {**data, **change}


def test_a_death_near_the_onset_points_at_grief_with_its_reason_and_chooses_nothing(clinic, course, as_user):
    Formulation.objects.create(course=course, onset=date(2025, 11, 1))
    mother = InventoryEntry.objects.create(course=course, person_label="Mother", closeness_ring=1)
    death = TimelineEvent.objects.create(
        course=course, start=date(2025, 9, 20), event="Mother died", kind="death"
    )
    death.people.add(mother)
    page = as_user(clinic.clinician).get(url(clinic)).content.decode()
    assert "<h3>Grief</h3>" in page and "Mother died" in page
    assert Formulation.objects.get(course=course).primary_area == ""


def test_non_reciprocal_expectations_point_at_a_role_dispute(clinic, course, as_user):
    InventoryEntry.objects.create(
        course=course,
        person_label="Husband",
        closeness_ring=1,
        values={"expectations_reciprocity": "non_reciprocal", "current_status": "strained"},
    )
    page = as_user(clinic.clinician).get(url(clinic)).content.decode()
    assert "<h3>Interpersonal role dispute</h3>" in page and "Husband" in page


def test_with_nothing_recorded_there_is_no_suggestion(clinic, course, as_user):
    page = as_user(clinic.clinician).get(url(clinic)).content.decode()
    assert "Nothing recorded yet points at a problem area" in page


def test_the_therapist_chooses_the_area_ticks_cues_and_records_sharing_and_agreement(clinic, course, as_user):
    data = form(
        primary_area="grief",
        text="Her low mood began after her mother's death.",
        shared_on="2026-01-26",
        agreed_on="2026-01-26",
    )
    data["cue_grief"] = ["onset_after_death", "struggling_with_loss"]
    response = as_user(clinic.clinician).post(url(clinic), data)
    assert response.status_code == 302
    saved = Formulation.objects.get(course=course)
    assert (saved.primary_area, saved.cues, str(saved.agreed_on)) == (
        "grief",
        {"grief": ["onset_after_death", "struggling_with_loss"]},
        "2026-01-26",
    )
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="Formulation")
    assert "mother" not in str(event.detail).lower()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"primary_area": "role_dispute"}, b"Record the stage of the role dispute."),
        ({"primary_area": "grief", "dispute_stage": "impasse"}, b"A stage belongs to a role dispute."),
        ({"primary_area": "grief", "secondary_area": "grief"}, b"must differ from the primary one"),
        ({"secondary_area": "grief"}, b"Choose the primary area first."),
        ({"agreed_on": "2026-01-20"}, b"A formulation is shared before it is agreed."),
        ({"onset": "2999-01-01"}, b"This date is in the future."),
        ({"cue_grief": ["made_up"]}, b"Unknown cue: made_up"),
    ],
)
def test_a_bad_formulation_is_refused_with_a_clear_message(change, message, clinic, course, as_user):
    response = as_user(clinic.clinician).post(url(clinic), form(**change))
    assert response.status_code == 200 and message in response.content
    assert not Formulation.objects.exists()


def test_a_role_dispute_is_recorded_with_its_stage(clinic, course, as_user):
    as_user(clinic.clinician).post(url(clinic), form(primary_area="role_dispute", dispute_stage="impasse"))
    assert Formulation.objects.get(course=course).dispute_stage == "impasse"


def test_two_tabs_writing_the_first_formulation_never_overwrite_each_other(clinic, course, as_user):
    client = as_user(clinic.clinician)
    assert client.post(url(clinic), form(primary_area="grief", text="First tab")).status_code == 302
    refused = client.post(url(clinic), form(primary_area="grief", text="Second tab"))
    assert b"Someone else saved this formulation" in refused.content and b"Second tab" in refused.content
    assert Formulation.objects.get(course=course).text == "First tab"


def test_goals_start_from_the_protocol_for_the_chosen_area_and_can_be_edited(clinic, course, as_user):
    client = as_user(clinic.clinician)
    refused = client.post(f"/clients/{clinic.client.pk}/formulation/goals/start/", follow=True)
    assert b"Choose the primary problem area first." in refused.content
    Formulation.objects.create(course=course, primary_area="grief")
    client.post(f"/clients/{clinic.client.pk}/formulation/goals/start/")
    client.post(f"/clients/{clinic.client.pk}/formulation/goals/start/")  # twice adds nothing more
    goals = list(Goal.objects.filter(course=course))
    assert [g.text for g in goals] == [
        "Help the client mourn.",
        "Help the client rebuild interests and relationships that can partly replace what was lost.",
    ]
    goal = goals[0]
    edit = {
        "text": "Mourn her mother, at her pace.",
        "strategies": "Reconstruct the relationship.",
        "version": 1,
    }
    assert client.post(f"/clients/{clinic.client.pk}/goals/{goal.pk}/", edit).status_code == 302
    stale = client.post(f"/clients/{clinic.client.pk}/goals/{goal.pk}/", {**edit, "text": "Older tab"})
    assert b"Someone else saved this goal" in stale.content
    assert Goal.objects.get(pk=goal.pk).text == "Mourn her mother, at her pace."


def test_a_supervisor_reads_the_formulation_but_cannot_change_it(clinic, course, as_user):
    client = as_user(clinic.supervisor)
    assert client.get(url(clinic)).status_code == 200
    assert client.post(url(clinic), form(primary_area="grief")).status_code == 404
    assert not Formulation.objects.exists()


# Decision support reads the whole record (the inventory's status and the timeline's conflicts)


def test_a_strained_partner_and_a_falling_out_point_at_a_dispute_and_never_at_deficits(
    clinic, course, as_user
):
    Formulation.objects.create(course=course, onset=date(2025, 11, 1))
    partner = InventoryEntry.objects.create(
        course=course,
        person_label="Sam",
        closeness_ring=1,
        values={"relationship_type": "partner", "current_status": "strained"},
    )
    InventoryEntry.objects.create(course=course, person_label="Neighbour", closeness_ring=3)
    row = TimelineEvent.objects.create(
        course=course, start=date(2025, 10, 12), event="Falling-out over money", kind="conflict"
    )
    row.people.add(partner)
    page = as_user(clinic.clinician).get(url(clinic)).content.decode()
    suggested, _, aside = page.partition("Why one area is not suggested")
    assert "<h3>Interpersonal role dispute</h3>" in suggested
    assert "Sam: relationship recorded as: Strained (partner, ring 1)" in suggested
    assert "Falling-out over money: A conflict or falling-out (Sam)" in suggested
    assert "<h3>Interpersonal deficits</h3>" not in suggested
    assert "<h3>Interpersonal deficits</h3>" in aside
    assert "Not suggested: a close relationship is strained (Sam); the timeline records a conflict" in aside
    assert Formulation.objects.get(course=course).primary_area == ""


def test_a_strained_relationship_without_an_answer_asks_to_record_whether_expectations_match(
    clinic, course, as_user
):
    sam = InventoryEntry.objects.create(
        course=course, person_label="Sam", closeness_ring=1, values={"current_status": "strained"}
    )
    page = as_user(clinic.clinician).get(url(clinic)).content.decode()
    assert "Worth recording" in page
    assert "Record whether the client&#x27;s and Sam&#x27;s expectations of each other match" in page
    assert f'href="/clients/{clinic.client.pk}/inventory/people/{sam.pk}/"' in page


def test_written_expectations_are_asked_about_never_read_for_meaning(clinic, course, as_user):
    InventoryEntry.objects.create(
        course=course,
        person_label="Mother",
        closeness_ring=2,
        values={"mutual_expectations": "She expects me to visit daily; I expect her to let me be."},
    )
    page = as_user(clinic.clinician).get(url(clinic)).content.decode()
    assert "<h3>Interpersonal role dispute</h3>" not in page
    assert "expectations are written down, but not whether they match" in page


def test_a_partners_diagnosis_is_not_the_clients_role_transition(clinic, course, as_user):
    Formulation.objects.create(course=course, onset=date(2025, 11, 1))
    sam = InventoryEntry.objects.create(course=course, person_label="Sam", closeness_ring=1)
    InventoryEntry.objects.create(course=course, person_label="Sister", closeness_ring=1)
    TimelineEvent.objects.create(
        course=course,
        start=date(2025, 10, 1),
        event="Sam diagnosed with MS",
        kind="new_diagnosis_or_disability",
        whose="someone_else",
        whose_person=sam,
    )
    page = as_user(clinic.clinician).get(url(clinic)).content.decode()
    suggested, _, aside = page.partition("Why one area is not suggested")
    assert "<h3>Role transition</h3>" not in suggested
    assert "<h3>Role transition</h3>" in aside
    assert "recorded as someone else&#x27;s event" in aside
    assert "A new diagnosis or disability, Sam&#x27;s own event, 2025-10-01" in aside


def test_a_supervisor_sees_the_questions_without_a_link_to_edit(clinic, course, as_user):
    InventoryEntry.objects.create(
        course=course, person_label="Sam", closeness_ring=1, values={"current_status": "strained"}
    )
    page = as_user(clinic.supervisor).get(url(clinic)).content.decode()
    assert "expectations of each other match" in page and "Record it" not in page
