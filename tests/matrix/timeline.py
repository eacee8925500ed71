"""Access-matrix rows for the timeline routes (see tests/access_matrix.py)."""

from datetime import date

from rapport.clinic.measurement import current_course
from rapport.clinic.models import Course, TimelineEvent
from tests.access_matrix import (
    CLINICAL_READ,
    CLINICIAN_PAGE,
    CLINICIAN_POST,
    Route,
    client_url,
)
from tests.personas import CANARY


def an_event(clinic) -> TimelineEvent:
    """An event on the client's latest course, made once per test and kept on the clinic."""
    if getattr(clinic, "timeline_event", None) is None:
        course = current_course(clinic.client) or Course.objects.create(client=clinic.client)
        clinic.timeline_event = TimelineEvent.objects.create(
            course=course,
            start=date(2025, 9, 14),
            event=f"Her mother died {CANARY}",
            kind="death",
            mood_rating=-4,
        )
    return clinic.timeline_event


def event_url(suffix):
    return lambda c: f"/clients/{c.client.pk}/timeline/{an_event(c).pk}/{suffix}"


# Changing the timeline is for the clinicians of the client: supervisors read, others meet a 404.
CHANGES = CLINICIAN_POST

ROUTES = [
    Route(
        "timeline",
        "GET",
        client_url("/clients/{pk}/timeline/"),
        CLINICAL_READ,
        read_audited=True,
    ),
    Route(
        "timeline_event_add",
        "GET",
        client_url("/clients/{pk}/timeline/new/"),
        CLINICIAN_PAGE,
        read_audited=True,
    ),
    # The edit page is checked by POST here: a GET row would have to create its event while
    # test_no_get_request_changes_data counts the tables. tests/test_timeline.py covers its GET.
    Route(
        "timeline_event_edit",
        "POST",
        event_url("edit/"),
        CHANGES,
        data=lambda c: {
            "version": an_event(c).version,
            "start": "2025-09-14",
            "event": "Her mother died",
            "kind": "death",
            "mood_rating": "-3",
        },
    ),
    Route(
        "timeline_event_entered_in_error",
        "POST",
        event_url("entered-in-error/"),
        CHANGES,
        data=lambda c: {"reason": "Recorded on the wrong client's timeline."},
    ),
]
