"""Imports point one way, ui -> pv -> e2b, and no modules import each other in a circle.

Read from the source (ast), so an import inside a function counts as much as one at the top.
What still goes the wrong way is listed once below and may only shrink: a new wrong-way import
fails, and so does a listed one that has gone (take it off the list).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("ui", "pv", "e2b")
LAYER = {"ui": 2, "pv": 1, "e2b": 0}  # a module may import its own layer or lower ones

# (importing module, imported module) pairs that still go the wrong way: none since the ICSR
# model moved into e2b (issue 10). A new one fails the test.
KNOWN_UPWARD: frozenset[tuple[str, str]] = frozenset()
# Modules that import each other: none.
KNOWN_CIRCLES: frozenset[frozenset[str]] = frozenset()


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> Iterator[str]:
    """Our modules that `path` imports, wherever in the file the import stands."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name in modules and name.split(".")[0] in PACKAGES:
                yield name


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {
        name: {i for i in _imports(path, modules) if i != name and "." in i}
        for name, path in modules.items()
    }


def test_imports_point_one_way() -> None:
    upward = {
        (importer, imported)
        for importer, targets in _graph().items()
        for imported in targets
        if LAYER[imported.split(".")[0]] > LAYER[importer.split(".")[0]]
    }
    assert upward - KNOWN_UPWARD == set(), "new imports against ui -> pv -> e2b"
    assert KNOWN_UPWARD - upward == set(), "gone: take them off KNOWN_UPWARD"


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.get(start, ()))
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph.get(name, ()))
    return seen


def test_no_import_circles() -> None:
    """Every group of modules that reach each other through imports, of any length."""
    graph = _graph()
    reach = {name: _reachable(graph, name) for name in graph}
    circles = {
        frozenset({a} | {b for b in reach[a] if a in reach[b]})
        for a in graph
        if a in reach[a]
    }
    assert circles == KNOWN_CIRCLES


STANDALONE = """
import importlib, pkgutil, sys

class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pv", "ui", "tests"):
            raise ImportError(f"e2b imported {name}")
        return None

sys.meta_path.insert(0, Refuse())
import e2b
for module in pkgutil.walk_packages(e2b.__path__, "e2b."):
    if not module.name.endswith("__main__"):
        importlib.import_module(module.name)
print("ok")
"""


def test_e2b_imports_and_runs_without_pv() -> None:
    """Every e2b module imports with pv, ui and tests made unimportable (a real interpreter)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", STANDALONE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_no_merge_conflict_markers_are_left_in_the_sources() -> None:
    """A resolved merge leaves no <<<<<<< / >>>>>>> lines (one once hid in a docstring)."""
    suffixes = {".py", ".md", ".toml", ".txt", ".csv", ".j2", ".xml", ".ini", ".cfg"}
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for top in ("pv", "e2b", "ui", "tests", "bench", "templates", ".ci")
        for path in (ROOT / top).rglob("*")
        if path.is_file() and path.suffix in suffixes and "node_modules" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if line.startswith(("<<<<<<< ", ">>>>>>> "))
    ]
    assert found == []
