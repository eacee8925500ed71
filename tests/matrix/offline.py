"""Access-matrix rows for offline group-session capture. The service worker and manifest are public
(code and a description, no one's data). The sealing key goes to any clinical staff; a group's
offline copy and its sealed sessions only to the group's facilitator (the persona clinician in
tests/offline_support.make_group): anyone else on the staff gets 404, like a group that does not
exist, and clients and administrators are refused by role."""

from tests.access_matrix import FORBIDDEN, NOT_FOUND, OK, UNAUTHORISED, Route, _all, expect
from tests.offline_support import make_group, seal, session_body

API_STAFF = expect(
    OK,
    anonymous=UNAUTHORISED,
    administrator=FORBIDDEN,
    client_user=FORBIDDEN,
    other_client_user=FORBIDDEN,
)
FACILITATOR_ONLY = expect(
    NOT_FOUND,
    anonymous=UNAUTHORISED,
    clinician=OK,
    administrator=FORBIDDEN,
    client_user=FORBIDDEN,
    other_client_user=FORBIDDEN,
)


def _sealed(c) -> dict:
    group = make_group(c)
    body = {"session_id": None, "version": None, "session": session_body(group)}
    return seal(body, group_id=group.pk, idempotency_key="matrix-1")


ROUTES = [
    Route("service_worker", "GET", lambda c: "/service-worker.js", _all(OK)),
    Route("web_manifest", "GET", lambda c: "/manifest.webmanifest", _all(OK)),
    Route("API GET /api/v1/offline/key", "GET", lambda c: "/api/v1/offline/key", API_STAFF),
    Route(
        "API GET /api/v1/groups/{group_id}/offline",
        "GET",
        lambda c: f"/api/v1/groups/{make_group(c).pk}/offline",
        FACILITATOR_ONLY,
    ),
    # Without its Idempotency-Key the facilitator's envelope is refused (422, nothing saved): the
    # key is bound into the envelope. tests/test_offline_api.py sends it with one.
    Route(
        "API POST /api/v1/groups/{group_id}/sealed-sessions",
        "POST",
        lambda c: f"/api/v1/groups/{make_group(c).pk}/sealed-sessions",
        {**FACILITATOR_ONLY, "clinician": 422},
        data=_sealed,
        json=True,
    ),
]
