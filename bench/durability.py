"""Durability under faults (#17 item 5), run by `make bench` and summarised in bench/RESULTS.md.

For SQLite, and PostgreSQL when it answers: while four threads post PHQ-9s (one in five with a
positive item 9, each with its own Idempotency-Key) to gunicorn with the production settings,
the whole server (master and workers) is killed with SIGKILL and restarted BENCH_KILLS times
(default 10). Then, on PostgreSQL, the database goes away under load: its connections are refused
(ALTER DATABASE ... ALLOW_CONNECTIONS false) and its backends terminated (pg_terminate_backend),
three times; only this bench's own database, never the cluster, which others share.

Afterwards, in the database: every response acknowledged with 201 is there, with its audit row
and, where item 9 was positive, its alert; every response stored (acknowledged or not) has its
audit row and its alert where due; no idempotency claim is left half-made. During the outage
every answer is a 201 or a 503 with a JSON body; no 500.

    .venv/bin/python bench/durability.py [--results]    prints JSON; --results (make bench) also
                                                         writes its section of bench/RESULTS.md

BENCH_PORT (default 8765), BENCH_PG_PREFIX (default rapport_bench; the database is
<prefix>_durability), BENCH_KILLS, BENCH_PROFILE_CLIENTS (default 1,000; the SQLite database is
the one bench/profile_write.py caches)."""

import contextlib
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    ALONE,
    BIN,
    GUNICORN,
    PG,
    PG_PREFIX,
    PORT,
    SERVER_CPUS,
    VAR,
    Database,
    log,
    pinned,
    postgres_reachable,
    probe,
    run,
)

KILLS = int(os.environ.get("BENCH_KILLS", "10"))
THREADS = 4
FREQ = ["not_at_all", "several_days", "more_than_half_the_days", "nearly_every_day"]


def sqlite_env() -> dict:
    from bench.profile_write import database

    return database()


def postgres_env() -> dict:
    name = f"{PG_PREFIX}_durability"
    db = Database("postgresql")
    db._psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
    env = dict(os.environ, RAPPORT_ENV="development", RAPPORT_VAR_DIR=str(VAR / "durability-postgresql"))
    env["DATABASE_URL"] = f"{PG}/{name}"
    run([BIN / "rapport", "migrate", "--noinput", "-v", "0"], env)
    run([BIN / "rapport", "generate_load", "--clients", os.environ.get("BENCH_PROFILE_CLIENTS", "1000")], env)
    return env


class Server:
    """gunicorn in its own process group, so that SIGKILL takes the master and every worker at once."""

    def __init__(self, env: dict):
        self.env, self.process = env, None
        self.log = (VAR / "gunicorn-durability.log").open("a")

    def start(self) -> float:
        started = time.monotonic()
        self.process = subprocess.Popen(  # noqa: S603
            [
                *pinned(SERVER_CPUS),
                BIN / "gunicorn",
                "rapport.wsgi",
                *GUNICORN,
                *ALONE,
                "--bind",
                f"127.0.0.1:{PORT}",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        # Ready when a worker answers (the master accepts connections before its workers have
        # loaded the application).
        while time.monotonic() - started < 180:
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return time.monotonic() - started
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


class Load:
    """THREADS threads posting responses until stopped; every answer is kept."""

    def __init__(self, token: str, clients: list[int]):
        self.token, self.clients = token, clients
        self.answers: list[dict] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._post_forever, daemon=True) for _ in range(THREADS)]

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=30)

    def _post_forever(self) -> None:
        rng = random.Random()  # noqa: S311 (which client and answers: not security)
        while not self.stopping.is_set():
            positive = rng.random() < 0.2
            answers = {f"item{i}": FREQ[rng.randrange(4)] for i in range(1, 9)}
            answers["item9"] = FREQ[1] if positive else FREQ[0]
            body = json.dumps({"instrument": "phq9", "answers": answers})
            client = rng.choice(self.clients)
            record = {"positive": positive, "client": client}
            try:
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                connection.request(
                    "POST",
                    f"/api/v1/clients/{client}/responses",
                    body,
                    {
                        "Authorization": f"Bearer {self.token}",
                        "Content-Type": "application/json",
                        "Idempotency-Key": uuid.uuid4().hex,
                    },
                )
                answer = connection.getresponse()
                record["status"] = answer.status
                text = answer.read()
                record["json"] = answer.getheader("Content-Type", "").startswith("application/json")
                if answer.status == 201:
                    found = json.loads(text)
                    record["id"], record["alert_id"] = found["id"], found["alert_id"]
                connection.close()
            except (OSError, http.client.HTTPException) as exc:
                record["status"] = type(exc).__name__  # no answer: the server was killed mid-request
                time.sleep(0.05)
            with self.lock:
                self.answers.append(record)


def statuses(answers: list[dict]) -> dict:
    counts: dict = {}
    for a in answers:
        counts[str(a["status"])] = counts.get(str(a["status"]), 0) + 1
    return counts


def outage(env: dict) -> list[float]:
    """The bench database refuses connections and loses its backends, three times, 2 s each."""
    name = env["DATABASE_URL"].rsplit("/", 1)[1]
    db = Database("postgresql")
    downs = []
    for _ in range(3):
        time.sleep(2)
        started = time.monotonic()
        db._psql(
            f"ALTER DATABASE {name} ALLOW_CONNECTIONS false",
            f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{name}'",  # noqa: S608
        )
        time.sleep(2)
        db._psql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
        downs.append(round(time.monotonic() - started, 1))
    time.sleep(2)
    return downs


def bench(vendor: str) -> dict:
    env = sqlite_env() if vendor == "sqlite" else postgres_env()
    found = probe(env, "targets")
    clients = sorted({client for client, _course, _body in found["writes"]})
    token = run(
        [BIN / "rapport", "issue_token", found["clinician"]["email"], "--name", "durability"], env
    ).strip()
    baseline = json.loads(run([BIN / "python", __file__, "baseline"], env))["max_response_id"]
    server = Server(env)
    result: dict = {"vendor": vendor, "kills": 0, "restart_seconds": [], "load": [os.getloadavg()[0]]}
    result["restart_seconds"].append(round(server.start(), 1))
    log(f"{vendor}: posting responses; SIGKILL and restart {KILLS} times")
    with Load(token, clients) as load:
        time.sleep(3)
        for _ in range(KILLS):
            time.sleep(random.uniform(1.0, 2.5))  # noqa: S311
            server.kill()
            result["kills"] += 1
            result["restart_seconds"].append(round(server.start(), 1))
        time.sleep(2)
    kill_answers = list(load.answers)
    result["kill_phase"] = statuses(kill_answers)
    if vendor == "postgresql":
        log(f"{vendor}: the database refuses connections and loses its backends under load")
        with Load(token, clients) as load:
            time.sleep(2)
            result["outage_seconds"] = outage(env)
        result["outage_phase"] = statuses(load.answers)
        result["outage_503_json"] = all(a["json"] for a in load.answers if a["status"] == 503)
        kill_answers += load.answers
    server.stop()
    result["load"].append(os.getloadavg()[0])
    answers_path = VAR / f"durability-{vendor}.json"
    answers_path.write_text(json.dumps({"baseline": baseline, "answers": kill_answers}))
    result["check"] = json.loads(run([BIN / "python", __file__, "check", answers_path], env))
    return result


# The Django side: what the database holds afterwards.


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def baseline() -> dict:
    from django.db.models import Max

    from rapport.clinic.models import Response

    return {"max_response_id": Response.objects.aggregate(n=Max("pk"))["n"] or 0}


def check(path: str) -> dict:
    from rapport.api.models import IdempotentAnswer
    from rapport.audit.models import Action, AuditEvent
    from rapport.clinic.models import Response, RiskAlert

    data = json.loads(Path(path).read_text())
    acked = [a for a in data["answers"] if a["status"] == 201]
    stored = dict(Response.objects.filter(pk__gt=data["baseline"]).values_list("pk", "risk_flags"))
    audited = set(
        int(i)
        for i in AuditEvent.objects.filter(
            action=Action.CREATE, object_type="Response", object_id__in=[str(i) for i in stored]
        ).values_list("object_id", flat=True)
    )
    alerted = set(RiskAlert.objects.filter(response_id__in=stored).values_list("response_id", flat=True))
    risky = {pk for pk, flags in stored.items() if flags}
    return {
        "acknowledged": len(acked),
        "acknowledged_missing": sum(1 for a in acked if a["id"] not in stored),
        "acknowledged_without_audit_row": sum(1 for a in acked if a["id"] not in audited),
        "acknowledged_positive": sum(1 for a in acked if a["positive"]),
        "acknowledged_positive_without_alert": sum(
            1 for a in acked if a["positive"] and (a["id"] not in alerted or a["alert_id"] is None)
        ),
        "stored": len(stored),
        "stored_but_unacknowledged": len(stored) - len({a["id"] for a in acked}),
        "stored_without_audit_row": len(set(stored) - audited),
        "stored_risky_without_alert": len(risky - alerted),
        "idempotency_claims_left_unfinished": IdempotentAnswer.objects.filter(status=0).count(),
    }


def main() -> list[dict]:
    VAR.mkdir(parents=True, exist_ok=True)
    vendors = ["sqlite"] + (["postgresql"] if postgres_reachable() else [])
    only = os.environ.get("BENCH_VENDORS")  # e.g. "sqlite"
    vendors = [v for v in vendors if not only or v in only.split(",")]
    return [bench(v) for v in vendors]


def section(results: list[dict]) -> str:
    """The durability section of bench/RESULTS.md."""
    lines = [
        "## Durability under faults (bench/durability.py)",
        "",
        f"{THREADS} threads post PHQ-9s (one in five with item 9 positive, each with an Idempotency-Key) "
        f"to `gunicorn {' '.join(GUNICORN)}`; the whole server is killed with SIGKILL and restarted "
        f"{KILLS} times. On PostgreSQL the bench's own database then refuses connections and has its "
        "backends terminated, three times for 2 s, under the same load. Afterwards the database is checked.",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; the load column is the 1-minute load average "
        "before and after.",
        "",
        "| database | SIGKILLs | answers while killing | acknowledged (201, all phases) | of them lost "
        "| without audit row | positive item 9 without alert | stored, unacknowledged "
        "| stored, half-written | load |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        c = r["check"]
        half = (
            c["stored_without_audit_row"]
            + c["stored_risky_without_alert"]
            + c["idempotency_claims_left_unfinished"]
        )
        answers = ", ".join(f"{k}: {v}" for k, v in sorted(r["kill_phase"].items()))
        lines.append(
            f"| {r['vendor']} | {r['kills']} | {answers} | {c['acknowledged']} "
            f"| **{c['acknowledged_missing']}** | "
            f"{c['acknowledged_without_audit_row']} | {c['acknowledged_positive_without_alert']} "
            f"(of {c['acknowledged_positive']}) | {c['stored_but_unacknowledged']} | {half} | "
            f"{r['load'][0]:.1f} to {r['load'][-1]:.1f} |"
        )
    for r in results:
        if "outage_phase" in r:
            answers = ", ".join(f"{k}: {v}" for k, v in sorted(r["outage_phase"].items()))
            lines += [
                "",
                f"- {r['vendor']}, database unreachable under load (3 outages of "
                f"{', '.join(map(str, r['outage_seconds']))} s): answers {answers}; every 503 a JSON body: "
                f"{'yes' if r['outage_503_json'] else 'NO'}.",
            ]
    restarts = "; ".join(
        f"{r['vendor']} {min(r['restart_seconds'])} to {max(r['restart_seconds'])} s" for r in results
    )
    lines += [f"- Restart to accepting connections: {restarts}.", ""]
    return "\n".join(lines)


def write_results(results: list[dict]) -> None:
    """Put the section into bench/RESULTS.md (BENCH_RESULTS), after what bench/run.py wrote."""
    from bench.results import put_section
    from bench.run import RESULTS

    heading, _, *lines = section(results).splitlines()
    put_section(heading.removeprefix("## "), lines, RESULTS)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("baseline", "check"):
        setup()
        print(json.dumps(baseline() if sys.argv[1] == "baseline" else check(sys.argv[2])))  # noqa: T201
    else:
        found = main()
        (VAR / "durability.json").write_text(json.dumps(found, indent=1))
        if "--results" in sys.argv:
            write_results(found)
        print(json.dumps(found, indent=1))  # noqa: T201
