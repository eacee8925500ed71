"""The hazard log names only tests that exist, and every hazard has its parts."""

import ast
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
LOG = yaml.safe_load((ROOT / "docs" / "hazard-log.yaml").read_text())
REQUIRED = {"id", "title", "cause", "harm", "severity", "likelihood", "controls", "tests"}


def functions_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}


def missing_tests(log) -> list[str]:
    missing = []
    for hazard in log["hazards"]:
        for test_id in hazard["tests"]:
            file, _, name = test_id.partition("::")
            path = ROOT / file
            if not path.is_file() or name not in functions_in(path):
                missing.append(f"{hazard['id']}: {test_id}")
    return missing


def test_every_hazard_names_only_tests_that_exist():
    assert missing_tests(LOG) == []


def test_a_hazard_naming_a_missing_test_is_caught():
    log = {"hazards": [{"id": "HAZ-X", "tests": ["tests/test_audit.py::test_that_was_never_written"]}]}
    assert missing_tests(log) == ["HAZ-X: tests/test_audit.py::test_that_was_never_written"]


def test_every_hazard_has_a_cause_a_harm_a_control_and_a_test():
    ids = [h["id"] for h in LOG["hazards"]]
    assert len(ids) == len(set(ids))
    for hazard in LOG["hazards"]:
        assert set(hazard) >= REQUIRED, hazard["id"]
        assert hazard["controls"] and hazard["tests"], hazard["id"]
