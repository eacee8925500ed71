"""Access-matrix rows for the inventory routes (see tests/access_matrix.py).

Reading (the inventory, the circle shown to the client) is for the clinicians who see the client
and the team's supervisor; changing is for those clinicians only. A supervisor or an
administrator meets the clinician-only decorator (403); another clinician meets a 404."""

from tests.access_matrix import (
    CLIENT_ROLES_FORBIDDEN,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    REDIRECT,
    Route,
    expect,
)

READERS = dict(
    anonymous=LOGIN,
    clinician=OK,
    co_clinician=OK,
    supervisor=OK,
    administrator=FORBIDDEN,
    **CLIENT_ROLES_FORBIDDEN,
)
CHANGE_PAGE = dict(anonymous=LOGIN, clinician=OK, co_clinician=OK, other_clinician=NOT_FOUND)
CHANGE_ACTION = dict(anonymous=LOGIN, clinician=REDIRECT, co_clinician=REDIRECT, other_clinician=NOT_FOUND)


def entry(clinic):
    """One person in the inventory of the client's latest course, made on first use."""
    if not hasattr(clinic, "inventory_entry"):
        from rapport.clinic.measurement import current_course
        from rapport.clinic.models import Course, InventoryEntry

        clinic.inventory_entry = InventoryEntry.objects.create(
            course=current_course(clinic.client) or Course.objects.create(client=clinic.client),
            person_label="Mum",
            closeness_ring=1,
            values={"current_status": "ongoing"},
        )
    return clinic.inventory_entry


def entry_url(suffix=""):
    return lambda c: f"/clients/{c.client.pk}/inventory/people/{entry(c).pk}/{suffix}"


ROUTES = [
    Route(
        "inventory",
        "GET",
        lambda c: f"/clients/{c.client.pk}/inventory/",
        expect(NOT_FOUND, **READERS),
        read_audited=True,
    ),
    Route(
        "inventory_circle",
        "GET",
        lambda c: f"/clients/{c.client.pk}/inventory/circle/",
        expect(NOT_FOUND, **READERS),
        read_audited=True,
    ),
    Route(
        "inventory_notes",
        "GET",
        lambda c: f"/clients/{c.client.pk}/inventory/notes/",
        expect(FORBIDDEN, **CHANGE_PAGE),
        read_audited=True,
    ),
    Route(
        "inventory_entry_add",
        "GET",
        lambda c: f"/clients/{c.client.pk}/inventory/people/new/",
        expect(FORBIDDEN, **CHANGE_PAGE),
        read_audited=True,
    ),
    # A POST, because a GET row would make its entry inside the request under test, and the
    # check that no GET changes data would see that row (tests/test_inventory.py reads the page).
    Route(
        "inventory_entry_edit",
        "POST",
        entry_url(),
        expect(FORBIDDEN, **CHANGE_ACTION),
        data=lambda c: {"person_label": "Mother", "closeness_ring": "1", "version": entry(c).version},
    ),
    Route(
        "inventory_entry_entered_in_error",
        "POST",
        entry_url("entered-in-error/"),
        expect(FORBIDDEN, **CHANGE_ACTION),
        data=lambda c: {"reason": "Recorded for the wrong client."},
    ),
]
