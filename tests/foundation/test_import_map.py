"""The house rules for every area (`market/` up to `worker/`), read from the source: no file imports from a
higher layer (imports inside functions count too), no two files import each other in a circle, no file outside
migrations is over 600 lines, and no view queries the database (views read through selectors)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The layers, lowest first. Nothing imports from a layer above its own.
LAYERS = [
    "market", "providers", "directory", "oruk", "orders", "community", "curation", "quality", "invoicing", "payments",
    "commissioning", "cms", "worker",
]
#: The one file of the ground floor that names the areas above it: it mounts their URLs.
MAY_IMPORT_UPWARDS = {"market.urls"}
CHECKED = tuple(LAYERS)
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    modules = {}
    for area in LAYERS:
        for path in (ROOT / area).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _known(name: str | None) -> str | None:
    """The project module `name` is, or is inside (None for Django, Wagtail and the rest)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str) -> set[str]:
    """Every project module `module` imports, at the top or inside a function."""
    path = MODULES[module]
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(_known(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in MODULES else _known(base))
    return found - {None, module}


def _checked(module: str) -> bool:
    return module.split(".")[0] in CHECKED


GRAPH = {module: _imports(module) for module in MODULES if _checked(module)}


def test_no_file_imports_from_a_higher_layer():
    upwards = sorted(
        f"{module} -> {imported}"
        for module, imports in GRAPH.items()
        for imported in imports
        if LAYERS.index(imported.split(".")[0]) > LAYERS.index(module.split(".")[0])
        and module not in MAY_IMPORT_UPWARDS
    )

    assert upwards == []


def test_no_circle_between_files():
    # Tarjan's strongly connected components over the imports among the checked files.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in GRAPH[module] & GRAPH.keys():
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while not component or component[-1] != module:
                component.append(stack.pop())
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)

    assert circles == []


def test_no_file_is_over_600_lines():
    long_files = sorted(
        f"{MODULES[module].relative_to(ROOT)}: {lines}"
        for module in GRAPH
        if ".migrations" not in module and (lines := len(MODULES[module].read_text().splitlines())) > MAX_LINES
    )

    assert long_files == []


#: What a query or a write looks like in a view: a manager, a lookup helper, a queryset method, the audit trail.
QUERY = re.compile(
    r"\.objects\b|get_object_or_404|get_list_or_404|\.(filter|exclude|select_related|prefetch_related|"
    r"order_by|values_list|exists|get_or_create|update_or_create)\(|\baudit_record\("
)


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if "views" in m.split(".")))
def test_views_do_not_query(module):
    queries = [
        f"{number}: {line.strip()}"
        for number, line in enumerate(MODULES[module].read_text().splitlines(), start=1)
        if QUERY.search(line)
    ]

    assert queries == []
