"""The protocol core is pure Python: no Django, only the standard library, PyYAML and rapport.core."""

import ast
import subprocess
import sys
from pathlib import Path

import rapport.core.protocol

PACKAGE = Path(rapport.core.protocol.__file__).parent


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_no_protocol_module_imports_django_or_anything_outside_the_core():
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) >= 4
    for path in sources:
        for name in imported_modules(path):
            top = name.split(".")[0]
            assert top != "django", f"{path.name} imports {name}"
            assert top in sys.stdlib_module_names or top == "yaml" or name.startswith("rapport.core"), (
                f"{path.name} imports {name}"
            )


def test_using_the_protocol_loads_no_django_module():
    code = (
        "import sys\n"
        "from datetime import date\n"
        "from rapport.core import protocol\n"
        "protocol.get()\n"
        "protocol.phase_for(5, 16, 'ipt_individual')\n"
        "protocol.suggest_problem_areas(protocol.Facts(onset=date(2024, 1, 1)))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert result.stdout.strip() == "[]"
