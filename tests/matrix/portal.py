"""Access-matrix rows for the portal routes (see tests/access_matrix.py).

Portal pages are the signed-in client's own: staff meet a 403, nobody signed in is sent to sign
in, and the other client either gets their own page (every address without an id) or a 404 (an
address with an id of the first client's record). The invitation pages are public: the code is
the credential. `my_home` has its row in tests/access_matrix.py.
"""

from datetime import date, timedelta

from django.utils import timezone

from rapport.clinic import invitations
from rapport.clinic.models import (
    CheckInDraft,
    Client,
    Course,
    Invitation,
    Respondent,
    Response,
    Session,
    SessionStatus,
)
from tests.access_matrix import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, Route, expect

INVITATION_CODE = "ABCD2345WXYZ"


def client_page(mine, theirs=None):
    """A portal page: `mine` for the client, `theirs` for the other client (the same unless the
    address holds an id of the first client's record)."""
    return expect(
        FORBIDDEN,
        anonymous=LOGIN,
        client_user=mine,
        other_client_user=mine if theirs is None else theirs,
    )


PUBLIC = expect(OK)


def with_made(make, url):
    """The address `url`, once `make(clinic)` has made the rows the call needs."""

    def address(clinic):
        make(clinic)
        return url

    return address


def a_course(clinic) -> Course:
    course = Course.objects.filter(client=clinic.client).order_by("-id").first()
    return course or Course.objects.create(client=clinic.client)


def a_client_response(clinic) -> Response:
    """A check-in the first client sent themselves, made once per test."""
    if getattr(clinic, "client_response", None) is None:
        clinic.client_response = Response.objects.create(
            client=clinic.client,
            course=a_course(clinic),
            instrument="phq9",
            instrument_version="1",
            answered_by=clinic.client_user,
            respondent=Respondent.CLIENT,
            answers={"item1": "several_days"},
            complete=False,
        )
    return clinic.client_response


def a_task(clinic) -> Session:
    """An attended session of the first client's course with an agreed task."""
    if getattr(clinic, "task_session", None) is None:
        clinic.task_session = Session.objects.create(
            course=a_course(clinic),
            number=2,
            date=timezone.localdate() - timedelta(days=3),
            status=SessionStatus.ATTENDED,
            between_session_task="Ring Sam about Sunday",
        )
    return clinic.task_session


def a_draft(clinic) -> CheckInDraft:
    """The first client's PHQ-9 begun: the other client has none, so sending theirs is refused."""
    if getattr(clinic, "draft", None) is None:
        a_course(clinic)
        clinic.draft = CheckInDraft.objects.create(
            client=clinic.client, instrument="phq9", answers={"item1": "not_at_all"}
        )
    return clinic.draft


def an_invitation(clinic) -> str:
    """A usable invitation for a client who has no account yet; returns the code."""
    if getattr(clinic, "invitation", None) is None:
        newcomer = Client.objects.create(
            organisation=clinic.org,
            team=clinic.team_a,
            responsible_clinician=clinic.clinician,
            full_name="Nia Newcomer",
            date_of_birth=date(1994, 4, 4),
            country="GB",
            time_zone="Europe/London",
        )
        clinic.invitation = Invitation.objects.create(
            client=newcomer,
            digest=invitations.digest(INVITATION_CODE),
            created_by=clinic.clinician,
            expires_at=timezone.now() + timedelta(days=7),
        )
    return INVITATION_CODE


ROUTES = [
    Route("my_help", "GET", lambda c: "/my/help/", client_page(OK)),
    # Each client's press raises an alert on their own record.
    Route("my_help", "POST", lambda c: "/my/help/", client_page(REDIRECT)),
    Route("my_check_ins", "GET", lambda c: "/my/check-ins/", client_page(OK)),
    Route("my_check_in", "GET", lambda c: "/my/check-ins/phq9/", client_page(REDIRECT)),
    Route("my_check_in_question", "GET", lambda c: "/my/check-ins/phq9/1/", client_page(OK)),
    Route(
        "my_check_in_question",
        "POST",
        lambda c: "/my/check-ins/phq9/1/",
        client_page(REDIRECT),
        data=lambda c: {"answer": "not_at_all", "action": "next"},
    ),
    Route("my_check_in_review", "GET", lambda c: "/my/check-ins/phq9/review/", client_page(OK)),
    Route(
        "my_check_in_review",
        "POST",
        # Sends the first client's draft; the other client has nothing to send and is told so.
        with_made(a_draft, "/my/check-ins/phq9/review/"),
        client_page(REDIRECT, OK),
    ),
    Route(
        "my_check_in_result",
        "GET",
        lambda c: f"/my/check-ins/result/{a_client_response(c).pk}/",
        client_page(OK, NOT_FOUND),
    ),
    Route("my_preparation", "GET", lambda c: "/my/since-we-last-met/", client_page(OK)),
    Route(
        "my_preparation",
        "POST",
        # The first client has a course and saves; the other has none yet and is told so.
        with_made(a_course, "/my/since-we-last-met/"),
        client_page(REDIRECT, OK),
        data=lambda c: {"version": "0", "what_happened": "We talked", "action": "save"},
    ),
    Route("my_plan", "GET", lambda c: "/my/plan/", client_page(OK)),
    # Each client downloads their own data; there is no id in the address to reach another's.
    Route("my_data", "GET", lambda c: "/my/data/", client_page(OK)),
    Route("my_data_json", "GET", lambda c: "/my/data/my-rapport-data.json", client_page(OK)),
    Route(
        "my_task",
        "POST",
        lambda c: f"/my/tasks/{a_task(c).pk}/",
        client_page(REDIRECT, NOT_FOUND),
        data=lambda c: {"version": "0", "outcome": "done", "how_it_went": "Fine"},
    ),
    Route("my_learn", "GET", lambda c: "/my/learn/", client_page(OK)),
    Route("my_learn_page", "GET", lambda c: "/my/learn/depression/", client_page(OK)),
    Route("my_safety_plan", "GET", lambda c: "/my/safety-plan/", client_page(OK)),
    Route("my_safety_plan_edit", "GET", lambda c: "/my/safety-plan/edit/", client_page(OK)),
    Route(
        "my_safety_plan_edit",
        "POST",
        # Each client saves their own plan.
        lambda c: "/my/safety-plan/edit/",
        client_page(REDIRECT),
        data=lambda c: {"version": "0", "warning_signs-rows": "1", "warning_signs-0-text": "I stop eating"},
    ),
    Route("my_safety_plan_history", "GET", lambda c: "/my/safety-plan/history/", client_page(OK)),
    # The invitation pages: public, and the same for everyone.
    Route("invitation_code", "GET", lambda c: "/invitation/", PUBLIC),
    Route("invitation_code", "POST", lambda c: "/invitation/", PUBLIC, data=lambda c: {"code": "WRONG"}),
    Route("invitation_link", "GET", lambda c: f"/invitation/{an_invitation(c)}/", expect(REDIRECT)),
    # Without a code in the session there is nothing to accept: back to typing the code.
    Route("invitation_accept", "GET", lambda c: "/invitation/accept/", expect(REDIRECT)),
]
