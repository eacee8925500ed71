"""FHIR benchmark: `Patient/{id}/$everything` p95 for a client with a 16-session course and 30
responses, and the peak memory of a bulk export of every client's QuestionnaireResponses.

    .venv/bin/python bench/fhir.py          BENCH_FHIR_CLIENTS (default 2,000; the issue's figure
                                            is 100,000) generated clients, cached under var/bench/;
                                            BENCH_FHIR_EXPORT=0 times $everything alone

Prints the figures as JSON. The database is generated once (`rapport generate_load`) and copied
before each run, since the run adds responses and widens a supervisor's teams."""

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("BENCH_FHIR_CLIENTS", "2000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "200"))
CACHE = ROOT / "var" / "bench" / f"fhir-{CLIENTS}"
WORK = ROOT / "var" / "bench" / "fhir-work"


def env(var_dir: Path) -> dict:
    found = dict(os.environ, RAPPORT_ENV="development", RAPPORT_VAR_DIR=str(var_dir))
    found.pop("DATABASE_URL", None)
    found["RAPPORT_FHIR_EXPORT_DIR"] = str(var_dir / "fhir-exports")
    return found


def rapport(*args, var_dir: Path) -> None:
    subprocess.run([str(ROOT / ".venv/bin/rapport"), *args], cwd=ROOT, env=env(var_dir), check=True)  # noqa: S603


def child(step: str) -> dict:
    done = subprocess.run(  # noqa: S603
        [sys.executable, __file__, step], cwd=ROOT, env=env(WORK), check=True, text=True, capture_output=True
    )
    return json.loads(done.stdout)


def main() -> None:
    if not (CACHE / "rapport.sqlite3").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        rapport("migrate", "-v", "0", var_dir=CACHE)
        rapport("generate_load", "--clients", str(CLIENTS), "--today", "2026-06-01", var_dir=CACHE)
    shutil.rmtree(WORK, ignore_errors=True)
    shutil.copytree(CACHE, WORK)
    rapport("migrate", "-v", "0", var_dir=WORK)  # the cache may predate a migration: bring the copy up
    figures = {"clients": CLIENTS, "everything": child("everything")}
    if os.environ.get("BENCH_FHIR_EXPORT", "1") != "0":  # 0: $everything alone
        figures["export"] = child("export")
    print(json.dumps(figures, indent=2))  # noqa: T201
    if "--results" in sys.argv:  # make bench: the figures as a section of bench/RESULTS.md
        record(figures)


def record(figures: dict) -> None:
    sys.path.insert(0, str(ROOT))
    from bench.results import put_section

    e = figures["everything"]
    lines = [
        f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, SQLite, {figures['clients']:,} generated "
        "clients, in-process through Django's test client with a bearer token.",
        "",
        f"- `Patient/{{id}}/$everything` for a client with a {e['sessions']}-session course and "
        f"{e['responses']} responses ({e['entries']} entries, {e['queries']} queries): p50 {e['p50_ms']} ms, "
        f"p95 **{e['p95_ms']} ms** (target < 200), {e['cpu_ms_per_request']} ms CPU a request, "
        f"load {e['loadavg']:.1f}.",
    ]
    if "export" in figures:
        x = figures["export"]
        lines.append(
            f"- Bulk export (de-identified) of every QuestionnaireResponse and Observation a supervisor of "
            f"every team may see: {x['written']['QuestionnaireResponse']:,} QuestionnaireResponses and "
            f"{x['written']['Observation']:,} Observations from {x['responses_in_database']:,} responses, "
            f"{x['ndjson_mib']} MiB of NDJSON in {x['seconds']} s; the process's peak resident memory "
            f"{x['process_peak_mib_before']} MiB before, **{x['process_peak_mib_after']} MiB** after."
        )
    put_section(f"FHIR at {figures['clients']:,} clients (bench/fhir.py, issue 16)", lines)


# The Django side, one step per process so that each peak memory is its own.


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def vm_hwm_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def everything() -> dict:
    import io
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as Browser
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from rapport.clinic import measurement
    from rapport.clinic.models import Course, Response

    course = next(
        c
        for c in Course.objects.select_related("client__responsible_clinician").order_by("pk")
        if c.sessions.count() == 16
    )
    client, clinician = course.client, course.client.responsible_clinician
    request = RequestFactory().post("/")
    request.user = clinician
    answers = {f"item{n}": "several_days" for n in range(1, 9)} | {"item9": "not_at_all"}
    while Response.objects.filter(client=client).count() < 30:
        measurement.record_response(
            request, client.pk, "phq9", answers, answered_at=timezone.now() - timedelta(days=1)
        )
    out = io.StringIO()
    call_command("issue_token", clinician.email, stdout=out, stderr=io.StringIO())
    token = out.getvalue().strip().split()[-1]
    browser = Browser(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
    url = f"/fhir/R4/Patient/{client.pk}/$everything"
    if browser.get(url).status_code != 200:
        raise SystemExit(f"{url} did not answer 200")
    times = []
    cpu_started = time.process_time()  # CPU time: what a busy machine inflates far less than wall time
    for _ in range(REPEAT):
        started = time.perf_counter()
        browser.get(url)
        times.append((time.perf_counter() - started) * 1000)
    cpu_ms = (time.process_time() - cpu_started) * 1000 / REPEAT
    with CaptureQueriesContext(connection) as queries:
        entries = len(browser.get(url).json()["entry"])
    times.sort()
    return {
        "responses": Response.objects.filter(client=client).count(),
        "sessions": 16,
        "entries": entries,
        "queries": len(queries),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        "cpu_ms_per_request": round(cpu_ms, 1),
        "loadavg": os.getloadavg()[0],
    }


def export_step() -> dict:
    import tempfile

    from rapport.accounts.models import Team, User
    from rapport.clinic.models import Response
    from rapport.interop.fhir import export

    supervisor = User.objects.filter(role="supervisor").order_by("pk").first()
    supervisor.supervised_teams.set(Team.objects.all())  # one person who sees every client
    before = vm_hwm_kib()
    started = time.perf_counter()
    # The peak resident memory (VmHWM) of this process, before and after: what a worker needs.
    with tempfile.TemporaryDirectory() as directory:
        counts = export.write_files(
            Path(directory), supervisor, ["QuestionnaireResponse", "Observation"], True, "bench-key"
        )
        size = sum(p.stat().st_size for p in Path(directory).iterdir())
    seconds = time.perf_counter() - started
    return {
        "responses_in_database": Response.objects.count(),
        "written": counts,
        "ndjson_mib": round(size / 2**20, 1),
        "seconds": round(seconds, 1),
        "process_peak_mib_before": round(before / 1024, 1),
        "process_peak_mib_after": round(vm_hwm_kib() / 1024, 1),
    }


if __name__ == "__main__":
    if sys.argv[1:2] in (["everything"], ["export"]):  # a step, in its own process (child())
        setup()
        print(json.dumps(everything() if sys.argv[1] == "everything" else export_step()))  # noqa: T201
    else:
        main()  # with or without --results
