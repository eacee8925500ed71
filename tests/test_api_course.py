"""The course of IPT through the API: the contract, sessions, inventory, timeline, formulation and
goals, with the pages' access rules, their validation, and two-tab edits refused with 409."""

import json
from datetime import date, timedelta

import pytest

from rapport.audit.models import Action, AuditEvent
from rapport.clinic.models import Course, Formulation, Goal, InventoryEntry, Session, TimelineEvent
from tests.access_matrix import BY_NAME
from tests.matrix import api_course as matrix
from tests.personas import CANARY


@pytest.fixture
def course(clinic):
    return Course.objects.create(client=clinic.client, started_on="2026-01-05", status="active")


@pytest.fixture
def api(clinic, as_user):
    return as_user(clinic.clinician)


def path(clinic, rest=""):
    return f"/api/v1/clients/{clinic.client.pk}/{rest}"


def put(client, url, body):
    return client.put(url, body, content_type="application/json")


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def refused(response, field):
    """A 422 that names the field and says that nothing was saved."""
    assert response.status_code == 422, response.content[:300]
    body = response.json()
    assert body["errors"].get(field), body
    assert "nothing was saved" in body["detail"]
    return body


def conflict(response, current_version):
    assert response.status_code == 409, response.content[:300]
    body = response.json()
    assert "Someone else saved" in body["detail"] and "nothing was saved" in body["detail"]
    assert body["current_version"] == current_version
    return body


def contract(course, **change):
    body = {
        "variant": "ipt_individual",
        "format": "individual",
        "status": "active",
        "ending_reason": "",
        "started_on": "2026-01-05",
        "planned_end_on": "2026-04-27",
        "ended_on": None,
        "planned_sessions": 12,
        "frequency": "weekly",
        "session_minutes": 50,
        "missed_session_policy": "Two missed sessions in a row: we review the contract together.",
        "contract_goals": "Mourn her mother; return to her choir.",
        "agreed_on": "2026-01-12",
        "version": course.version,
    }
    return {**body, **change}


# The course and its contract


def test_a_clinician_reads_the_course_with_session_n_of_m(clinic, course, api):
    for number in (1, 2, 3):
        Session.objects.create(course=course, number=number, date=weekly(number), status="attended")
    body = api.get(path(clinic, "course")).json()
    assert (body["id"], body["status"], body["planned_sessions"], body["version"]) == (
        course.pk,
        "active",
        16,
        1,
    )
    assert body["attended"] == 3
    assert body["position"] == {
        "session_number": 3,
        "planned_sessions": 16,
        "phase": "initial",
        "sessions_remaining": 13,
        "beyond_contract": False,
        "termination_due": False,
    }


def test_a_clinician_agrees_the_contract(clinic, course, api):
    response = put(api, path(clinic, "course"), contract(course))
    assert response.status_code == 200, response.content
    assert (response.json()["planned_sessions"], response.json()["version"]) == (12, 2)
    course.refresh_from_db()
    assert (course.planned_sessions, course.session_minutes, course.agreed_on) == (12, 50, date(2026, 1, 12))
    audit = AuditEvent.objects.get(action=Action.UPDATE, object_type="Course")
    assert "planned_sessions" in audit.detail["fields"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"planned_sessions": 40}, "planned_sessions"),
        ({"status": "paused"}, "status"),
        ({"variant": "freudian"}, "variant"),
        ({"status": "ended"}, "ending_reason"),
        ({"planned_end_on": "2025-12-01"}, "planned_end_on"),
        ({"started_on": "the fifth"}, "started_on"),
    ],
)
def test_a_bad_contract_is_refused_naming_the_field_and_changes_nothing(change, field, clinic, course, api):
    refused(put(api, path(clinic, "course"), contract(course, **change)), field)
    course.refresh_from_db()
    assert (course.planned_sessions, course.status, course.version) == (16, "active", 1)


def test_two_tabs_editing_the_contract_keep_the_first_save(clinic, course, api):
    first, second = contract(course, planned_sessions=12), contract(course, planned_sessions=14)
    assert put(api, path(clinic, "course"), first).status_code == 200
    conflict(put(api, path(clinic, "course"), second), current_version=2)
    course.refresh_from_db()
    assert (course.planned_sessions, course.version) == (12, 2)


def test_a_client_without_a_course_has_no_course_to_read(clinic, api):
    assert api.get(path(clinic, "course")).status_code == 404
    assert api.get(path(clinic, "sessions")).status_code == 404


# Sessions


def note(session, **change):
    body = {
        "date": session.date.isoformat(),
        "status": "attended",
        "phase_override": "",
        "phase_override_reason": "",
        "tasks_done": [],
        "techniques": ["communication_analysis", "role_play"],
        "step_notes": {"opening_question": "A hard week: the anniversary of the death."},
        "problem_area_progress": 4,
        "between_session_task": "Call her sister about the headstone.",
        "note": "Talked through the funeral.",
        "version": session.version,
    }
    return {**body, **change}


def weekly(number) -> date:
    return date(2026, 1, 5) + timedelta(weeks=number)


def middle_session(course) -> Session:
    for number in range(1, 5):
        Session.objects.create(course=course, number=number, date=weekly(number))
    return Session.objects.get(course=course, number=4)


def test_sessions_are_added_in_order_and_listed_with_their_phase(clinic, course, api):
    first = post(api, path(clinic, "sessions"), {"date": "2026-01-12"})
    assert first.status_code == 201, first.content
    assert (first.json()["number"], first.json()["phase"]) == (1, "initial")
    assert {t["id"] for t in first.json()["checklist"]} >= {"symptom_review", "interpersonal_inventory"}
    post(api, path(clinic, "sessions"), {"date": "2026-01-19"})
    listed = api.get(path(clinic, "sessions")).json()
    assert [(s["number"], s["date"], s["status"]) for s in listed] == [
        (1, "2026-01-12", "scheduled"),
        (2, "2026-01-19", "scheduled"),
    ]
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="Session").count() == 2


def test_a_session_without_a_date_is_refused(clinic, course, api):
    refused(post(api, path(clinic, "sessions"), {"date": "next Tuesday"}), "date")
    assert not Session.objects.exists()


def test_a_middle_phase_note_keeps_its_agenda_techniques_and_task(clinic, course, api):
    session = middle_session(course)
    response = put(api, path(clinic, f"sessions/{session.pk}"), note(session))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["phase"], body["status"], body["version"]) == ("middle", "attended", 2)
    assert "opening_question" in {step["id"] for step in body["agenda"]}
    session.refresh_from_db()
    assert session.techniques == ["communication_analysis", "role_play"]
    assert session.step_notes == {"opening_question": "A hard week: the anniversary of the death."}
    assert (session.problem_area_progress, session.between_session_task) == (
        4,
        "Call her sister about the headstone.",
    )
    read = api.get(path(clinic, f"sessions/{session.pk}")).json()
    assert read["note"] == "Talked through the funeral." and read["version"] == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"techniques": ["hypnosis"]}, "techniques"),
        ({"tasks_done": ["raise_ending"]}, "tasks_done"),
        ({"step_notes": {"celebrate_progress": "Not this phase's step."}}, "step_notes.celebrate_progress"),
        ({"step_notes": {"opening_question": "A\x00B"}}, "step_notes.opening_question"),
        ({"phase_override": "termination", "step_notes": {}}, "phase_override_reason"),
        ({"problem_area_progress": 11}, "problem_area_progress"),
        ({"status": "postponed"}, "status"),
    ],
)
def test_a_bad_session_note_is_refused_naming_the_field_and_changes_nothing(
    change, field, clinic, course, api
):
    session = middle_session(course)
    refused(put(api, path(clinic, f"sessions/{session.pk}"), note(session, **change)), field)
    session.refresh_from_db()
    assert (session.note, session.techniques, session.step_notes, session.version) == ("", [], {}, 1)


def test_two_tabs_editing_a_session_note_keep_the_first(clinic, course, api):
    session = middle_session(course)
    assert (
        put(api, path(clinic, f"sessions/{session.pk}"), note(session, note="The first tab.")).status_code
        == 200
    )
    conflict(put(api, path(clinic, f"sessions/{session.pk}"), note(session, note="The second tab.")), 2)
    session.refresh_from_db()
    assert (session.note, session.version) == ("The first tab.", 2)


def test_reading_a_session_note_is_audited_once(clinic, course, api):
    session = middle_session(course)
    response = api.get(path(clinic, f"sessions/{session.pk}"))
    assert response.status_code == 200
    row = AuditEvent.objects.get(request_id=response["X-Request-ID"])
    assert (row.action, row.client_id, row.object_type, row.object_id) == (
        Action.READ,
        clinic.client.pk,
        "Session",
        str(session.pk),
    )


def test_a_session_of_another_clients_course_is_not_found_through_this_client(clinic, course, api):
    theirs = Course.objects.create(client=clinic.other_client)
    session = Session.objects.create(course=theirs, number=1, date=date(2026, 1, 12))
    assert api.get(path(clinic, f"sessions/{session.pk}")).status_code == 404
    assert put(api, path(clinic, f"sessions/{session.pk}"), note(session)).status_code == 404


# The interpersonal inventory


def person(**change):
    body = {
        "person_label": "Mother",
        "closeness_ring": 1,
        "values": {"relationship_type": "parent", "current_status": "deceased", "confiding": True},
    }
    return {**body, **change}


def test_a_person_is_added_to_the_inventory_and_changed(clinic, course, api):
    created = post(api, path(clinic, "inventory"), person())
    assert created.status_code == 201, created.content
    entry = InventoryEntry.objects.get(pk=created.json()["id"])
    assert entry.values == {"relationship_type": "parent", "current_status": "deceased", "confiding": True}
    change = person(closeness_ring=2, values={"relationship_type": "parent", "confiding": False}, version=1)
    changed = put(api, path(clinic, f"inventory/{entry.pk}"), change)
    assert changed.status_code == 200, changed.content
    assert changed.json()["values"] == {"relationship_type": "parent", "confiding": False}
    body = api.get(path(clinic, "inventory")).json()
    assert (body["course_id"], body["rings"]) == (course.pk, 3)
    assert body["entries"] == [
        {
            "id": entry.pk,
            "person_label": "Mother",
            "closeness_ring": 2,
            "values": {"relationship_type": "parent", "confiding": False},
            "version": 2,
        }
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"person_label": ""}, "person_label"),
        ({"closeness_ring": 9}, "closeness_ring"),
        ({"values": {"relationship_type": "nemesis"}}, "values.relationship_type"),
        ({"values": {"favourite_colour": "blue"}}, "values.favourite_colour"),
        ({"values": {"closeness_ring": "1"}}, "values.closeness_ring"),
        ({"values": {"feelings": True}}, "values.feelings"),
        ({"values": {"confiding": "sometimes"}}, "values.confiding"),
    ],
)
def test_a_bad_inventory_entry_is_refused_naming_the_field(change, field, clinic, course, api):
    refused(post(api, path(clinic, "inventory"), person(**change)), field)
    assert not InventoryEntry.objects.exists()


def test_two_tabs_editing_an_inventory_entry_keep_the_first(clinic, course, api):
    entry = InventoryEntry.objects.create(course=course, person_label="Mother", closeness_ring=1)
    url = path(clinic, f"inventory/{entry.pk}")
    assert put(api, url, person(person_label="Mum", version=1)).status_code == 200
    conflict(put(api, url, person(person_label="Mam", version=1)), 2)
    entry.refresh_from_db()
    assert (entry.person_label, entry.version) == ("Mum", 2)


def test_the_whole_inventory_notes_share_the_course_version(clinic, course, api):
    url = path(clinic, "inventory/notes")
    saved = put(api, url, {"notes": {"social_support": "Her choir, before."}, "version": 1})
    assert saved.status_code == 200, saved.content
    assert saved.json() == {"notes": {"social_support": "Her choir, before."}, "course_version": 2}
    conflict(put(api, url, {"notes": {"social_support": "Overwritten?"}, "version": 1}), 2)
    refused(put(api, url, {"notes": {"star_sign": "Leo"}, "version": 2}), "notes.star_sign")
    course.refresh_from_db()
    assert (course.inventory_notes, course.version) == ({"social_support": "Her choir, before."}, 2)
    assert api.get(path(clinic, "inventory")).json()["course_version"] == 2


def test_an_entry_entered_in_error_leaves_the_inventory_and_is_kept(clinic, course, api):
    entry = InventoryEntry.objects.create(course=course, person_label=f"Mother {CANARY}")
    url = path(clinic, f"inventory/{entry.pk}/entered-in-error")
    refused(post(api, url, {"reason": ""}), "reason")
    assert post(api, url, {"reason": "Another client's mother."}).status_code == 204
    entry.refresh_from_db()
    assert entry.entered_in_error_reason == "Another client's mother."
    assert api.get(path(clinic, "inventory")).json()["entries"] == []
    assert post(api, url, {"reason": "Again."}).status_code == 404


# The interpersonal timeline


def event(**change):
    body = {"start": "2025-09-14", "event": "Her mother died", "kind": "death", "mood_rating": -4}
    return {**body, **change}


def test_an_event_is_added_with_its_people_and_changed(clinic, course, api):
    mother = InventoryEntry.objects.create(course=course, person_label="Mother", closeness_ring=1)
    created = post(api, path(clinic, "timeline"), event(people=[mother.pk], problem_area_hint="grief"))
    assert created.status_code == 201, created.content
    assert (created.json()["people"], created.json()["problem_area_hint"]) == ([mother.pk], "grief")
    found = TimelineEvent.objects.get(pk=created.json()["id"])
    change = {
        **event(mood_rating=-3),
        **{"end": None, "whose": "client", "whose_person": None, "people": [], "problem_area_hint": ""},
        "version": 1,
    }
    changed = put(api, path(clinic, f"timeline/{found.pk}"), change)
    assert changed.status_code == 200, changed.content
    body = api.get(path(clinic, "timeline")).json()
    assert body["course_id"] == course.pk
    assert [(e["event"], e["mood_rating"], e["people"], e["version"]) for e in body["events"]] == [
        ("Her mother died", -3, [], 2)
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": "2099-01-01"}, "start"),
        ({"kind": "alien_abduction"}, "kind"),
        ({"mood_rating": 9}, "mood_rating"),
        ({"event": "   "}, "event"),
        ({"end": "2025-01-01"}, "end"),
        ({"problem_area_hint": "astrology"}, "problem_area_hint"),
    ],
)
def test_a_bad_event_is_refused_naming_the_field(change, field, clinic, course, api):
    refused(post(api, path(clinic, "timeline"), event(**change)), field)
    assert not TimelineEvent.objects.exists()


def test_a_person_from_another_clients_inventory_is_refused_on_the_timeline(clinic, course, api):
    theirs = InventoryEntry.objects.create(
        course=Course.objects.create(client=clinic.other_client), person_label="X"
    )
    refused(post(api, path(clinic, "timeline"), event(people=[theirs.pk])), "people")
    refused(post(api, path(clinic, "timeline"), event(people=[2**70])), "people.0")
    assert not TimelineEvent.objects.exists()


def test_someone_elses_event_names_the_person_and_a_change_must_say_whose(clinic, course, api):
    sam = InventoryEntry.objects.create(course=course, person_label="Sam", closeness_ring=1)
    body = event(kind="new_diagnosis_or_disability", whose="someone_else", whose_person=sam.pk)
    created = post(api, path(clinic, "timeline"), body)
    assert created.status_code == 201, created.content
    assert (created.json()["whose"], created.json()["whose_person"]) == ("someone_else", sam.pk)
    found = TimelineEvent.objects.get()
    assert (found.whose, found.whose_person) == ("someone_else", sam)
    # A change that leaves whose out is refused, so a caller that does not know it never resets it.
    change = {
        **event(),
        "end": None,
        "people": [],
        "mood_rating": None,
        "problem_area_hint": "",
        "version": 1,
    }
    assert put(api, path(clinic, f"timeline/{found.pk}"), change).status_code == 422
    assert TimelineEvent.objects.get().whose == "someone_else"


def test_an_event_is_the_clients_own_by_default_through_the_api(clinic, course, api):
    created = post(api, path(clinic, "timeline"), event())
    assert (created.json()["whose"], created.json()["whose_person"]) == ("client", None)


def test_a_bad_whose_is_refused_through_the_api(clinic, course, api):
    theirs = InventoryEntry.objects.create(
        course=Course.objects.create(client=clinic.other_client), person_label="X"
    )
    refused(post(api, path(clinic, "timeline"), event(whose="partner")), "whose")
    refused(
        post(api, path(clinic, "timeline"), event(whose="someone_else", whose_person=theirs.pk)),
        "whose_person",
    )
    assert not TimelineEvent.objects.exists()


def test_two_tabs_editing_an_event_keep_the_first(clinic, course, api):
    found = TimelineEvent.objects.create(course=course, start=date(2025, 9, 14), event="Died", kind="death")
    url = path(clinic, f"timeline/{found.pk}")
    full = {"end": None, "whose": "client", "whose_person": None, "people": [], "mood_rating": None}
    full |= {"problem_area_hint": "", "version": 1}
    assert put(api, url, {**event(event="Her mother died"), **full}).status_code == 200
    conflict(put(api, url, {**event(event="Mum died"), **full}), 2)
    found.refresh_from_db()
    assert (found.event, found.version) == ("Her mother died", 2)


def test_an_event_entered_in_error_leaves_the_timeline(clinic, course, api):
    found = TimelineEvent.objects.create(course=course, start=date(2025, 9, 14), event="Died", kind="death")
    response = post(api, path(clinic, f"timeline/{found.pk}/entered-in-error"), {"reason": "Wrong client."})
    assert response.status_code == 204
    assert api.get(path(clinic, "timeline")).json()["events"] == []
    assert TimelineEvent.objects.get(pk=found.pk).entered_in_error_reason == "Wrong client."


# The formulation and the goals


def formulation(**change):
    body = {
        "onset": "2025-10-01",
        "cues": {"grief": ["onset_after_death", "struggling_with_loss"]},
        "primary_area": "grief",
        "secondary_area": "",
        "dispute_stage": "",
        "text": "Her depression began weeks after her mother's death.",
        "shared_on": "2026-01-19",
        "agreed_on": "2026-01-19",
        "version": 0,
    }
    return {**body, **change}


def test_a_death_near_the_onset_is_suggested_with_its_evidence_and_never_chosen(clinic, course, api):
    Formulation.objects.create(course=course, onset=date(2025, 10, 1))
    mother = InventoryEntry.objects.create(course=course, person_label="Mother", closeness_ring=1)
    death = TimelineEvent.objects.create(
        course=course, start=date(2025, 9, 14), event="Mother died", kind="death"
    )
    death.people.add(mother)
    response = api.get(path(clinic, "formulation"))
    body = response.json()
    assert (body["primary_area"], body["secondary_area"], body["version"]) == ("", "", 1)
    [suggestion] = body["suggestions"]
    assert (suggestion["problem_area"], suggestion["name"]) == ("grief", "Grief")
    [evidence] = suggestion["evidence"]
    assert (evidence["source"], evidence["ref"], evidence["label"]) == (
        "timeline",
        f"timeline:{death.pk}",
        "Mother died",
    )
    assert "Mother" in evidence["reason"]
    assert set(suggestion) == {"problem_area", "name", "rules", "summary", "evidence"}
    assert b"chosen" not in response.content


def test_the_formulation_says_why_deficits_are_not_suggested_and_what_to_record(clinic, course, api):
    sam = InventoryEntry.objects.create(
        course=course,
        person_label="Sam",
        closeness_ring=1,
        values={"relationship_type": "partner", "current_status": "strained"},
    )
    body = api.get(path(clinic, "formulation")).json()
    assert [s["problem_area"] for s in body["suggestions"]] == ["role_dispute"]
    [aside] = body["set_aside"]
    assert (aside["problem_area"], aside["name"]) == ("interpersonal_deficits", "Interpersonal deficits")
    assert aside["reason"].startswith("not suggested: a close relationship is strained (Sam)")
    assert [e["ref"] for e in aside["evidence"]] == [f"inventory:{sam.pk}"]
    [question] = body["questions"]
    assert (question["ref"], question["label"]) == (f"inventory:{sam.pk}", "Sam")


def test_the_first_formulation_is_saved_at_version_0_and_then_edited(clinic, course, api):
    first = put(api, path(clinic, "formulation"), formulation())
    assert first.status_code == 200, first.content
    assert (first.json()["primary_area"], first.json()["version"]) == ("grief", 1)
    saved = Formulation.objects.get(course=course)
    assert saved.cues == {"grief": ["onset_after_death", "struggling_with_loss"]}
    second = put(api, path(clinic, "formulation"), formulation(secondary_area="role_transition", version=1))
    assert second.status_code == 200, second.content
    assert Formulation.objects.get(course=course).secondary_area == "role_transition"


def test_two_first_saves_of_the_formulation_keep_the_first(clinic, course, api):
    assert put(api, path(clinic, "formulation"), formulation(text="The first tab.")).status_code == 200
    conflict(put(api, path(clinic, "formulation"), formulation(text="The second tab.")), 1)
    assert Formulation.objects.get(course=course).text == "The first tab."


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"primary_area": "role_dispute"}, "dispute_stage"),
        ({"dispute_stage": "impasse"}, "dispute_stage"),
        ({"secondary_area": "grief"}, "secondary_area"),
        ({"cues": {"grief": ["saw_a_ghost"]}}, "cues.grief"),
        ({"cues": {"astrology": ["mercury_retrograde"]}}, "cues.astrology"),
        ({"shared_on": None}, "shared_on"),
        ({"onset": "2099-01-01"}, "onset"),
    ],
)
def test_a_bad_formulation_is_refused_naming_the_field(change, field, clinic, course, api):
    refused(put(api, path(clinic, "formulation"), formulation(**change)), field)
    assert not Formulation.objects.exists()


def test_goals_start_from_the_protocol_and_are_edited(clinic, course, api):
    refused(post(api, path(clinic, "goals/from-protocol")), "goals")
    put(api, path(clinic, "formulation"), formulation())
    started = post(api, path(clinic, "goals/from-protocol"))
    assert started.status_code == 201, started.content
    assert started.json() and {g["problem_area"] for g in started.json()} == {"grief"}
    goal = started.json()[0]
    url = path(clinic, f"goals/{goal['id']}")
    refused(put(api, url, {"text": "", "strategies": "", "version": 1}), "text")
    assert (
        put(api, url, {"text": "Mourn her mother", "strategies": "Talk about her", "version": 1}).status_code
        == 200
    )
    conflict(put(api, url, {"text": "Overwritten?", "strategies": "", "version": 1}), 2)
    listed = api.get(path(clinic, "goals")).json()
    assert listed[0]["text"] == "Mourn her mother" and listed[0]["version"] == 2
    assert len(listed) == len(started.json())


# Who may do what


WRITES = [r for r in matrix.ROUTES if r.method != "GET"]
READS = [r for r in matrix.ROUTES if r.method == "GET"]


def send(client, route, clinic, url=None):
    data = route.data(clinic) if route.data else {}
    return client.generic(
        route.method, url or route.url(clinic), json.dumps(data), content_type="application/json"
    )


@pytest.fixture
def full_course(clinic):
    """A course holding one of everything the routes read and change."""
    clinic.session = Session.objects.create(
        course=Course.objects.create(client=clinic.client), number=1, date="2026-03-01"
    )
    matrix.a_formulation(clinic)
    for route in matrix.ROUTES:
        route.url(clinic)
    return clinic


def snapshot():
    models = (Course, Session, InventoryEntry, TimelineEvent, Formulation, Goal)
    return {m.__name__: sorted(m.objects.values_list("pk", "version", "entered_in_error_at")) for m in models}


@pytest.mark.parametrize("route", WRITES, ids=lambda r: r.name)
def test_a_supervisor_reads_the_course_but_changes_nothing(route, full_course, as_user):
    client = as_user(full_course.supervisor)
    before = snapshot()
    response = send(client, route, full_course)
    assert response.status_code == 404
    assert snapshot() == before
    assert all(client.get(r.url(full_course)).status_code == 200 for r in READS)


@pytest.mark.parametrize("route", READS + WRITES, ids=lambda r: r.name)
def test_another_therapist_meets_the_same_404_as_for_a_client_that_does_not_exist(
    route, full_course, as_user
):
    client = as_user(full_course.other_clinician)
    before = snapshot()
    missing_url = route.url(full_course).replace(f"/clients/{full_course.client.pk}/", "/clients/999999/")
    theirs, missing = (send(client, route, full_course, url) for url in (route.url(full_course), missing_url))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert CANARY not in theirs.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("persona", ["client_user", "administrator"])
def test_a_client_or_an_administrator_cannot_read_a_course_through_the_api(persona, full_course, as_user):
    client = as_user(full_course.persona(persona))
    for route in READS:
        response = client.get(route.url(full_course))
        assert response.status_code == 403
        assert CANARY not in response.content.decode()


def test_the_schema_documents_every_course_operation_with_its_refusals(clinic, api):
    schema = api.get("/api/v1/openapi.json").json()
    operations = {
        (method.upper(), p): op
        for p, item in schema["paths"].items()
        for method, op in item.items()
        if op.get("tags") == ["course"]
    }
    names = {f"API {m} {p}" for m, p in operations}
    assert names == {r.name for r in matrix.ROUTES} and names <= set(BY_NAME)
    for (method, _path), op in operations.items():
        assert {"403", "404"} <= set(op["responses"]), op["operationId"]
        if method == "PUT":
            assert {"409", "422"} <= set(op["responses"]), op["operationId"]
            body = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            assert "version" in schema["components"]["schemas"][body]["required"]
    suggestion = schema["components"]["schemas"]["SuggestionOut"]["properties"]
    assert "chosen" not in suggestion and "primary" not in suggestion


def test_the_api_keeps_the_task_review_and_goal_ratings_of_a_session(clinic, course, api):
    from rapport.clinic.models import Goal

    goal = Goal.objects.create(course=course, problem_area="grief", text="Mourn.")
    session = middle_session(course)
    body = note(session, task_review="She called her sister.", goal_ratings={str(goal.pk): 6})
    assert put(api, path(clinic, f"sessions/{session.pk}"), body).status_code == 200
    read = api.get(path(clinic, f"sessions/{session.pk}")).json()
    assert (read["task_review"], read["goal_ratings"]) == ("She called her sister.", {str(goal.pk): 6})


def test_a_caller_that_leaves_out_the_review_and_ratings_does_not_wipe_them(clinic, course, api):
    from rapport.clinic.models import Goal

    goal = Goal.objects.create(course=course, problem_area="grief", text="Mourn.")
    session = middle_session(course)
    Session.objects.filter(pk=session.pk).update(task_review="Went well.", goal_ratings={str(goal.pk): 5})
    session.refresh_from_db()
    assert put(api, path(clinic, f"sessions/{session.pk}"), note(session)).status_code == 200
    session.refresh_from_db()
    assert (session.task_review, session.goal_ratings) == ("Went well.", {str(goal.pk): 5})
