"""Access-matrix rows for the formulation and goal routes (see tests/access_matrix.py)."""

from tests.access_matrix import (
    CLINICAL_READ,
    CLINICIAN_PAGE,
    CLINICIAN_POST,
    Route,
    client_url,
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
        CLINICAL_READ,
        read_audited=True,
    ),
    Route(
        "goals_start",
        "POST",
        client_url("/clients/{pk}/formulation/goals/start/"),
        CLINICIAN_POST,
    ),
    Route(
        "goal_edit",
        "GET",
        lambda c: f"/clients/{c.client.pk}/goals/{a_goal(c).pk}/",
        CLINICIAN_PAGE,
    ),
]
