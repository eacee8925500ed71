"""Imports point down the layers, never sideways between page packages, and never in a circle.

core < audit < common, drawings < accounts < clinic < staff, portal, administration, api < demo < the
root modules (settings, urls, wsgi, __main__). Every import counts, at module level or inside a
function: a deferred import is still a dependency, and hiding a cycle inside a function only moves
the failure to run time. Migrations are generated code and are exempt.
"""

import ast
from pathlib import Path

import rapport

SRC = Path(rapport.__file__).parent

LAYERS = {
    "core": 0,
    "audit": 1,
    "common": 2,
    "drawings": 2,
    "backups": 2,
    "accounts": 3,
    "clinic": 4,
    "supervision": 4,
    "interop": 4,
    "scheduling": 4,
    "messaging": 4,
    "programme": 4,
    "retention": 4,
    "groups": 4,
    "offline": 4,
    "directory": 4,
    "intake": 4,
    "front_door": 5,
    "staff": 5,
    "portal": 5,
    "administration": 5,
    "api": 5,
    "find": 5,
    "demo": 6,
}
ROOT_LAYER = 7
# Packages of one layer may import each other up to clinic (common and drawings are both plain
# helpers); above it, each audience's pages stand alone.
LAST_SIDEWAYS_LAYER = LAYERS["clinic"]


def package_of(module: str) -> str:
    """'rapport.clinic.alerts' -> 'clinic'; the root modules ('rapport.urls') are their own package."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layer_of(module: str) -> int:
    package = package_of(module)
    return LAYERS.get(package, ROOT_LAYER)


def module_name(path: Path, src: Path) -> str:
    parts = ["rapport", *path.relative_to(src).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, *, is_package: bool) -> set[str]:
    """Every rapport module this source imports, wherever the import statement sits."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # Relative: resolve against the importing module's package.
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            # `from rapport.clinic import alerts` imports the module rapport.clinic.alerts.
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "rapport" or name.startswith("rapport.")}


def module_graph(src: Path = SRC) -> dict[str, set[str]]:
    """module -> the rapport modules it imports (only those that exist as files here)."""
    sources = {
        module_name(path, src): path for path in sorted(src.rglob("*.py")) if "migrations" not in path.parts
    }
    graph = {}
    for module, path in sources.items():
        names = imports_of(path.read_text(), module, is_package=path.name == "__init__.py")
        graph[module] = {name for name in names if name in sources and name != module}
    return graph


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            mine, theirs = layer_of(module), layer_of(target)
            if theirs > mine:
                found.append(f"{module} (layer {mine}) imports {target} (layer {theirs}), a higher layer")
            elif (
                theirs == mine
                and mine > LAST_SIDEWAYS_LAYER
                and package_of(module) != package_of(target)
                and mine != ROOT_LAYER
            ):
                found.append(
                    f"{module} imports {target}: sideways between {package_of(module)} and "
                    f"{package_of(target)}"
                )
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(components)


# The checks on the real tree.


def test_the_graph_covers_every_package_of_the_project():
    graph = module_graph()
    assert {package_of(module) for module in graph} >= set(LAYERS)
    assert sum(len(targets) for targets in graph.values()) > 100


def test_no_module_imports_a_higher_layer_or_a_sibling_page_package():
    assert layer_violations(module_graph()) == []


def test_no_two_files_import_each_other_even_through_others():
    assert cycles(module_graph()) == []


def test_every_package_has_a_layer():
    packages = {path.name for path in SRC.iterdir() if (path / "__init__.py").exists()}
    assert packages == set(LAYERS)


# The checker bites: throwaway modules with forbidden imports are reported.


def write(tree: Path, relative: str, source: str) -> None:
    path = tree / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)


def tiny_project(tree: Path) -> Path:
    for package in LAYERS:
        write(tree, f"{package}/__init__.py", "")
    write(tree, "__init__.py", "")
    write(tree, "core/scoring.py", "import json\n")
    write(tree, "clinic/alerts.py", "from rapport.core import scoring\n")
    write(tree, "staff/pages.py", "from rapport.clinic.alerts import raise_alert\n")
    write(tree, "urls.py", "from rapport.staff import pages\nfrom rapport.portal import pages\n")
    return tree


def test_a_clean_tiny_project_reports_nothing(tmp_path):
    graph = module_graph(tiny_project(tmp_path))
    assert graph["rapport.staff.pages"] == {"rapport.clinic.alerts"}
    assert layer_violations(graph) == []
    assert cycles(graph) == []


def test_a_core_module_importing_the_clinic_inside_a_function_is_reported(tmp_path):
    tree = tiny_project(tmp_path)
    write(tree, "core/scoring.py", "def score():\n    from rapport.clinic import alerts\n")
    assert layer_violations(module_graph(tree)) == [
        "rapport.core.scoring (layer 0) imports rapport.clinic (layer 4), a higher layer",
        "rapport.core.scoring (layer 0) imports rapport.clinic.alerts (layer 4), a higher layer",
    ]


def test_the_clinic_importing_a_page_module_is_reported(tmp_path):
    tree = tiny_project(tmp_path)
    write(tree, "clinic/alerts.py", "from ..staff.pages import something\n")
    assert layer_violations(module_graph(tree)) == [
        "rapport.clinic.alerts (layer 4) imports rapport.staff.pages (layer 5), a higher layer"
    ]


def test_staff_pages_importing_portal_pages_is_reported_as_sideways(tmp_path):
    tree = tiny_project(tmp_path)
    write(tree, "portal/home.py", "")
    write(tree, "staff/pages.py", "from rapport.portal import home\n")
    assert layer_violations(module_graph(tree)) == [
        "rapport.staff.pages imports rapport.portal: sideways between staff and portal",
        "rapport.staff.pages imports rapport.portal.home: sideways between staff and portal",
    ]


def test_two_clinic_files_importing_each_other_through_a_third_are_a_cycle(tmp_path):
    tree = tiny_project(tmp_path)
    write(tree, "clinic/alerts.py", "from rapport.clinic import jobs\n")
    write(tree, "clinic/jobs.py", "def run():\n    from rapport.clinic.mail import send\n")
    write(tree, "clinic/mail.py", "import rapport.clinic.alerts\n")
    graph = module_graph(tree)
    assert layer_violations(graph) == []
    assert cycles(graph) == [["rapport.clinic.alerts", "rapport.clinic.jobs", "rapport.clinic.mail"]]
