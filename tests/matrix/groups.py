"""Access-matrix rows for group IPT (issue 13). The group: facilitated by the responsible
clinician with the co-clinician as co-facilitator, supervised by team A (the supervisor), with
the client as a member. Facilitators read and change; the team's supervisor reads (and may set
up the group); anyone else who is staff meets a 404, as for a group that does not exist; clients
and administrators are refused by role (403), anonymous callers 401."""

from datetime import timedelta

from django.utils import timezone

from rapport.clinic.measurement import current_course
from rapport.clinic.models import Client, Course
from rapport.groups.models import Group, GroupSession, Membership
from tests.access_matrix import (
    CLIENT_ROLES_FORBIDDEN,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    UNAUTHORISED,
    Route,
    expect,
)

ROLE_REFUSED = dict(administrator=FORBIDDEN, client_user=FORBIDDEN, other_client_user=FORBIDDEN)
READERS = expect(
    NOT_FOUND, anonymous=UNAUTHORISED, clinician=OK, co_clinician=OK, supervisor=OK, **ROLE_REFUSED
)


def facilitators(status):
    return expect(NOT_FOUND, anonymous=UNAUTHORISED, clinician=status, co_clinician=status, **ROLE_REFUSED)


def a_group(clinic) -> Group:
    if getattr(clinic, "group", None) is None:
        yesterday = timezone.localdate() - timedelta(days=1)
        clinic.group = Group.objects.create(
            organisation=clinic.org,
            name="Matrix group",
            facilitator=clinic.clinician,
            co_facilitator=clinic.co_clinician,
            team=clinic.team_a,
            planned_start=yesterday - timedelta(days=7),
            status="running",
        )
        course = current_course(clinic.client) or Course.objects.create(client=clinic.client)
        Course.objects.filter(pk=course.pk).update(
            variant="group_ipt_who", format="group", planned_sessions=8
        )
        clinic.membership = Membership.objects.create(
            group=clinic.group, client=clinic.client, course=course, joined_on=yesterday - timedelta(days=7)
        )
    return clinic.group


def a_group_session(clinic) -> GroupSession:
    group = a_group(clinic)
    if getattr(clinic, "group_session", None) is None:
        clinic.group_session = GroupSession.objects.create(
            group=group,
            number=1,
            date=timezone.localdate() - timedelta(days=1),
            recorded_at=timezone.now(),
            recorded_by=clinic.clinician,
        )
    return clinic.group_session


def group_url(rest=""):
    return lambda c: f"/api/v1/groups/{a_group(c).pk}{rest}"


def group_body(c, **change):
    return {
        "name": "New group",
        "variant": "group_ipt_who",
        "facilitator_id": c.clinician.pk,
        "co_facilitator_id": None,
        "team_id": c.team_a.pk,
        "lay_facilitated": True,
        "meeting_place": "Hall",
        "meeting_day": "mon",
        "meeting_time": "18:00",
        "planned_start": timezone.localdate().isoformat(),
        "status": "forming",
        **change,
    }


def session_body(c, **change):
    return {
        "number": 2,
        "date": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "notes": "",
        "paper_filled_on": None,
        "recorded_at": None,
        "members": [
            {
                "membership_id": c.membership.pk,
                "attended": True,
                "phq9": None,
                "mood_change": 1,
                "mood_event_ids": [],
                "mood_note": "",
                "task_set": "Ask my sister for help",
                "task_reviewed": "",
                "note": "",
                "needs_follow_up": False,
                "needs_follow_up_for_risk": False,
            }
        ],
        **change,
    }


def a_newcomer(c) -> dict:
    newcomer = Client.objects.create(
        organisation=c.org,
        team=c.team_a,
        responsible_clinician=c.clinician,
        full_name="Nia Newcomer",
        date_of_birth="1990-02-02",
        country="GB",
        time_zone="Europe/London",
    )
    newcomer.co_clinicians.add(c.co_clinician)
    return {"client_id": newcomer.pk, "joined_on": timezone.localdate().isoformat(), "reason": "Referred"}


# Making a group: a clinician facilitates what they make; a supervisor makes one for a team they
# supervise. Others are refused with the reason (422), as the body names someone else's group.
CREATORS = expect(422, anonymous=UNAUTHORISED, clinician=201, supervisor=201, **ROLE_REFUSED)

ROUTES = [
    Route(
        "API GET /api/v1/groups",
        "GET",
        lambda c: (a_group(c), "/api/v1/groups")[1],
        expect(OK, anonymous=UNAUTHORISED, **ROLE_REFUSED),
    ),
    Route(
        "API POST /api/v1/groups", "POST", lambda c: "/api/v1/groups", CREATORS, data=group_body, json=True
    ),
    Route("API GET /api/v1/groups/{group_id}", "GET", group_url(), READERS),
    Route(
        "API PUT /api/v1/groups/{group_id}",
        "PUT",
        group_url(),
        expect(
            NOT_FOUND, anonymous=UNAUTHORISED, clinician=OK, co_clinician=OK, supervisor=OK, **ROLE_REFUSED
        ),
        data=lambda c: {**group_body(c, name="Renamed", co_facilitator_id=c.co_clinician.pk), "version": 1},
        json=True,
    ),
    Route(
        "API POST /api/v1/groups/{group_id}/members",
        "POST",
        group_url("/members"),
        facilitators(201),
        data=a_newcomer,
        json=True,
    ),
    Route("API GET /api/v1/groups/{group_id}/sessions", "GET", group_url("/sessions"), READERS),
    Route(
        "API POST /api/v1/groups/{group_id}/sessions",
        "POST",
        group_url("/sessions"),
        facilitators(201),
        data=session_body,
        json=True,
    ),
    Route(
        "API PUT /api/v1/groups/{group_id}/sessions/{session_id}",
        "PUT",
        lambda c: f"/api/v1/groups/{a_group(c).pk}/sessions/{a_group_session(c).pk}",
        facilitators(OK),
        data=lambda c: {**session_body(c, number=1), "version": 1},
        json=True,
    ),
]


# The pages. Any clinical staff opens the list (their own groups only) and the form to create one;
# a group's pages are its facilitators' and its team supervisor's (the supervisor reads, and sets
# the group up); capture, members and leaving are the facilitators' (a clinician's pages: a
# supervisor's role is refused with 403, as on the course pages).
STAFF = dict(anonymous=LOGIN, administrator=FORBIDDEN, **CLIENT_ROLES_FORBIDDEN)
PAGE_READERS = expect(NOT_FOUND, clinician=OK, co_clinician=OK, supervisor=OK, **STAFF)
FACILITATOR_PAGE = expect(
    FORBIDDEN, anonymous=LOGIN, clinician=OK, co_clinician=OK, other_clinician=NOT_FOUND
)


def page(rest=""):
    return lambda c: f"/groups/{a_group(c).pk}/{rest}"


def member_page(rest):
    return lambda c: f"/groups/{a_group(c).pk}/members/{c.membership.pk}/{rest}"


ROUTES += [
    Route("groups", "GET", lambda c: (a_group(c), "/groups/")[1], expect(OK, **STAFF)),
    Route("group_add", "GET", lambda c: "/groups/new/", expect(OK, **STAFF)),
    Route("group_detail", "GET", page(), PAGE_READERS),
    Route("group_edit", "GET", page("edit/"), PAGE_READERS),
    Route("group_member_add", "GET", page("members/new/"), FACILITATOR_PAGE),
    Route("group_member_leave", "GET", member_page("leave/"), FACILITATOR_PAGE),
    Route("group_pre_group", "GET", member_page("pre-group/"), PAGE_READERS),
    Route("group_session_add", "GET", page("sessions/new/"), FACILITATOR_PAGE),
    Route(
        "group_session",
        "GET",
        lambda c: f"/groups/{a_group(c).pk}/sessions/{a_group_session(c).pk}/",
        PAGE_READERS,
    ),
    Route(
        "group_session_edit",
        "GET",
        lambda c: f"/groups/{a_group(c).pk}/sessions/{a_group_session(c).pk}/edit/",
        FACILITATOR_PAGE,
    ),
    Route(
        "group_session_entered_in_error",
        "GET",
        lambda c: f"/groups/{a_group(c).pk}/sessions/{a_group_session(c).pk}/entered-in-error/",
        FACILITATOR_PAGE,
    ),
    Route("group_sheet", "GET", page("sheet/2/"), PAGE_READERS),
]


# A member's own view of their group: every client account opens it (one outside a group is told
# so); staff are refused by role.
ROUTES += [
    Route(
        "my_group",
        "GET",
        lambda c: (a_group(c), "/my/group/")[1],
        expect(FORBIDDEN, anonymous=LOGIN, client_user=OK, other_client_user=OK),
    ),
]


# A group through FHIR (interop/fhir/groups.py): read by id, by the same people as through the
# JSON API.
ROUTES += [
    Route(
        "fhir_read_Group",
        "GET",
        lambda c: f"/fhir/R4/Group/{a_group(c).pk}",
        expect(
            NOT_FOUND, anonymous=UNAUTHORISED, clinician=OK, co_clinician=OK, supervisor=OK, **ROLE_REFUSED
        ),
    ),
]
