"""bench/RESULTS.md is written by several scripts: bench/run.py writes its own sections, then each
later step of `make bench` puts its own section in, replacing that section from an earlier run.
A step run alone replaces only its sections: the others stay, each dated by the run that wrote it."""

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


def _sections(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("## "):
            current = line[3:]
            found[current] = []
        elif current is not None:
            found[current].append(line)
    return found


def write_keeping_others(text: str, path: Path = RESULTS) -> None:
    """Write `text` (a whole file with its own `## ` sections), then carry over every section of
    the file already there that `text` does not have: the later steps' sections from their last run."""
    mine = _sections(text)
    kept = path.read_text() if path.exists() else ""
    path.write_text(text)
    for heading, lines in _sections(kept).items():
        if heading not in mine:
            while lines and not lines[0].strip():
                lines.pop(0)
            while lines and not lines[-1].strip():
                lines.pop()
            put_section(heading, lines, path)
