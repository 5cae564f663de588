"""Orders sits above market, providers and directory and below cms and worker: it imports only from its own layer
and lower ones (lazy imports inside functions count too), nothing lower imports it (market/urls.py aside), and
its own files import each other without a circle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
LAYERS = ("market", "providers", "directory", "orders", "cms", "worker")


def _modules() -> dict[str, Path]:
    found = {}
    for top in LAYERS:
        for path in (ROOT / top).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            name = ".".join(relative.with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project modules a file imports, anywhere in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            candidates = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in MODULES and "." in candidate:
                candidate = candidate.rpartition(".")[0]
            if candidate in MODULES and candidate != name:
                targets.add(candidate)
    return targets


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer(name: str) -> int:
    return LAYERS.index(name.split(".")[0])


def test_orders_imports_nothing_from_a_higher_layer():
    upward = {(name, target) for name, targets in GRAPH.items() if name.startswith("orders")
              for target in targets if _layer(target) > _layer(name)}
    assert upward == set()


def test_nothing_below_orders_imports_it():
    below = {(name, target) for name, targets in GRAPH.items() if _layer(name) < _layer("orders")
             and name != "market.urls" for target in targets if target.split(".")[0] == "orders"}
    assert below == set()


def test_the_files_of_orders_import_each_other_without_a_circle():
    graph = {name: {t for t in targets if t.startswith("orders")} for name, targets in GRAPH.items()
             if name.startswith("orders")}
    done, path = set(), []

    def visit(name):
        if name in path:
            raise AssertionError(" -> ".join([*path[path.index(name):], name]))
        if name in done:
            return
        path.append(name)
        for target in sorted(graph.get(name, ())):
            visit(target)
        path.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)


def test_no_orders_file_outside_migrations_is_over_600_lines():
    long = {name: len(path.read_text().splitlines()) for name, path in MODULES.items() if name.startswith("orders")}
    assert {name: lines for name, lines in long.items() if lines > 600} == {}
