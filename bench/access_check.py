"""The cost of one access check: `visible_to(user).filter(pk=...)` (a UNION, as every single-client
read asked it until #17) against `visible_one(user, pk)` (the row by its key, then
`clinic.models.clients.may_see` on it), on the same database, for a clinician, a supervisor and
a client.

    .venv/bin/python bench/access_check.py [REPEAT]     (RAPPORT_VAR_DIR / DATABASE_URL: which database)

Prints JSON: per persona and way, the CPU milliseconds per check (time.process_time, which a busy
machine inflates far less than wall time), the Python function calls (cProfile: independent of the
load), the wall p50 and the SQL queries; both ways must give the same answer (checked). Needs a
database with generated clients (`rapport generate_load`)."""

import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def measure(check, repeat: int) -> dict:
    check()  # warm: the first call imports and builds what Django loads lazily
    cpu_started = time.process_time()
    walls = []
    for _ in range(repeat):
        started = time.perf_counter()
        check()
        walls.append((time.perf_counter() - started) * 1000)
    cpu = (time.process_time() - cpu_started) * 1000 / repeat
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    profile = cProfile.Profile()
    with CaptureQueriesContext(connection) as queries:
        profile.runcall(check)
    calls = pstats.Stats(profile).total_calls  # type: ignore[attr-defined]
    return {
        "cpu_ms": round(cpu, 2),
        "wall_p50_ms": round(statistics.median(walls), 2),
        "calls": calls,
        "queries": len(queries),
    }


def main(repeat: int) -> dict:
    setup()
    from rapport.accounts.models import Role, User
    from rapport.clinic.models import Client

    clinician = User.objects.filter(role=Role.CLINICIAN, responsible_for__isnull=False).order_by("pk").first()
    supervisor = (
        User.objects.filter(role=Role.SUPERVISOR, supervised_teams__isnull=False).order_by("pk").first()
    )
    client_user = User.objects.filter(role=Role.CLIENT, client_record__isnull=False).order_by("pk").first()
    cases = {
        "clinician": (
            clinician,
            Client.objects.filter(responsible_clinician=clinician).order_by("pk").first(),
        ),
        "supervisor": (
            supervisor,
            Client.objects.filter(team__supervisors=supervisor).order_by("pk").first(),
        ),
        "client": (client_user, Client.objects.filter(user=client_user).first()),
    }
    figures: dict = {"clients": Client.objects.count()}
    for name, (user, client) in cases.items():
        if user is None or client is None:
            continue
        if Client.objects.visible_to(user).filter(pk=client.pk).first() != Client.objects.visible_one(
            user, client.pk
        ):
            raise SystemExit(f"{name}: the two ways disagree")
        figures[name] = {
            "union": measure(
                lambda u=user, c=client: Client.objects.visible_to(u).filter(pk=c.pk).first(), repeat
            ),
            "one": measure(lambda u=user, c=client: Client.objects.visible_one(u, c.pk), repeat),
        }
    figures["loadavg"] = open("/proc/loadavg").read().split()[:3]  # noqa: SIM115
    return figures


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300), indent=1))  # noqa: T201
