"""bench/RESULTS.md is written by several scripts: bench/run.py writes the whole file, then each
later step of `make bench` puts its own section in, replacing that section from an earlier run."""

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def put_section(heading: str, lines: list[str], path: Path = RESULTS) -> None:
    """Replace the section under `## heading` (up to the next `## `) or append it at the end."""
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    kept: list[str] = []
    skipping = False
    for line in text.splitlines():
        if line.startswith("## "):
            skipping = line == f"## {heading}"
        if not skipping:
            kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    path.write_text("\n".join([*kept, "", f"## {heading}", "", *lines]) + "\n")
