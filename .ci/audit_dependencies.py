"""Known-vulnerability check of the pinned production set (requirements.lock).

pip-audit needs advisory data: PyPI's JSON API or osv.dev. Where neither answers (this project's
machines reach only the registries' package indexes), pip-audit skips every package and still says
"No known vulnerabilities found"; so it runs with --strict, and a known-vulnerable canary pin must be
reported before its verdict is trusted. When the advisory data cannot be reached, the check falls
back to what the PyPI index itself publishes (PEP 691): every pinned release must exist, must not
be yanked, and its files must carry the hashes the lock file pins. It says which check ran.
"""

import json
import re
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
PIP_AUDIT = ROOT / ".venv" / "bin" / "pip-audit"
INDEX = "https://pypi.org/simple/{}/"
CANARY = "django==4.2.0\n"  # has published advisories (e.g. CVE-2023-31047)


def pip_audit(requirements: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [str(PIP_AUDIT), "--strict", "--no-deps", "--disable-pip", "--progress-spinner", "off",
         "--requirement", str(requirements)],
        capture_output=True, text=True, timeout=600,
    )


def advisory_data_answers() -> bool:
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as canary:
        canary.write(CANARY)
        canary.flush()
        found = pip_audit(Path(canary.name))
    return re.search(r"Found \d+ known vulnerabilit", found.stdout + found.stderr) is not None


def pins() -> dict[str, tuple[str, set[str]]]:
    text = LOCK.read_text().replace("\\\n", " ")
    found = {}
    for line in text.splitlines():
        if m := re.match(r"^([A-Za-z0-9_.-]+)==(\S+)\s*(.*)$", line):
            found[m[1].lower()] = (m[2], set(re.findall(r"--hash=sha256:([0-9a-f]{64})", m[3])))
    return found


def index_check() -> list[str]:
    problems = []
    for name, (version, hashes) in sorted(pins().items()):
        request = urllib.request.Request(  # noqa: S310 - a fixed https address
            INDEX.format(name), headers={"Accept": "application/vnd.pypi.simple.v1+json"}
        )
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            files = json.load(answer)["files"]
        mine = [f for f in files if f["hashes"].get("sha256") in hashes]
        if not mine:
            problems.append(f"{name}=={version}: no file on the index has a pinned hash")
        for f in mine:
            if f.get("yanked"):
                problems.append(f"{name}=={version}: {f['filename']} is yanked: {f['yanked']}")
    return problems


def main() -> int:
    if advisory_data_answers():
        result = pip_audit(LOCK)
        print("pip-audit (advisory data answered):", result.stdout.strip() or result.stderr.strip())
        return result.returncode
    print("pip-audit: no advisory data reachable (PyPI's JSON API and osv.dev do not answer here);")
    print(f"checking the {len(pins())} pins of requirements.lock against the PyPI index instead (yanked, hashes).")
    problems = index_check()
    for problem in problems:
        print("  " + problem)
    print("dependency check:", "FAILED" if problems else "no pinned release is yanked; every hash matches")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
