"""Access-matrix rows for the course API routes (see tests/access_matrix.py).

Reading is for the clinicians who see the client and the team's supervisor; changing is for those
clinicians only, and anyone else who sees or may not see the record meets a 404 (a supervisor
too, as the services answer). Clients and administrators are refused by role (403), as on the
pages. Each edit row sends the version the record has, so the clinicians' saves succeed."""

from rapport.clinic.measurement import current_course
from rapport.clinic.models import Formulation
from tests.access_matrix import FORBIDDEN, NOT_FOUND, OK, UNAUTHORISED, Route, expect
from tests.matrix.formulation import a_goal
from tests.matrix.inventory import entry
from tests.matrix.timeline import an_event

ROLE_REFUSED = dict(administrator=FORBIDDEN, client_user=FORBIDDEN, other_client_user=FORBIDDEN)
READERS = expect(
    NOT_FOUND, anonymous=UNAUTHORISED, clinician=OK, co_clinician=OK, supervisor=OK, **ROLE_REFUSED
)


def changers(status):
    return expect(NOT_FOUND, anonymous=UNAUTHORISED, clinician=status, co_clinician=status, **ROLE_REFUSED)


def api(path):
    return lambda c: f"/api/v1/clients/{c.client.pk}/{path}"


def api_read(path):
    return Route(
        f"API GET /api/v1/clients/{{client_id}}/{path}", "GET", api(path), READERS, read_audited=True
    )


def course_of(clinic):
    return current_course(clinic.client)


def a_formulation(clinic) -> Formulation:
    """A formulation with a chosen area, so that goals can start from the protocol."""
    found, _created = Formulation.objects.get_or_create(
        course=course_of(clinic), defaults={"primary_area": "grief", "onset": "2025-10-01"}
    )
    return found


def goals_url(clinic):
    a_formulation(clinic)
    return f"/api/v1/clients/{clinic.client.pk}/goals/from-protocol"


def contract(c):
    return {
        "variant": "ipt_individual",
        "format": "individual",
        "status": "active",
        "ending_reason": "",
        "started_on": "2026-03-01",
        "planned_end_on": None,
        "ended_on": None,
        "planned_sessions": 16,
        "frequency": "weekly",
        "session_minutes": 50,
        "missed_session_policy": "",
        "contract_goals": "Feel less low",
        "agreed_on": "2026-03-01",
        "version": course_of(c).version,
    }


def note(c):
    c.session.refresh_from_db()
    return {
        "date": "2026-03-01",
        "status": "attended",
        "phase_override": "",
        "phase_override_reason": "",
        "tasks_done": ["symptom_review"],
        "techniques": [],
        "step_notes": {},
        "problem_area_progress": None,
        "between_session_task": "",
        "note": "First meeting.",
        "version": c.session.version,
    }


def formulation(c):
    found = Formulation.objects.filter(course=course_of(c)).first()
    return {
        "onset": "2025-10-01",
        "cues": {"grief": ["onset_after_death"]},
        "primary_area": "grief",
        "secondary_area": "",
        "dispute_stage": "",
        "text": "Her low mood began after her mother died.",
        "shared_on": None,
        "agreed_on": None,
        "version": found.version if found else 0,
    }


ROUTES = [
    api_read("course"),
    Route(
        "API PUT /api/v1/clients/{client_id}/course",
        "PUT",
        api("course"),
        changers(OK),
        data=contract,
        json=True,
    ),
    api_read("sessions"),
    Route(
        "API POST /api/v1/clients/{client_id}/sessions",
        "POST",
        api("sessions"),
        changers(201),
        data=lambda c: {"date": "2026-03-08"},
        json=True,
    ),
    Route(
        "API GET /api/v1/clients/{client_id}/sessions/{session_id}",
        "GET",
        lambda c: f"/api/v1/clients/{c.client.pk}/sessions/{c.session.pk}",
        READERS,
        read_audited=True,
    ),
    Route(
        "API PUT /api/v1/clients/{client_id}/sessions/{session_id}",
        "PUT",
        lambda c: f"/api/v1/clients/{c.client.pk}/sessions/{c.session.pk}",
        changers(OK),
        data=note,
        json=True,
    ),
    api_read("inventory"),
    Route(
        "API POST /api/v1/clients/{client_id}/inventory",
        "POST",
        api("inventory"),
        changers(201),
        data=lambda c: {"person_label": "Sister", "closeness_ring": 2, "values": {"confiding": True}},
        json=True,
    ),
    Route(
        "API PUT /api/v1/clients/{client_id}/inventory/notes",
        "PUT",
        api("inventory/notes"),
        changers(OK),
        data=lambda c: {
            "notes": {"social_support": "Few people to turn to"},
            "version": course_of(c).version,
        },
        json=True,
    ),
    Route(
        "API PUT /api/v1/clients/{client_id}/inventory/{entry_id}",
        "PUT",
        lambda c: f"/api/v1/clients/{c.client.pk}/inventory/{entry(c).pk}",
        changers(OK),
        data=lambda c: {
            "person_label": "Mother",
            "closeness_ring": 1,
            "values": {"current_status": "ongoing"},
            "version": entry(c).version,
        },
        json=True,
    ),
    Route(
        "API POST /api/v1/clients/{client_id}/inventory/{entry_id}/entered-in-error",
        "POST",
        lambda c: f"/api/v1/clients/{c.client.pk}/inventory/{entry(c).pk}/entered-in-error",
        changers(204),
        data=lambda c: {"reason": "Recorded for the wrong client."},
        json=True,
    ),
    api_read("timeline"),
    Route(
        "API POST /api/v1/clients/{client_id}/timeline",
        "POST",
        api("timeline"),
        changers(201),
        data=lambda c: {
            "start": "2025-09-14",
            "event": "Her mother died",
            "kind": "death",
            "mood_rating": -4,
        },
        json=True,
    ),
    Route(
        "API PUT /api/v1/clients/{client_id}/timeline/{event_id}",
        "PUT",
        lambda c: f"/api/v1/clients/{c.client.pk}/timeline/{an_event(c).pk}",
        changers(OK),
        data=lambda c: {
            "start": "2025-09-14",
            "end": None,
            "event": "Her mother died",
            "kind": "death",
            "whose": "client",
            "whose_person": None,
            "people": [],
            "mood_rating": -3,
            "problem_area_hint": "grief",
            "version": an_event(c).version,
        },
        json=True,
    ),
    Route(
        "API POST /api/v1/clients/{client_id}/timeline/{event_id}/entered-in-error",
        "POST",
        lambda c: f"/api/v1/clients/{c.client.pk}/timeline/{an_event(c).pk}/entered-in-error",
        changers(204),
        data=lambda c: {"reason": "Recorded on the wrong client's timeline."},
        json=True,
    ),
    api_read("formulation"),
    Route(
        "API PUT /api/v1/clients/{client_id}/formulation",
        "PUT",
        api("formulation"),
        changers(OK),
        data=formulation,
        json=True,
    ),
    api_read("goals"),
    Route(
        "API POST /api/v1/clients/{client_id}/goals/from-protocol",
        "POST",
        goals_url,
        changers(201),
        json=True,
    ),
    Route(
        "API PUT /api/v1/clients/{client_id}/goals/{goal_id}",
        "PUT",
        lambda c: f"/api/v1/clients/{c.client.pk}/goals/{a_goal(c).pk}",
        changers(OK),
        data=lambda c: {
            "text": "Mourn her mother",
            "strategies": "Talk about her",
            "version": a_goal(c).version,
        },
        json=True,
    ),
]
