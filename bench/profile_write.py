"""Profile the served write path: `POST /api/v1/clients/{id}/responses` on one gunicorn worker
with one thread (bench/profiled_wsgi.py, pyinstrument), driven by wrk with one connection, so that
the profile shows one request's own work and no queueing.

    .venv/bin/pip install pyinstrument     (a profiling tool, not a dependency of Rapport)
    .venv/bin/python bench/profile_write.py [SECONDS]

BENCH_PROFILE_CLIENTS generated clients (default 1,000; the write path's queries do not depend on
the size), cached under var/bench/; the run works on a copy. BENCH_PORT (default 8765) is where
gunicorn listens. Writes var/bench/profile-write.txt (pyinstrument's tree) and .json (milliseconds
per request by step and by package, with the load average), and prints the JSON. To profile
another checkout's code with these tools, put its src/ first: PYTHONPATH=<checkout>/src."""

import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import BIN, PORT, VAR, cpu_seconds, log, probe, run, served, workers, wrk  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_PROFILE_CLIENTS", "1000"))


def database() -> dict:
    cache, work = VAR / f"profile-{CLIENTS}", VAR / "profile-work"
    env = dict(os.environ, RAPPORT_ENV="development")
    env.pop("DATABASE_URL", None)
    if not (cache / "rapport.sqlite3").exists():
        log(f"profile: generating {CLIENTS:,} clients under {cache}")
        env["RAPPORT_VAR_DIR"] = str(cache)
        run([BIN / "rapport", "migrate", "--noinput", "-v", "0"], env)
        run([BIN / "rapport", "generate_load", "--clients", CLIENTS, "--seed", 1], env)
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(cache, work)
    env["RAPPORT_VAR_DIR"] = str(work)
    return env


def main(seconds: int) -> dict:
    VAR.mkdir(parents=True, exist_ok=True)
    env = database()
    found = probe(env, "targets")
    token = run(
        [BIN / "rapport", "issue_token", found["clinician"]["email"], "--name", "profile"], env
    ).strip()
    targets = {
        "headers": {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        "requests": [
            [f"/api/v1/clients/{client}/responses", body] for client, _course, body in found["writes"]
        ],
    }
    out = VAR / "profile-write"
    env["BENCH_PROFILE_OUT"] = str(out)
    load_before = os.getloadavg()
    gunicorn = ["--workers", "1", "--threads", "1", "-c", ROOT / "bench/profile_gunicorn.py"]
    with served("bench.profiled_wsgi:application", env, options=gunicorn):
        driven = wrk(
            f"http://127.0.0.1:{PORT}", "post.lua", targets, threads=1, connections=1, seconds=seconds
        )
    # The same without the profiler: the worker's own CPU time per request (its /proc ticks), which
    # other work on the machine hardly moves, unlike wall time.
    plain = ["--workers", "1", "--threads", "1"]
    with served("rapport.wsgi", env, options=plain) as master:
        (worker,) = workers(master)
        wrk(f"http://127.0.0.1:{PORT}", "post.lua", targets, threads=1, connections=1, seconds=3)
        # Counted after the first requests, which import and build what Django loads lazily.
        before = cpu_seconds(worker)
        unprofiled = wrk(
            f"http://127.0.0.1:{PORT}", "post.lua", targets, threads=1, connections=1, seconds=seconds
        )
        # wrk's warm-up ran before its measured run: count both.
        unprofiled["worker_cpu_ms_per_request"] = round(
            (cpu_seconds(worker) - before) * 1000 / (unprofiled["requests"] + unprofiled.get("warmup", 0)), 2
        )
    figures = json.loads(out.with_suffix(".json").read_text())
    figures["wrk"] = driven
    figures["unprofiled"] = unprofiled
    figures["loadavg_before_after"] = [round(load_before[0], 2), round(os.getloadavg()[0], 2)]
    out.with_suffix(".json").write_text(json.dumps(figures, indent=1))
    return figures


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 15), indent=1))  # noqa: T201
