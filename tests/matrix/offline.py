"""Access-matrix rows for the offline group-session screen: its service worker and manifest are
public (code and a description, no one's data)."""

from tests.access_matrix import OK, Route, _all

ROUTES = [
    Route("service_worker", "GET", lambda c: "/service-worker.js", _all(OK)),
    Route("web_manifest", "GET", lambda c: "/manifest.webmanifest", _all(OK)),
]
