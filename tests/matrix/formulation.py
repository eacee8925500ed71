"""Access-matrix rows for the formulation and goal routes (see tests/access_matrix.py)."""

from tests.access_matrix import (
    CLIENT_ROLES_FORBIDDEN,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    REDIRECT,
    Route,
    client_url,
    expect,
)


def a_goal(clinic):
    from rapport.clinic.models import Course, Goal

    if not hasattr(clinic, "goal"):
        course = Course.objects.filter(client=clinic.client).order_by("-id").first()
        clinic.goal = Goal.objects.create(course=course, problem_area="grief", text="Mourn")
    return clinic.goal


ROUTES = [
    Route(
        "formulation",
        "GET",
        client_url("/clients/{pk}/formulation/"),
        expect(
            NOT_FOUND,
            anonymous=LOGIN,
            clinician=OK,
            co_clinician=OK,
            supervisor=OK,
            administrator=FORBIDDEN,
            **CLIENT_ROLES_FORBIDDEN,
        ),
        read_audited=True,
    ),
    Route(
        "goals_start",
        "POST",
        client_url("/clients/{pk}/formulation/goals/start/"),
        expect(
            FORBIDDEN, anonymous=LOGIN, clinician=REDIRECT, co_clinician=REDIRECT, other_clinician=NOT_FOUND
        ),
    ),
    Route(
        "goal_edit",
        "GET",
        lambda c: f"/clients/{c.client.pk}/goals/{a_goal(c).pk}/",
        expect(FORBIDDEN, anonymous=LOGIN, clinician=OK, co_clinician=OK, other_clinician=NOT_FOUND),
    ),
]
