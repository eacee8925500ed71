"""The supervisor's workspace at programme scale: p50/p95 and SQL query count, printed.

Run against a database made by `rapport generate_load` (RAPPORT_VAR_DIR or DATABASE_URL say
which), for example the 100,000-client copy `make bench` caches under var/bench/:

    RAPPORT_ENV=development RAPPORT_VAR_DIR=var/bench/sqlite-100000 \\
        .venv/bin/python bench/supervision.py [repeat]

Three paths: the page of one supervisor (their team, as generated: ten clinicians), the
workspace computed for every team of the organisation (what a programme lead would see, the
whole 100,000 clients), and that computation's query count, which must not depend on the number
of clients.
"""

import json
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client as Browser  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from rapport.accounts.models import Role, Team, User  # noqa: E402
from rapport.clinic.models import Client  # noqa: E402
from rapport.supervision import scope, workspace  # noqa: E402


def timed(fn, repeat: int) -> dict:
    for _ in range(max(2, repeat // 10)):
        fn()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        fn()
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
        "queries": len(captured),
    }


def main(repeat: int) -> dict:
    supervisor = User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("pk").first()
    if supervisor is None:
        raise SystemExit("no supervisor: generate a database first (rapport generate_load)")
    page = Browser(HTTP_HOST="127.0.0.1")
    page.force_login(supervisor, backend="django.contrib.auth.backends.ModelBackend")

    def one_page():
        answer = page.get("/supervision/")
        if answer.status_code != 200:
            raise SystemExit(f"GET /supervision/ answered {answer.status_code}")

    every_team = list(
        Team.objects.filter(organisation_id=supervisor.organisation_id).values_list("pk", flat=True)
    )
    return {
        "clients_in_database": Client.objects.count(),
        "supervisor_page": {
            "clients_in_view": Client.objects.visible_to(supervisor).count(),
            "teams": len(scope.team_ids(supervisor)),
            **timed(one_page, repeat),
        },
        "whole_organisation": {
            "teams": len(every_team),
            **timed(lambda: workspace.build(supervisor, every_team), max(3, repeat // 10)),
        },
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50), indent=2))  # noqa: T201
