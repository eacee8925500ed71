"""`make bench`: Rapport's write and read paths at programme scale, written to bench/RESULTS.md.

For SQLite, and for the local PostgreSQL when it answers:
- databases of 1,000 and 100,000 generated clients (`rapport generate_load`), cached under
  var/bench/ until the generator changes or a migration they were made with does (a new
  migration is applied to the cache), and copied before each run so that the cache never sees
  the benchmark's writes;
- read paths in-process (bench/probe.py): p50/p95 server time and SQL queries, at both sizes;
- the read paths served by gunicorn on the 100,000-client copy (the production settings of
  docs/operations.md; before any write, so on the data the in-process reads saw), and the peak
  memory (VmHWM) of each worker;
- then the write path under wrk on loopback, on the same copy: the real
  POST /api/v1/clients/{id}/responses and the bare-Django reference (bench/reference/).
"""

import contextlib
import hashlib
import http.client
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # bench/ as a package, run as a script or with -m

from bench import supervision_report as supervision  # noqa: E402
from bench.results import write_keeping_others  # noqa: E402

VAR = ROOT / "var" / "bench"
BIN = ROOT / ".venv" / "bin"
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "RESULTS.md"))
SIZES = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "1000,100000").split(","))
SEED = 1
PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
# The bench databases' names begin with this (several checkouts may share one PostgreSQL).
PG_PREFIX = os.environ.get("BENCH_PG_PREFIX", "rapport_bench")
READ_REPEAT = int(os.environ.get("BENCH_REPEAT", "200"))  # requests per read path and size, in-process
GUNICORN = ["--workers", "3", "--threads", "2"]  # docs/operations.md, for 2 cores
# gunicorn 27 opens a control socket at one path per user: two servers on one machine would share it.
ALONE = ["--no-control-socket"]
WRITE = {"threads": 1, "connections": 8, "seconds": int(os.environ.get("BENCH_SECONDS", "20"))}
SERVED_READ = {"threads": 1, "connections": 4, "seconds": 8}
# One connection as well: the served time of one request alone, to set beside the in-process time
# (at four, each request also waits for the others on the server's CPU).
SERVED_ALONE = {"threads": 1, "connections": 1, "seconds": 5}

PORT = int(os.environ.get("BENCH_PORT", "8765"))  # the servers under test listen here
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))  # each served measurement: median and spread


def _cpus() -> tuple[list[int], list[int]]:
    """The CPUs for the server and for wrk: wrk on the last one and the server on the others, so
    that the load generator does not take the server's CPU time (BENCH_PIN=0: no pinning). On 2
    cores that is one each. The database's own processes (PostgreSQL) are not pinned."""
    cpus = sorted(os.sched_getaffinity(0))
    if os.environ.get("BENCH_PIN", "1") == "0" or len(cpus) < 2 or shutil.which("taskset") is None:
        return [], []
    return cpus[:-1], cpus[-1:]


SERVER_CPUS, WRK_CPUS = _cpus()


def pinned(cpus: list[int]) -> list:
    return ["taskset", "-c", ",".join(map(str, cpus))] if cpus else []


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)  # noqa: T201


def run(args, env=None, capture=True) -> str:
    done = subprocess.run(  # noqa: S603
        [str(a) for a in args], cwd=ROOT, env=env, check=True, text=True, capture_output=capture
    )
    return done.stdout if capture else ""


GENERATOR = ("src/rapport/demo/load.py", "src/rapport/demo/management/commands/generate_load.py")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def generator_key() -> str:
    """What the generated rows depend on: the generator's code."""
    return hashlib.sha256("".join(_digest(ROOT / name) for name in GENERATOR).encode()).hexdigest()[:16]


def migrations() -> dict[str, str]:
    """Every migration by path, with a digest of its text."""
    return {str(p.relative_to(ROOT)): _digest(p) for p in sorted(ROOT.glob("src/rapport/*/migrations/*.py"))}


class Database:
    """One engine: where its cached databases live and how to copy one for a run."""

    def __init__(self, vendor: str):
        self.vendor = vendor

    def cache_env(self, size: int) -> dict:
        env = dict(os.environ, RAPPORT_ENV="development", RAPPORT_VAR_DIR=str(VAR / f"{self.vendor}-{size}"))
        env.pop("DATABASE_URL", None)
        if self.vendor == "postgresql":
            env["DATABASE_URL"] = f"{PG}/{PG_PREFIX}_{size}"
        return env

    def work_env(self) -> dict:
        env = dict(os.environ, RAPPORT_ENV="development", RAPPORT_VAR_DIR=str(VAR / f"work-{self.vendor}"))
        env.pop("DATABASE_URL", None)
        if self.vendor == "postgresql":
            env["DATABASE_URL"] = f"{PG}/{PG_PREFIX}_work"
        return env

    def ensure(self, size: int) -> dict:
        """The cached database of `size` clients, generated if missing or stale; its stamp. A cache
        whose generator is unchanged and whose migrations are all still there, unchanged, is
        brought up to date by migrating it (new migrations only add); anything else regenerates."""
        stamp_path = VAR / f"{self.vendor}-{size}.json"
        now = migrations()
        if stamp_path.exists() and self._exists(size):
            stamp = json.loads(stamp_path.read_text())
            applied = stamp.get("migrations", {})
            if stamp.get("generator") == generator_key() and all(now.get(k) == v for k, v in applied.items()):
                if set(now) - set(applied):
                    log(f"{self.vendor}: migrating the cached {size:,}-client database forward")
                    run([BIN / "rapport", "migrate", "--noinput", "-v", "0"], self.cache_env(size))
                    if self.vendor == "postgresql":
                        self._psql("ANALYZE", database=f"{PG_PREFIX}_{size}")
                    stamp["migrations"], stamp["migrated"] = now, f"{datetime.now(UTC):%Y-%m-%d}"
                    stamp_path.write_text(json.dumps(stamp))
                stamp["cached"] = True
                return stamp
        log(f"{self.vendor}: generating {size:,} clients (cached afterwards under var/bench/)")
        env = self.cache_env(size)
        shutil.rmtree(env["RAPPORT_VAR_DIR"], ignore_errors=True)
        if self.vendor == "postgresql":
            self._psql(f"DROP DATABASE IF EXISTS {PG_PREFIX}_{size}", f"CREATE DATABASE {PG_PREFIX}_{size}")
        run([BIN / "rapport", "migrate", "--noinput", "-v", "0"], env)
        started = time.monotonic()
        output = run([BIN / "rapport", "generate_load", "--clients", size, "--seed", SEED], env)
        seconds = time.monotonic() - started
        if self.vendor == "postgresql":
            # Autovacuum would analyse the new tables soon enough in production; do it now so
            # that the planner sees the real sizes from the first request.
            self._psql("VACUUM ANALYZE", database=f"{PG_PREFIX}_{size}")
        stamp = {
            "generator": generator_key(),
            "migrations": now,
            "seconds": round(seconds, 1),
            "generated": f"{datetime.now(UTC):%Y-%m-%d}",
        }
        stamp["rows"] = sum(int(line.split()[-1].replace(",", "")) for line in output.splitlines()[:-1])
        stamp_path.write_text(json.dumps(stamp))
        stamp["cached"] = False
        return stamp

    def copy(self, size: int) -> dict:
        env = self.work_env()
        if self.vendor == "sqlite":
            shutil.rmtree(env["RAPPORT_VAR_DIR"], ignore_errors=True)
            shutil.copytree(self.cache_env(size)["RAPPORT_VAR_DIR"], env["RAPPORT_VAR_DIR"])
        else:
            self._psql(
                f"DROP DATABASE IF EXISTS {PG_PREFIX}_work",
                f"CREATE DATABASE {PG_PREFIX}_work TEMPLATE {PG_PREFIX}_{size}",
            )
            shutil.rmtree(env["RAPPORT_VAR_DIR"], ignore_errors=True)
            shutil.copytree(self.cache_env(size)["RAPPORT_VAR_DIR"], env["RAPPORT_VAR_DIR"])
            self._psql("CHECKPOINT", database=f"{PG_PREFIX}_work")
        # The copy is a gigabyte written at 100,000 clients: let the disk take it before measuring,
        # so that the kernel's write-back of it does not run in the middle of the reads (the
        # likeliest cause of one run's in-process caseload 1.6 times slower at 100,000 clients
        # than at 1,000 on SQLite, when the CPU a request costs is the same at both sizes).
        os.sync()
        return env

    def version(self) -> str:
        if self.vendor == "sqlite":
            import sqlite3

            return f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL, as settings.py opens it)"
        return "PostgreSQL " + self._psql("SHOW server_version").strip()

    def _exists(self, size: int) -> bool:
        if self.vendor == "sqlite":
            return (Path(self.cache_env(size)["RAPPORT_VAR_DIR"]) / "rapport.sqlite3").exists()
        sql = f"SELECT 1 FROM pg_database WHERE datname = '{PG_PREFIX}_{size}'"  # noqa: S608 (ours)
        found = self._psql(sql)
        return found.strip() == "1"

    def _psql(self, *statements: str, database: str = "postgres") -> str:
        output = ""
        for sql in statements:
            output += run(["psql", "-X", "-q", "-t", "-A", f"{PG}/{database}", "-c", sql])
        return output


def postgres_reachable() -> bool:
    if shutil.which("psql") is None:
        return False
    try:
        Database("postgresql")._psql("SELECT 1")
    except subprocess.CalledProcessError:
        return False
    return True


def probe(env: dict, *args) -> dict:
    return json.loads(run([BIN / "python", ROOT / "bench/probe.py", *args], env))


@contextlib.contextmanager
def served(app: str, env: dict, options: list | None = None, *, pin: bool = True):
    """gunicorn with the production worker settings (or `options`), on loopback, on its own CPUs
    (`pin`, and there are CPUs to spare for wrk) or on all of them; yields the master's pid."""
    log_path = VAR / f"gunicorn-{app.split('.')[0]}.log"
    with log_path.open("w") as log_file:
        server = subprocess.Popen(  # noqa: S603
            [
                *pinned(SERVER_CPUS if pin else []),
                BIN / "gunicorn",
                app,
                *(options or GUNICORN),
                *ALONE,
                "--bind",
                f"127.0.0.1:{PORT}",
                "--pythonpath",
                ROOT,
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        # Ready when a worker answers: the master accepts connections before its workers have
        # loaded the application, which on a busy machine takes seconds.
        started = time.monotonic()
        while not answers("/healthz"):
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn stopped; see {log_path}")
            if time.monotonic() - started > 180:
                raise RuntimeError(f"gunicorn did not answer in 3 minutes; see {log_path}")
            time.sleep(0.2)
        yield server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def answers(path: str) -> bool:
    """Whether the server on PORT answers `path` at all (any status: the reference has no /healthz)."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
        connection.request("GET", path)
        connection.getresponse().read()
    except (OSError, http.client.HTTPException):
        return False
    return True


def workers(master: int) -> list[int]:
    found = run(["ps", "-o", "pid=", "--ppid", master]).split()
    return [int(p) for p in found]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def wrk(
    url: str,
    script: str,
    targets: dict,
    *,
    threads: int,
    connections: int,
    seconds: int,
    repeats: int = 1,
    pin: bool = True,
) -> dict:
    """wrk against `url` (pinned away from the server), after a 3-second warm-up, `repeats` times:
    the median of each figure, its spread (lowest, highest) and the load average around each run."""
    path = VAR / "targets.lua"
    path.write_text("return " + _lua(targets))
    env = dict(os.environ, BENCH_TARGETS=str(path))
    command = [
        *pinned(WRK_CPUS if pin else []),
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        "--timeout",
        "10s",
        "-s",
        ROOT / "bench" / script,
    ]
    # Warm up first: each worker's first requests import and build what Django loads lazily.
    warm = _figures(run([*command, "-d3s", url], env))
    runs = []
    for _ in range(repeats):
        load = os.getloadavg()[0]
        result = _figures(run([*command, f"-d{seconds}s", url], env))
        result["load"] = [round(load, 2), round(os.getloadavg()[0], 2)]
        runs.append(result)
    summary: dict = {"runs": runs, "warmup": warm["requests"]}
    for key in ("rps", "p50_ms", "p95_ms", "p99_ms", "max_ms"):
        values = sorted(r[key] for r in runs)
        summary[key] = round(statistics.median(values), 2)
        summary[f"{key}_spread"] = [values[0], values[-1]]
    for key in ("requests", "non_2xx", "socket_errors"):
        summary[key] = sum(r[key] for r in runs)
    summary["seconds"] = round(sum(r["seconds"] for r in runs), 3)
    summary["load"] = [min(r["load"][0] for r in runs), max(max(r["load"]) for r in runs)]
    return summary


def _figures(output: str) -> dict:
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    result = json.loads(line[len("BENCH ") :])
    result["rps"] = round(result["requests"] / result["seconds"], 1)
    return result


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _lua(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "{" + ", ".join(_lua(v) for v in value) + "}"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid Lua string literal here (no \u escapes)
    return str(value)


def bench(vendor: str) -> dict:
    db = Database(vendor)
    result = {"vendor": vendor, "version": db.version(), "generated": {}, "reads": {}}
    for size in SIZES:
        result["generated"][size] = db.ensure(size)
    for size in SIZES:
        env = db.copy(size)
        log(f"{vendor}: read paths in-process at {size:,} clients")
        result["reads"][size] = probe(env, "reads", READ_REPEAT)
        log(f"{vendor}: the supervisor's workspace and the programme's figures at {size:,} clients")
        result.setdefault("supervision", {})[size] = supervision.measure(env)
    # The 100,000-client copy is still in place: the write path and the served reads run on it.
    found = probe(env, "targets")
    result["targets"] = {k: v for k, v in found.items() if k not in ("writes", "session_cookie")}
    token = run([BIN / "rapport", "issue_token", found["clinician"]["email"], "--name", "bench"], env).strip()
    user = found["clinician"]["id"]
    real = {
        "headers": {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        "requests": [
            [f"/api/v1/clients/{client}/responses", body] for client, _course, body in found["writes"]
        ],
    }
    reference = {
        "headers": {"Content-Type": "application/json"},
        "requests": [
            [f"/reference/{client}/{course}/{user}", body] for client, course, body in found["writes"]
        ],
    }
    url = f"http://127.0.0.1:{PORT}"
    pages = {"headers": {"Cookie": found["session_cookie"]}}
    api = {"headers": {"Authorization": f"Bearer {token}"}}
    alerts = found["client_with_alerts"]["id"]
    sixteen = found["client_16_sessions"]
    served_reads = {
        "caseload": ("/caseload/", pages),
        "client_page": (f"/clients/{sixteen}/", pages),
        "alerts": ("/alerts/", pages) if found["alerts_page"] else (f"/api/v1/clients/{alerts}/alerts", api),
        "outcomes": (f"/api/v1/clients/{sixteen}/outcomes", api),
    }
    # The served reads come before the write path: its minute of posting adds thousands of
    # responses (and, one in 25, alerts) to this clinician's clients, so reads after it would
    # measure a different caseload, client page and alerts page from the in-process ones.
    log(f"{vendor}: the served read paths")
    with served("rapport.wsgi", env) as master:
        result["served_reads"] = {
            name: wrk(url + path, "get.lua", headers, **SERVED_READ, repeats=REPEATS)
            for name, (path, headers) in served_reads.items()
        }
        result["served_alone"] = {
            name: wrk(url + path, "get.lua", headers, **SERVED_ALONE, repeats=REPEATS)
            for name, (path, headers) in served_reads.items()
        }
        result["memory_mb"] = [peak_rss_mb(pid) for pid in workers(master)]
    if SERVER_CPUS:
        # Pinned, the server has one core of two here: four connections queue on it. The same
        # reads again with the server on every core (wrk shares them), as it would run in
        # production with its callers elsewhere.
        log(f"{vendor}: the served read paths again, the server on every CPU")
        with served("rapport.wsgi", env, pin=False):
            result["served_unpinned"] = {
                name: wrk(url + path, "get.lua", headers, **SERVED_READ, repeats=REPEATS, pin=False)
                for name, (path, headers) in served_reads.items()
            }
    log(f"{vendor}: write path, bare-Django reference ({WRITE['seconds']} s)")
    with served("bench.reference.wsgi", env):
        result["reference"] = wrk(url, "post.lua", reference, **WRITE, repeats=REPEATS)
    log(f"{vendor}: write path, Rapport ({WRITE['seconds']} s)")
    with served("rapport.wsgi", env) as master:
        result["write"] = wrk(url, "post.lua", real, **WRITE, repeats=REPEATS)
        result["memory_after_writes_mb"] = [peak_rss_mb(pid) for pid in workers(master)]
    return result


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    versions = run(
        [BIN / "python", "-c", "import django, gunicorn; print(django.get_version(), gunicorn.__version__)"]
    ).split()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0]  # noqa: S607
    return {
        "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": f"{int(memory) / 1024 / 1024:.0f} GB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "django": versions[0],
        "gunicorn": versions[1],
        "wrk": wrk_version.strip(),
    }


def spread(result: dict, key: str) -> str:
    """A served figure: the median of the runs, and their lowest and highest when there were several."""
    low, high = result.get(f"{key}_spread", [result[key], result[key]])
    return f"{result[key]:g}" if low == high else f"{result[key]:g} ({low:g} to {high:g})"


def load(result: dict) -> str:
    low, high = result.get("load", ["?", "?"])
    return f"{low} to {high}"


def _served(result: dict | None, tail: bool = True) -> str:
    if not result:
        return "—"
    keys = ("p50_ms", "p95_ms", "p99_ms") if tail else ("p50_ms", "p95_ms")
    times = [spread(result, key) for key in keys]
    return f"{spread(result, 'rps')}, {' / '.join(times)}"


def _pinning() -> str:
    if not SERVER_CPUS:
        return "no CPU pinning (one CPU, BENCH_PIN=0 or no taskset): wrk and the server share the CPUs"
    return (
        f"gunicorn pinned to CPU {','.join(map(str, SERVER_CPUS))} and wrk to CPU "
        f"{','.join(map(str, WRK_CPUS))} with taskset (the database's processes are not pinned)"
    )


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "—"


def report(host: dict, runs: list[dict], skipped: str | None) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/run.py); the method is in docs/performance.md.",
        "",
        f"- Date: {host['date']}",
        f"- Machine: {host['cpu']}, {host['memory']} RAM, {host['os']}",
        f"- Load average (1 min): {host['load']} (anything else running on the machine counts)",
        f"- Python {host['python']}, Django {host['django']}, gunicorn {host['gunicorn']}, {host['wrk']}",
        f"- Server: `gunicorn {' '.join(GUNICORN)}` on 127.0.0.1, RAPPORT_ENV=development, DEBUG off",
        f"- Write path: wrk -t{WRITE['threads']} -c{WRITE['connections']} -d{WRITE['seconds']}s on loopback, "
        "the same machine as the server",
        f"- Served figures: each the median of {REPEATS} wrk runs, with their spread (lowest to highest) "
        f"and the load average around the runs; {_pinning()}",
        f"- Read paths: {READ_REPEAT} requests each, in-process through Django's test client "
        "(whole middleware stack, view, template), after a warm-up",
        "",
    ]
    for r in runs:
        lines.append(f"- {r['vendor']}: {r['version']}")
    if skipped:
        lines += ["", f"PostgreSQL was not measured: {skipped}."]
    lines += ["", "## Generated data (`rapport generate_load --seed 1`)", ""]
    lines += ["| database | clients | rows | seconds to generate | |", "|---|---:|---:|---:|---|"]
    for r in runs:
        for size, g in r["generated"].items():
            note = f"cached, generated {g['generated']}" if g.get("cached") else "generated in this run"
            if g.get("migrated"):
                note += f", migrated forward {g['migrated']}"
            lines.append(f"| {r['vendor']} | {size:,} | {g.get('rows', 0):,} | {g['seconds']} | {note} |")
    lines += ["", f"## Write path: POST /api/v1/clients/{{id}}/responses ({SIZES[-1]:,} clients)", ""]
    lines += [
        "| database | Rapport req/s | reference req/s | ratio (target ≥ 0.5) | Rapport p50 / p95 / p99 ms "
        "(p99 target < 100) | reference p50 / p95 / p99 ms | errors | load |",
        "|---|---:|---:|---:|---|---|---:|---|",
    ]
    for r in runs:
        w, ref = r["write"], r["reference"]
        lines.append(
            f"| {r['vendor']} | {spread(w, 'rps')} | {spread(ref, 'rps')} | {ratio(w['rps'], ref['rps'])} | "
            f"{spread(w, 'p50_ms')} / {spread(w, 'p95_ms')} / {spread(w, 'p99_ms')} | "
            f"{spread(ref, 'p50_ms')} / {spread(ref, 'p95_ms')} / {spread(ref, 'p99_ms')} | "
            f"{w['non_2xx'] + w['socket_errors'] + ref['non_2xx'] + ref['socket_errors']} | "
            f"{load(w)}; {load(ref)} |"
        )
    small, large = SIZES
    lines += ["", f"## Read paths, server time in-process ({small:,} and {large:,} clients)", ""]
    lines += [
        f"| database | path | p50 / p95 ms at {small:,} | p50 / p95 ms at {large:,} (p95 target < 50) | "
        "p95 ratio (target ≤ 1.3) | queries |",
        "|---|---|---|---|---:|---|",
    ]
    for r in runs:
        for name, a in r["reads"][small].items():
            b = r["reads"][large][name]
            queries = (
                str(a["queries"]) if a["queries"] == b["queries"] else f"{a['queries']} → {b['queries']}"
            )
            lines.append(
                f"| {r['vendor']} | {name} `{b['url']}` | {a['p50_ms']} / {a['p95_ms']} | "
                f"{b['p50_ms']} / {b['p95_ms']} "
                f"| {ratio(b['p95_ms'], a['p95_ms'])} | {queries} |"
            )
    lines += [
        "",
        f"## Read paths served by gunicorn (wrk -c{SERVED_READ['connections']}, "
        f"{SERVED_READ['seconds']} s each, {SIZES[-1]:,} clients)",
        "",
    ]
    lines += [
        "In-process p50 / p95 beside each for comparison. At one connection (wrk -c1, "
        f"{SERVED_ALONE['seconds']} s each) a request has the server to itself; at "
        f"{SERVED_READ['connections']} each waits for the others on the server's CPU: first pinned "
        "(one CPU, wrk on the other), then on every CPU (wrk sharing them).",
        "",
        "| database | path | in-process p50 / p95 ms | -c1 pinned: req/s, p50 / p95 ms | "
        f"-c{SERVED_READ['connections']} pinned: req/s, p50 / p95 / p99 ms (p95 target < 100) | "
        f"-c{SERVED_READ['connections']} every CPU: req/s, p50 / p95 / p99 ms | errors | load |",
        "|---|---|---|---|---|---|---:|---|",
    ]
    for r in runs:
        for name, s in r["served_reads"].items():
            inproc = r["reads"][large].get(name, {})
            alone = r.get("served_alone", {}).get(name)
            everywhere = r.get("served_unpinned", {}).get(name)
            measured = [m for m in (alone, s, everywhere) if m]
            errors = sum(m["non_2xx"] + m["socket_errors"] for m in measured)
            lines.append(
                f"| {r['vendor']} | {name} | {inproc.get('p50_ms', '—')} / {inproc.get('p95_ms', '—')} | "
                f"{_served(alone, tail=False)} | {_served(s)} | {_served(everywhere)} | {errors} | "
                f"{'; '.join(load(m) for m in measured)} |"
            )
    lines += supervision.report(runs)
    lines += ["", "## Memory: peak RSS (VmHWM) of each gunicorn worker", ""]
    for r in runs:
        after_writes = ", ".join(f"{m} MB" for m in r.get("memory_after_writes_mb", []))
        lines.append(
            f"- {r['vendor']}: after the served reads {', '.join(f'{m} MB' for m in r['memory_mb'])}; "
            f"after the write path {after_writes or '—'}"
        )
    lines += ["", "## What was measured", ""]
    for r in runs:
        t = r["targets"]
        alerts = (
            "the alerts page /alerts/"
            if t["alerts_page"]
            else "GET /api/v1/clients/{id}/alerts (no /alerts/ page yet)"
        )
        lines.append(
            f"- {r['vendor']}: clinician #{t['clinician']['id']} with {t['clinician']['clients']} clients; "
            f"client #{t['client_16_sessions']} with a 16-session course; "
            f"client #{t['client_with_alerts']['id']} "
            f"with {t['client_with_alerts']['alerts']} alerts; {alerts}"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    VAR.mkdir(parents=True, exist_ok=True)
    vendors = ["sqlite"]
    skipped = None
    if postgres_reachable():
        vendors.append("postgresql")
    else:
        skipped = f"nothing answered at {PG}"
        log(f"PostgreSQL not reachable at {PG}: SQLite only")
    load = os.getloadavg()
    runs = [bench(v) for v in vendors]
    host = machine()
    host["load"] = f"{load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    (VAR / "last.json").write_text(json.dumps(runs, indent=1, default=str))
    write_keeping_others(report(host, runs, skipped), RESULTS)
    log(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
