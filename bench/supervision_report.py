"""bench/run.py's hook for bench/supervision.py: run it on one database copy, and the section of
bench/RESULTS.md that shows its figures (issue 12: p95 under 500 ms at 100,000 clients, with a
query count that does not grow with the number of clients)."""

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEAT = int(os.environ.get("BENCH_SUPERVISION_REPEAT", "50"))
PATHS = {
    "supervisor_home": "supervisor's home `/supervision/` (one team)",
    "lead_workspace": "programme lead's `/supervision/` (every team)",
    "workspace_build": "workspace.build() for every team (no page)",
    "programme_page": "programme lead's `/programme/`",
    "programme_api": "`GET /api/v1/programme/outcomes` (lead's token)",
    "programme_api_clinician": "`GET /api/v1/programme/outcomes` (a clinician's token)",
}


def measure(env: dict) -> dict:
    done = subprocess.run(  # noqa: S603
        [str(ROOT / ".venv/bin/python"), str(ROOT / "bench/supervision.py"), str(REPEAT)],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=True,
    )
    return json.loads(done.stdout)


def report(runs: list[dict]) -> list[str]:
    measured = [r for r in runs if r.get("supervision")]
    if not measured:
        return []
    lines = [
        "",
        "## Supervisor's workspace and programme figures (bench/supervision.py, in-process)",
        "",
        f"{REPEAT} requests per path and size (a quarter of that for the lead's whole-organisation page); "
        "p95 target < 500 ms at 100,000 clients; the query count must not change with the size.",
        "",
    ]
    sizes = sorted({int(size) for r in measured for size in r["supervision"]})
    head = " | ".join(f"p50 / p95 ms at {size:,}" for size in sizes)
    lines += [f"| database | path | {head} | queries |", "|---|---|" + "---|" * len(sizes) + "---|"]
    for r in measured:
        found = {int(size): values for size, values in r["supervision"].items()}
        for key, label in PATHS.items():
            cells = [found.get(size, {}).get(key) for size in sizes]
            shown = [f"{c['p50_ms']} / {c['p95_ms']}" if c else "—" for c in cells]
            counts = sorted({c["queries"] for c in cells if c})
            queries = " → ".join(map(str, counts))
            lines.append(f"| {r['vendor']} | {label} | {' | '.join(shown)} | {queries} |")
    lines.append("")
    for r in measured:
        for size, values in sorted(r["supervision"].items(), key=lambda item: int(item[0])):
            lines.append(
                f"- {r['vendor']}, {int(size):,} clients: {values['courses']:,} courses, "
                f"{values['teams']} teams; "
                f"load average {values['load_at_start']} at the start, {values['load_at_end']} at the end"
            )
    return lines
