"""The clinical core stays pure Python: no module under rapport/core imports Django."""

import ast
from pathlib import Path

import rapport.core

CORE = Path(rapport.core.__file__).parent


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_no_module_in_the_clinical_core_imports_django():
    sources = sorted(CORE.rglob("*.py"))
    assert len(sources) >= 5
    offenders = {
        str(path.relative_to(CORE)): sorted(
            name for name in imported_modules(path) if name.split(".")[0] == "django"
        )
        for path in sources
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_core_imports_only_the_standard_library_yaml_and_itself():
    allowed_third_party = {"yaml"}
    seen = set().union(*(imported_modules(path) for path in CORE.rglob("*.py")))
    third_party = {
        name.split(".")[0]
        for name in seen
        if name.split(".")[0] not in allowed_third_party
        and not name.startswith("rapport.core")
        and name.split(".")[0] not in __import__("sys").stdlib_module_names
    }
    assert third_party == set()
