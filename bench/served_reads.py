"""Where the time of a served read goes: the caseload (a page, signed in with a session) and the
outcomes route (the API, a Bearer token) served by gunicorn with the production settings, at one
connection and at four, with the CPU time the workers spent per request (their /proc ticks),
and what each read wrote to the database (audit rows, session rows touched).

    .venv/bin/python bench/served_reads.py [SECONDS]

BENCH_PROFILE_CLIENTS generated clients (default 1,000), cached under var/bench/ (shared with
bench/profile_write.py); BENCH_PORT is where gunicorn listens. Prints JSON. On 2 cores, four
connections can be no faster than about 4 x CPU / 2 per request; compare with that."""

import json
import os
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.profile_write import database  # noqa: E402
from bench.run import BIN, GUNICORN, PORT, cpu_seconds, probe, run, served, workers, wrk  # noqa: E402


def writes(env: dict) -> dict:
    """Audit rows, and the newest session expiry (moved by every session save)."""
    with sqlite3.connect(Path(env["RAPPORT_VAR_DIR"]) / "rapport.sqlite3") as db:
        audit = db.execute("SELECT COUNT(*) FROM audit_auditevent").fetchone()[0]
        saved = db.execute("SELECT MAX(expire_date) FROM django_session").fetchone()[0]
    return {"audit_rows": audit, "session_expiry": saved}


def main(seconds: int) -> dict:
    env = database()
    found = probe(env, "targets")
    token = run([BIN / "rapport", "issue_token", found["clinician"]["email"], "--name", "reads"], env).strip()
    url = f"http://127.0.0.1:{PORT}"
    paths = {
        "caseload": ("/caseload/", {"headers": {"Cookie": found["session_cookie"]}}),
        "outcomes": (
            f"/api/v1/clients/{found['client_16_sessions']}/outcomes",
            {"headers": {"Authorization": f"Bearer {token}"}},
        ),
    }
    figures: dict = {"gunicorn": " ".join(GUNICORN), "loadavg_start": os.getloadavg()[0]}
    with served("rapport.wsgi", env) as master:
        pids = workers(master)
        for path, headers in paths.values():  # every worker and thread builds what Django loads lazily
            wrk(url + path, "get.lua", headers, threads=1, connections=6, seconds=10)
        for name, (path, headers) in paths.items():
            for connections in (1, 4):
                before_cpu = sum(cpu_seconds(p) for p in pids)
                before = writes(env)
                result = wrk(
                    url + path, "get.lua", headers, threads=1, connections=connections, seconds=seconds
                )
                after = writes(env)
                served_requests = max(1, result["requests"] + result["warmup"])
                result["worker_cpu_ms_per_request"] = round(
                    (sum(cpu_seconds(p) for p in pids) - before_cpu) * 1000 / served_requests, 2
                )
                result["audit_rows_per_request"] = round(
                    (after["audit_rows"] - before["audit_rows"]) / served_requests, 2
                )
                result["session_saved"] = after["session_expiry"] != before["session_expiry"]
                result["loadavg"] = os.getloadavg()[0]
                figures[f"{name} c{connections}"] = result
    return figures


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 8), indent=1))  # noqa: T201
