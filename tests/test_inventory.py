"""The interpersonal inventory: one entry per important person with the protocol's fields, the
notes on the inventory as a whole, two-tab edits refused, entered in error instead of deleted,
audited by field name only, and the closeness circle on the page and for the client."""

import pytest
from django.http import Http404

from rapport.audit.models import Action, AuditEvent
from rapport.clinic import inventory
from rapport.clinic.models import Course, InventoryEntry
from rapport.common.errors import EditConflict, InvalidInput
from tests.support import request_as

SECRET_NOTE = "She never calls back after the funeral"


@pytest.fixture
def course(clinic):
    return Course.objects.create(client=clinic.client, started_on="2026-01-05")


@pytest.fixture
def sister(course):
    return InventoryEntry.objects.create(
        course=course,
        person_label="Anna",
        closeness_ring=2,
        values={"relationship_type": "sibling", "current_status": "strained", "feelings": SECRET_NOTE},
    )


def url(clinic, suffix=""):
    return f"/clients/{clinic.client.pk}/inventory/{suffix}"


def typed(data) -> inventory.Entry:
    """Form data as the page reads it into the service's typed entry."""
    return inventory.entry_from(inventory.EntryForm(data))


def person(**change):
    data = {
        "person_label": "Anna",
        "relationship_type": "sibling",
        "closeness_ring": "2",
        "contact_frequency": "A call most Sundays",
        "current_status": "strained",
        "mutual_expectations": "She expects daily visits to their father; Cai expects shared care.",
        "expectations_reciprocity": "non_reciprocal",
        "confiding": "no",
        "feelings": SECRET_NOTE,
        "knows_about_depression": "yes",
    }
    return {**data, **change}


def audit_text(action):
    return " ".join(str(e.detail) for e in AuditEvent.objects.filter(action=action))


# Adding


def test_a_clinician_adds_a_person_with_the_protocols_fields(clinic, course, as_user):
    response = as_user(clinic.clinician).post(url(clinic, "people/new/"), person())
    entry = InventoryEntry.objects.get(course=course)
    assert response.status_code == 302 and response["Location"] == url(clinic) + f"#person-{entry.pk}"
    assert (entry.person_label, entry.closeness_ring) == ("Anna", 2)
    assert entry.values == {
        "relationship_type": "sibling",
        "contact_frequency": "A call most Sundays",
        "current_status": "strained",
        "mutual_expectations": "She expects daily visits to their father; Cai expects shared care.",
        "expectations_reciprocity": "non_reciprocal",
        "confiding": False,
        "feelings": SECRET_NOTE,
        "knows_about_depression": True,
    }


def test_adding_a_person_is_audited_with_field_names_and_never_their_values(clinic, course, as_user):
    as_user(clinic.clinician).post(url(clinic, "people/new/"), person())
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="InventoryEntry")
    assert event.client_id == clinic.client.pk and "feelings" in event.detail["fields"]
    assert SECRET_NOTE not in str(event.detail) and "Anna" not in str(event.detail)


def test_the_entry_form_offers_the_protocols_choices_rings_and_yes_no_unknown(clinic, course, as_user):
    page = as_user(clinic.clinician).get(url(clinic, "people/new/")).content.decode()
    for text in ("Brother or sister", "Someone who has died", "1 (closest)", "3 (least close)"):
        assert text in page
    assert "Not on the circle" in page and "Not known" in page and "Non-reciprocal (they conflict)" in page
    assert 'name="person_label"' in page and '<textarea name="feelings"' in page


def test_a_person_may_be_left_off_the_circle(clinic, course, as_user):
    as_user(clinic.clinician).post(url(clinic, "people/new/"), person(closeness_ring=""))
    assert InventoryEntry.objects.get(course=course).closeness_ring is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"person_label": "  "}, "Enter a name or a role for this person."),
        ({"closeness_ring": "7"}, "Select a valid choice. 7 is not one of the available choices."),
        ({"current_status": "estranged"}, "Select a valid choice. estranged is not one of the available"),
        ({"confiding": "maybe"}, "Select a valid choice. maybe is not one of the available choices."),
        ({"person_label": "x" * 121}, "Ensure this value has at most 120 characters"),
        ({"feelings": "x" * 4001}, "Ensure this value has at most 4000 characters"),
    ],
)
def test_a_bad_entry_is_refused_with_a_clear_message_and_nothing_is_written(
    change, message, clinic, course, as_user
):
    response = as_user(clinic.clinician).post(url(clinic, "people/new/"), person(**change))
    page = response.content.decode()
    assert response.status_code == 200 and message in page and "Nothing was saved yet" in page
    assert not InventoryEntry.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.CREATE).exists()


def test_the_service_says_which_field_is_wrong(clinic, course):
    with pytest.raises(InvalidInput) as refused:
        inventory.add_entry(request_as(clinic.clinician), clinic.client.pk, typed(person(closeness_ring="0")))
    assert list(refused.value.errors) == ["closeness_ring"]


def test_without_a_course_the_add_page_sends_the_clinician_to_start_one(clinic, as_user):
    response = as_user(clinic.clinician).get(url(clinic, "people/new/"))
    assert response.status_code == 302 and response["Location"] == f"/clients/{clinic.client.pk}/course/"
    refused = as_user(clinic.clinician).post(url(clinic, "people/new/"), person())
    assert refused.status_code == 302 and not InventoryEntry.objects.exists()


# Editing


def test_a_clinician_edits_an_entry_and_the_audit_names_only_the_changed_fields(
    clinic, course, sister, as_user
):
    data = person(person_label="Anna", current_status="ongoing", version=sister.version)
    response = as_user(clinic.co_clinician).post(url(clinic, f"people/{sister.pk}/"), data)
    assert response.status_code == 302
    saved = InventoryEntry.objects.get(pk=sister.pk)
    assert (saved.values["current_status"], saved.version) == ("ongoing", 2)
    event = AuditEvent.objects.get(action=Action.UPDATE, object_type="InventoryEntry")
    assert "current_status" in event.detail["fields"] and "person_label" not in event.detail["fields"]
    assert "ongoing" not in str(event.detail) and SECRET_NOTE not in str(event.detail)


def test_the_edit_page_shows_what_is_saved(clinic, course, sister, as_user):
    page = as_user(clinic.clinician).get(url(clinic, f"people/{sister.pk}/")).content.decode()
    assert 'value="Anna"' in page and SECRET_NOTE in page
    assert '<option value="strained" selected>' in page and '<option value="2" selected>' in page


def test_emptying_a_field_removes_it_and_a_field_the_protocol_no_longer_lists_is_kept(
    clinic, course, sister, as_user
):
    InventoryEntry.objects.filter(pk=sister.pk).update(values={**sister.values, "retired_field": "kept"})
    data = {"person_label": "Anna", "closeness_ring": "2", "relationship_type": "sibling", "version": 1}
    as_user(clinic.clinician).post(url(clinic, f"people/{sister.pk}/"), data)
    assert InventoryEntry.objects.get(pk=sister.pk).values == {
        "relationship_type": "sibling",
        "retired_field": "kept",
    }


def test_two_tabs_editing_an_entry_keep_the_first_save_and_show_the_seconds_text(
    clinic, course, sister, as_user
):
    first = person(feelings="Written in the first tab", version=sister.version)
    second = person(feelings="Written in the second tab", version=sister.version)
    client = as_user(clinic.clinician)
    assert client.post(url(clinic, f"people/{sister.pk}/"), first).status_code == 302
    refused = client.post(url(clinic, f"people/{sister.pk}/"), second).content.decode()
    assert "Someone else saved this person" in refused and "Written in the second tab" in refused
    saved = InventoryEntry.objects.get(pk=sister.pk)
    assert (saved.values["feelings"], saved.version) == ("Written in the first tab", 2)


def test_the_service_refuses_a_stale_edit(clinic, course, sister):
    request = request_as(clinic.clinician)
    inventory.update_entry(request, clinic.client.pk, sister.pk, typed(person()), version=1)
    with pytest.raises(EditConflict) as refused:
        inventory.update_entry(
            request, clinic.client.pk, sister.pk, typed(person(person_label="Ann")), version=1
        )
    assert refused.value.current.version == 2
    assert InventoryEntry.objects.get(pk=sister.pk).person_label == "Anna"


# Entered in error


def test_an_entry_marked_entered_in_error_is_hidden_but_kept_with_the_reason(clinic, course, sister, as_user):
    client = as_user(clinic.clinician)
    response = client.post(
        url(clinic, f"people/{sister.pk}/entered-in-error/"), {"reason": "This is the other client's sister."}
    )
    assert response.status_code == 302
    kept = InventoryEntry.objects.get(pk=sister.pk)
    assert kept.entered_in_error_at is not None and kept.entered_in_error_by == clinic.clinician
    assert kept.entered_in_error_reason == "This is the other client's sister."
    page = client.get(url(clinic)).content.decode()
    assert f'id="person-{sister.pk}"' not in page and "Nobody is in the inventory yet" in page
    assert client.get(url(clinic, f"people/{sister.pk}/")).status_code == 404
    event = AuditEvent.objects.get(action=Action.DELETE, object_type="InventoryEntry")
    assert event.detail == {} and event.object_id == str(sister.pk)


def test_marking_an_entry_entered_in_error_needs_a_reason(clinic, course, sister, as_user):
    client = as_user(clinic.clinician)
    response = client.post(url(clinic, f"people/{sister.pk}/entered-in-error/"), {"reason": "x"}, follow=True)
    assert "Give a reason of at least a few words." in response.content.decode()
    assert InventoryEntry.objects.get(pk=sister.pk).entered_in_error_at is None


# The whole inventory


def notes(course, **change):
    data = {
        "past_patterns": "Looked after her brothers from the age of ten.",
        "social_support": "Two friends from work; sees them rarely since the death.",
        "self_assertion": "",
        "expressing_anger": "Swallows it, then withdraws.",
        "social_risks": "",
        "version": course.version,
    }
    return {**data, **change}


def test_the_notes_on_the_whole_inventory_are_saved_on_the_course_and_audited_by_name(
    clinic, course, as_user
):
    response = as_user(clinic.clinician).post(url(clinic, "notes/"), notes(course))
    assert response.status_code == 302
    saved = Course.objects.get(pk=course.pk)
    assert saved.version == 2 and saved.inventory_notes == {
        "past_patterns": "Looked after her brothers from the age of ten.",
        "social_support": "Two friends from work; sees them rarely since the death.",
        "expressing_anger": "Swallows it, then withdraws.",
    }
    event = AuditEvent.objects.get(action=Action.UPDATE, object_type="Course")
    assert event.detail["part"] == "inventory_notes" and "past_patterns" in event.detail["fields"]
    assert "brothers" not in str(event.detail)


def test_two_tabs_editing_the_notes_keep_the_first_save(clinic, course, as_user):
    client = as_user(clinic.clinician)
    client.post(url(clinic, "notes/"), notes(course, social_risks="First tab"))
    refused = client.post(url(clinic, "notes/"), notes(course, social_risks="Second tab")).content.decode()
    assert "Someone else saved this course" in refused and "Second tab" in refused
    assert Course.objects.get(pk=course.pk).inventory_notes["social_risks"] == "First tab"


def test_overlong_notes_are_refused_and_nothing_is_saved(clinic, course, as_user):
    response = as_user(clinic.clinician).post(url(clinic, "notes/"), notes(course, past_patterns="x" * 4001))
    assert "Ensure this value has at most 4000 characters" in response.content.decode()
    assert Course.objects.get(pk=course.pk).inventory_notes == {}


# The pages


def test_the_inventory_page_shows_the_circle_the_table_the_notes_and_each_person(
    clinic, course, sister, as_user
):
    InventoryEntry.objects.create(course=course, person_label="Jo", values={"relationship_type": "friend"})
    Course.objects.filter(pk=course.pk).update(inventory_notes={"social_support": "Few friends nearby"})
    response = as_user(clinic.clinician).get(url(clinic))
    page = response.content.decode()
    assert (
        page.count('<svg xmlns="http://www.w3.org/2000/svg"') == 1
        and 'class="person ring-2 status-strained"' in page
    )
    assert "<table" in page and "Brother or sister" in page and "Strained" in page
    assert "Few friends nearby" in page and SECRET_NOTE in page
    assert "Not on the circle:" in page and f'href="#person-{sister.pk}"' in page
    assert "Add a person" in page and "Mark as entered in error" in page
    read = AuditEvent.objects.get(request_id=response["X-Request-ID"])
    # A view of the inventory is logged as the inventory of the course, not as the course.
    assert (read.action, read.object_type, read.object_id, read.detail["count"]) == (
        Action.READ,
        "Inventory",
        str(course.pk),
        2,
    )


def test_the_circle_shown_to_the_client_has_first_names_only_and_no_clinical_notes(
    clinic, course, sister, as_user
):
    page = as_user(clinic.clinician).get(url(clinic, "circle/")).content.decode()
    assert "Your closeness circle" in page and ">Anna</text>" in page and ">You</text>" in page
    for clinical in (SECRET_NOTE, "Strained", "status-", "Brother or sister", clinic.client.full_name):
        assert clinical not in page


def test_without_a_course_the_inventory_page_says_so_and_creates_nothing(clinic, as_user):
    page = as_user(clinic.clinician).get(url(clinic)).content.decode()
    assert "No course has been started" in page and not Course.objects.exists()


# Who may do what


def test_a_supervisor_reads_the_inventory_but_cannot_change_it(clinic, course, sister, as_user):
    client = as_user(clinic.supervisor)
    page = client.get(url(clinic)).content.decode()
    assert SECRET_NOTE in page and "Add a person" not in page and "Mark as entered in error" not in page
    assert client.get(url(clinic, "circle/")).status_code == 200
    assert client.post(url(clinic, f"people/{sister.pk}/"), person(version=1)).status_code == 403
    assert client.post(url(clinic, "people/new/"), person()).status_code == 403
    assert client.post(url(clinic, "notes/"), notes(course)).status_code == 403
    with pytest.raises(Http404):
        inventory.update_entry(request_as(clinic.supervisor), clinic.client.pk, sister.pk, typed(person()), 1)
    assert InventoryEntry.objects.get(pk=sister.pk).version == 1


def test_another_clinician_cannot_open_or_change_the_inventory(clinic, course, sister, as_user):
    client = as_user(clinic.other_clinician)
    assert client.get(url(clinic)).status_code == 404
    assert client.get(url(clinic, "circle/")).status_code == 404
    assert client.get(url(clinic, f"people/{sister.pk}/")).status_code == 404
    assert client.post(url(clinic, f"people/{sister.pk}/"), person(version=1)).status_code == 404
    reason = {"reason": "Not mine but trying anyway."}
    assert client.post(url(clinic, f"people/{sister.pk}/entered-in-error/"), reason).status_code == 404
    assert InventoryEntry.objects.get(pk=sister.pk).version == 1
    assert InventoryEntry.objects.get(pk=sister.pk).entered_in_error_at is None
    assert AuditEvent.objects.filter(action=Action.DENIED, client=clinic.client).count() == 5


def test_an_entry_of_another_clients_course_is_not_found_through_this_client(clinic, course, as_user):
    theirs = InventoryEntry.objects.create(
        course=Course.objects.create(client=clinic.other_client), person_label="Theirs"
    )
    client = as_user(clinic.clinician)
    assert client.get(url(clinic, f"people/{theirs.pk}/")).status_code == 404
    assert client.post(url(clinic, f"people/{theirs.pk}/"), person(version=1)).status_code == 404
    assert InventoryEntry.objects.get(pk=theirs.pk).person_label == "Theirs"


def test_an_entry_of_an_earlier_course_cannot_be_edited_through_the_current_one(
    clinic, course, sister, as_user
):
    Course.objects.create(client=clinic.client, started_on="2026-06-01")
    client = as_user(clinic.clinician)
    assert (
        client.post(url(clinic, f"people/{sister.pk}/"), person(person_label="X", version=1)).status_code
        == 404
    )
    assert "Nobody is in the inventory yet" in client.get(url(clinic)).content.decode()


def test_the_entry_form_asks_whether_expectations_match_with_not_sure_and_not_asked(clinic, course, as_user):
    page = as_user(clinic.clinician).get(url(clinic, "people/new/")).content.decode()
    assert "Do their expectations of each other match?" in page
    for text in (
        "Reciprocal (they match)",
        "Non-reciprocal (they conflict)",
        "Not sure yet",
        "Not yet explored",
    ):
        assert text in page


def test_not_sure_whether_expectations_match_is_saved(clinic, course, as_user):
    as_user(clinic.clinician).post(url(clinic, "people/new/"), person(expectations_reciprocity="unsure"))
    assert InventoryEntry.objects.get().values["expectations_reciprocity"] == "unsure"
