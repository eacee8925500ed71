"""Access-matrix rows for closing a client's account and the retention period: administrators
only; clinical staff and clients are refused, and nobody else reaches the closure step."""

from tests.access_matrix import FORBIDDEN, LOGIN, OK, Route, expect

ADMIN_ONLY = expect(FORBIDDEN, anonymous=LOGIN, administrator=OK)

ROUTES = [
    Route("client_close", "GET", lambda c: f"/administration/clients/{c.client.pk}/close/", ADMIN_ONLY),
    Route("retention", "GET", lambda c: "/administration/retention/", ADMIN_ONLY),
]
