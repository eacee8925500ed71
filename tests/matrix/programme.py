"""Access-matrix rows for the programme's figures (issue 12): the outcomes page, the courses
behind a figure, the two exports and the API. Clinical staff and the programme lead read them,
each over their own courses (tests/test_programme.py checks what the figures hold); clients and
administrators are refused by role, a client through the API with 404 like any record not theirs."""

from tests.access_matrix import FORBIDDEN, LOGIN, NOT_FOUND, OK, UNAUTHORISED, Route, expect

READERS = expect(
    OK, anonymous=LOGIN, client_user=FORBIDDEN, other_client_user=FORBIDDEN, administrator=FORBIDDEN
)
API_READERS = expect(
    OK,
    anonymous=UNAUTHORISED,
    client_user=NOT_FOUND,
    other_client_user=NOT_FOUND,
    administrator=FORBIDDEN,
)

ROUTES = [
    Route("programme", "GET", lambda c: "/programme/", READERS),
    Route(
        "programme_courses",
        "GET",
        lambda c: f"/programme/courses/?figure=referrals&team={c.team_a.pk}",
        READERS,
        notes=["lists only the clients visible to the caller, whatever the filter"],
    ),
    Route("programme_export", "GET", lambda c: "/programme/export.csv", READERS),
    Route("programme_extract", "GET", lambda c: "/programme/extract/", READERS),
    Route("API GET /api/v1/programme/outcomes", "GET", lambda c: "/api/v1/programme/outcomes", API_READERS),
    Route("API GET /api/v1/programme/fidelity", "GET", lambda c: "/api/v1/programme/fidelity", API_READERS),
]
