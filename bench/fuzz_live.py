"""The API fuzzed against a live server: schema conformance over real HTTP (issue 17, item 9).

tests/test_api_fuzz.py sends schemathesis's requests in-process; this sends them through gunicorn,
so whatever only a served request meets (the WSGI server's own answers, body size limits, headers,
middleware order on a real socket) is checked too. Steps: a fresh SQLite database under
var/fuzz-live/, migrated and loaded with the demo clinic (invented, made through the services), a
bearer token for the demo therapist, gunicorn on 127.0.0.1:8109, then every operation of
/api/v1/openapi.json with a bounded number of generated examples (FUZZ_EXAMPLES, default 10).

Prints one line per failing operation and a summary; exits 1 on any server error or conformance
failure. Run by `make bench`, or alone: `.venv/bin/python bench/fuzz_live.py`.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
VAR = ROOT / "var" / "fuzz-live"
PORT = int(os.environ.get("FUZZ_PORT", "8109"))
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
THERAPIST = "therapist@demo.rapport"


def log(message: str) -> None:
    print(f"[fuzz {datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)  # noqa: T201


def environment() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(RAPPORT_VAR_DIR=str(VAR), RAPPORT_ENV="development", DEBUG="0")
    return env


def prepare(env: dict) -> str:
    """A fresh database with the demo clinic; returns the therapist's bearer token."""
    shutil.rmtree(VAR, ignore_errors=True)
    VAR.mkdir(parents=True)
    for command in (["migrate", "--noinput", "-v", "0"], ["load_demo"]):
        subprocess.run([BIN / "rapport", *command], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    issued = subprocess.run(  # noqa: S603
        [BIN / "rapport", "issue_token", THERAPIST, "--name", "fuzz"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return issued.stdout.strip()


@contextlib.contextmanager
def served(env: dict):
    """gunicorn as in production (docs/operations.md), on loopback; stopped by its own pid."""
    with (VAR / "gunicorn.log").open("w") as out:
        server = subprocess.Popen(  # noqa: S603
            [BIN / "gunicorn", "rapport.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{PORT}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(300):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", PORT), timeout=0.2):
                break
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn stopped; see {VAR / 'gunicorn.log'}")
            time.sleep(0.1)
        yield
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def fuzz(token: str) -> tuple[Counter, list[str]]:
    """Every operation with EXAMPLES generated cases; returns failures by check and one line each."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_url(f"http://127.0.0.1:{PORT}/api/v1/openapi.json")
    failures: Counter = Counter()
    lines: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]

    def runner(operation):
        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
        )
        def run(case):
            # A schema-valid body may still be refused (a team the caller is not in): a 422, not a
            # fault, so positive-data acceptance is not checked (as tests/test_api_fuzz.py).
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"},
                excluded_checks=[schemathesis.checks.positive_data_acceptance],
                timeout=30,
            )

        return run

    for operation in operations:
        run = runner(operation)
        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # each failure is reported, the run goes on
            kind = type(error).__name__
            failures[kind] += 1
            first = str(error).strip().splitlines()
            lines.append(f"{operation.label}: {kind}: {' / '.join(first[:6])}")
    log(f"{len(operations)} operations, {EXAMPLES} examples each")
    return failures, lines


def main() -> int:
    started = time.monotonic()
    env = environment()
    log("preparing a fresh database with the demo clinic")
    token = prepare(env)
    with served(env):
        log(f"fuzzing the live server on 127.0.0.1:{PORT}")
        failures, lines = fuzz(token)
    for line in lines:
        print(f"FAIL {line}")  # noqa: T201
    took = time.monotonic() - started
    total = sum(failures.values())
    print(f"fuzz_live: {total} failing operation(s) {dict(failures)} in {took:.0f} s")  # noqa: T201
    record(total, failures, lines, took)
    return 1 if total else 0


def record(total: int, failures: Counter, lines: list[str], took: float) -> None:
    """The run's outcome as a section of bench/RESULTS.md, so the fuzz result is kept with the rest."""
    sys.path.insert(0, str(ROOT))
    from bench.results import put_section

    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    summary = [
        f"- {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {EXAMPLES} generated examples per operation, "
        f"gunicorn on 127.0.0.1:{PORT}, bearer token of the demo therapist, load {load}",
        f"- Failing operations: **{total}** {dict(failures) or ''} in {took:.0f} s".rstrip(),
        *(f"  - `{line[:300]}`" for line in lines),
    ]
    put_section("Schema conformance against a live server (bench/fuzz_live.py)", summary)


if __name__ == "__main__":
    sys.exit(main())
