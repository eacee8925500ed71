"""The front door under load: referrals posted to a live gunicorn at and past the rate limits.

    .venv/bin/python bench/referrals.py            # SQLite, then PostgreSQL if it answers

A fresh database each time (var/bench/referrals-<vendor>), gunicorn with the production worker
settings on 127.0.0.1:8160, behind-proxy mode so that each simulated caller has its own address
(X-Forwarded-For). Every caller posts more referrals than its own limit, from several threads at
once, and together they post more than the global limit. Printed: requests, accepted (201),
refused (429), other answers, the rate, p50/p95 latency, and the two checks that matter:

- the limits hold: ordinary referrals accepted per address never exceed RAPPORT_REFERRALS_PER_IP,
  nor in all RAPPORT_REFERRALS_GLOBAL; one in ten carries a risk answer, and those (urgent) may be
  taken over the ordinary limits (a risk answer is not lost to a limit meant for robots) but never
  past RAPPORT_URGENT_REFERRALS_PER_IP per address nor RAPPORT_URGENT_REFERRALS_GLOBAL in all;
- no accepted referral is lost: every reference answered with 201 is in the database, and the
  database holds no referral that was not answered 201.

Exits non-zero when either check fails.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
VAR = ROOT / "var" / "bench"
PORT = int(os.environ.get("BENCH_REFERRALS_PORT", "8160"))
PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("BENCH_REFERRALS_DB", "rapport_bench_referrals")
PER_IP = 5
GLOBAL = 60
URGENT_PER_IP = 10
URGENT_GLOBAL = 400
CALLERS = 20  # 20 addresses x 8 posts = 160 requests: each caller past its limit, all past the global
POSTS_EACH = 8
THREADS = 8
GUNICORN = ["--workers", "3", "--threads", "2"]
REFERENCE = re.compile(r"R[0-9A-Z]{7}")


def log(message: str) -> None:
    print(f"[referrals] {message}", file=sys.stderr, flush=True)  # noqa: T201


def urgent(n: int) -> bool:
    return n % 10 == 0


def body(n: int) -> bytes:
    answers = {f"item{i}": "several_days" for i in range(1, 9)} | {"item9": "not_at_all"}
    if urgent(n):
        answers["item9"] = "several_days"  # some urgent ones: they raise alerts in the same transaction
    return json.dumps(
        {
            "full_name": f"Bench Person {n}",
            "date_of_birth": "1990-01-01",
            "country": "GB",
            "contact_by": ["email"],
            "email": f"bench{n}@example.org",
            "concern": "Invented for the load test.",
            "consent_contact": True,
            "consent_data": True,
            "consent_wording_version": "1",
            "phq9": answers,
        }
    ).encode()


def post(caller: int, n: int) -> tuple[int, int, str, float, bool]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/api/v1/referrals",
        data=body(n),
        headers={"Content-Type": "application/json", "X-Forwarded-For": f"198.51.100.{caller + 1}"},
        method="POST",
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            status, payload = answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        status, payload = refused.code, {}
    return caller, status, payload.get("reference", ""), (time.perf_counter() - started) * 1000, urgent(n)


@contextlib.contextmanager
def served(env: dict):
    log_path = VAR / "gunicorn-referrals.log"
    with log_path.open("w") as log_file:
        server = subprocess.Popen(  # noqa: S603
            [BIN / "gunicorn", "rapport.wsgi", *GUNICORN, "--bind", f"127.0.0.1:{PORT}"],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(300):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", PORT), timeout=0.2):
                break
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn stopped; see {log_path}")
            time.sleep(0.1)
        yield
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def stored(env: dict) -> list[str]:
    code = (
        "from rapport.intake.models import Referral;"
        "print('\\n'.join(Referral.objects.values_list('reference', flat=True)))"
    )
    done = subprocess.run(  # noqa: S603
        [BIN / "rapport", "shell", "-c", code], cwd=ROOT, env=env, check=True, text=True, capture_output=True
    )
    # Only the references (the shell also prints what it imported).
    return [word for word in done.stdout.split() if REFERENCE.fullmatch(word)]


def one_run(vendor: str) -> dict:
    var = VAR / f"referrals-{vendor}"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    env = dict(
        os.environ,
        RAPPORT_ENV="development",
        RAPPORT_VAR_DIR=str(var),
        RAPPORT_BEHIND_PROXY="true",
        RAPPORT_REFERRALS_PER_IP=str(PER_IP),
        RAPPORT_REFERRALS_GLOBAL=str(GLOBAL),
        RAPPORT_URGENT_REFERRALS_PER_IP=str(URGENT_PER_IP),
        RAPPORT_URGENT_REFERRALS_GLOBAL=str(URGENT_GLOBAL),
        RAPPORT_REFERRAL_WINDOW_SECONDS="3600",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    env.pop("DATABASE_URL", None)
    if vendor == "postgresql":
        env["DATABASE_URL"] = f"{PG}/{PG_DB}"
        subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", PG_DB], check=True)  # noqa: S603, S607
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", PG_DB], check=True)  # noqa: S603, S607
    subprocess.run([BIN / "rapport", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    code = (
        "from rapport.accounts.models import Organisation;"
        "Organisation.objects.exists() or Organisation.objects.create(name='Bench clinic')"
    )
    subprocess.run([BIN / "rapport", "shell", "-c", code], cwd=ROOT, env=env, check=True)  # noqa: S603
    jobs = [(caller, caller * POSTS_EACH + k) for caller in range(CALLERS) for k in range(POSTS_EACH)]
    lock = threading.Lock()
    results = []
    with served(env):
        started = time.perf_counter()
        with ThreadPoolExecutor(THREADS) as pool:
            for result in pool.map(lambda job: post(*job), jobs):
                with lock:
                    results.append(result)
        seconds = time.perf_counter() - started
    accepted = [r for r in results if r[1] == 201]
    refused = [r for r in results if r[1] == 429]
    ordinary = [sum(1 for r in accepted if r[0] == c and not r[4]) for c in range(CALLERS)]
    urgent_taken = [sum(1 for r in accepted if r[0] == c and r[4]) for c in range(CALLERS)]
    in_db = set(stored(env))
    answered = {r[2] for r in accepted}
    latencies = sorted(r[3] for r in results)
    return {
        "vendor": vendor,
        "requests": len(results),
        "accepted": len(accepted),
        "refused_429": len(refused),
        "other": len(results) - len(accepted) - len(refused),
        "seconds": round(seconds, 1),
        "requests_per_second": round(len(results) / seconds, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        "most_ordinary_from_one_address": max(ordinary),
        "urgent_accepted": sum(urgent_taken),
        "urgent_refused": sum(1 for r in refused if r[4]),
        "limit_holds": max(ordinary) <= PER_IP
        and sum(ordinary) <= GLOBAL
        and max(urgent_taken) <= URGENT_PER_IP
        and sum(urgent_taken) <= URGENT_GLOBAL,
        "stored": len(in_db),
        "accepted_but_not_stored": len(answered - in_db),
        "stored_but_not_accepted": len(in_db - answered),
        "none_lost": answered == in_db,
    }


def postgres_answers() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 5432), timeout=1):
        return shutil.which("createdb") is not None
    return False


def main() -> int:
    VAR.mkdir(parents=True, exist_ok=True)
    vendors = ["sqlite"] + (["postgresql"] if postgres_answers() else [])
    load = os.getloadavg()[0]
    log(f"{CALLERS} addresses x {POSTS_EACH} posts, {THREADS} at once")
    log(f"limits: {PER_IP} per address, {GLOBAL} in all; urgent ones {URGENT_PER_IP} and {URGENT_GLOBAL}")
    failed = False
    print(f"Referrals at the rate limit (load average at start {load:.1f}):")  # noqa: T201
    for vendor in vendors:
        figures = one_run(vendor)
        print(json.dumps(figures))  # noqa: T201
        failed |= not (figures["limit_holds"] and figures["none_lost"] and figures["other"] == 0)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
