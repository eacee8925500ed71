"""Where a profiled request's time goes, from a pyinstrument session: milliseconds per request
inside named steps (outermost call only, so that a step is not counted twice within itself),
and self time by package. Used by bench/profiled_wsgi.py."""

# (label, path fragment, function): the steps of an API write and of the request around it.
STEPS = [
    ("view and everything under it (not middleware)", "django/core/handlers/base.py", "_get_response"),
    ("API authentication (token, lockout)", "rapport/api/auth.py", "authenticate"),
    ("idempotency middleware, all of it", "rapport/api/idempotency.py", "__call__"),
    ("access check and client row", "rapport/clinic/client_records.py", "get_client_for"),
    ("body parsed and validated (ninja)", "ninja/operation.py", "_get_values"),
    ("scoring (core)", "rapport/core/scoring.py", "score"),
    ("current course", "rapport/clinic/measurement.py", "current_course"),
    ("response INSERT", "django/db/models/base.py", "save"),
    ("programme summary rewritten", "rapport/programme/summaries.py", "refresh"),
    ("audit row", "rapport/audit/trail.py", "record"),
    ("alert raised", "rapport/clinic/alert_chain.py", "raise_for_result"),
    ("answer serialised (ninja)", "ninja/operation.py", "_result_to_response"),
    ("database connection opened", "django/db/backends/base/base.py", "connect"),
    ("transaction committed", "django/db/backends/base/base.py", "commit"),
    ("SQL sent and answered (driver)", "django/db/backends/utils.py", "_execute"),
    ("SQL built by the ORM", "django/db/models/sql/compiler.py", "as_sql"),
    ("session middleware", "django/contrib/sessions/middleware.py", "process_response"),
    ("time-zone middleware", "rapport/accounts/middleware.py", "__call__"),
]


def _walk(frame, found: dict, inside: frozenset) -> None:
    mine = set(inside)
    for label, path, function in STEPS:
        if frame.function == function and path in (frame.file_path or "") and label not in inside:
            found[label] = found.get(label, 0.0) + frame.time
            mine.add(label)
    for child in frame.children:
        _walk(child, found, frozenset(mine))


def _package(path: str) -> str:
    for marker in ("site-packages/", "src/"):
        if marker in path:
            parts = path.split(marker, 1)[1].split("/")
            return "/".join(parts[:3] if parts[0] in ("django", "rapport") else parts[:1])
    return path.rsplit("/", 1)[-1] or "(other)"


def _self_times(frame, totals: dict) -> None:
    key = _package(frame.file_path or "")
    totals[key] = totals.get(key, 0.0) + frame.total_self_time
    for child in frame.children:
        _self_times(child, totals)


def breakdown(session, requests: int) -> dict:
    root = session.root_frame()
    found: dict[str, float] = {}
    totals: dict[str, float] = {}
    if root is not None:
        _walk(root, found, frozenset())
        _self_times(root, totals)
    per = 1000 / requests
    top = sorted(totals.items(), key=lambda kv: -kv[1])[:15]
    return {
        "requests": requests,
        "ms_per_request": round(session.duration * per, 2),
        "steps_ms_per_request": {label: round(found.get(label, 0.0) * per, 2) for label, _, _ in STEPS},
        "self_ms_per_request_by_package": {k: round(v * per, 2) for k, v in top},
    }
