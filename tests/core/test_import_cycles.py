"""gradkit's modules import each other without cycles (DESIGN.md: each layer imports only
from the layers above it).

The graph is read from the source, not from a running interpreter: an edge for every
``import`` of a gradkit module, at module level or inside a function (a lazy import that
dodges a cycle is still the cycle), but not under ``if TYPE_CHECKING:`` (never runs).
Importing ``a.b.c`` runs the packages ``a`` and ``a.b`` first, so those are edges too,
except to the importer's own packages (already being imported).
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(importlib.util.find_spec("gradkit").submodule_search_locations[0])

# The engine's circle is being taken apart; widen this test to it when that is done.
EXEMPT = ("gradkit.tensor", "gradkit.ops", "gradkit.autograd")


def _modules() -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package) for every module of gradkit."""
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = ["gradkit", *path.relative_to(ROOT).with_suffix("").parts]
        is_pkg = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_pkg else parts)] = (path, is_pkg)
    return found


MODULES = _modules()


def _owner(name: str) -> str | None:
    """The module that ``import name`` ends up in (``gradkit.nn.Linear`` -> gradkit.nn)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str) -> list[tuple[str, int, bool]]:
    """(imported gradkit module, line, inside a function) for each import in ``module``."""
    path, is_pkg = MODULES[module]
    package = module if is_pkg else module.rpartition(".")[0]
    found = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.orelse:
                    visit(stmt, lazy)
                continue
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join(base + ([child.module] if child.module else []))
                else:
                    base = child.module or ""
                # ``from pkg import sub`` imports the submodule; other names come from pkg
                subs = [f"{base}.{alias.name}" for alias in child.names]
                names = [s for s in subs if s in MODULES] or [base]
            else:
                names = []
            for name in names:
                target = _owner(name) if name.startswith("gradkit") else None
                if target is not None and target != module:
                    found.append((target, child.lineno, lazy))
            inner = lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def _packages_run_by(target: str, importer: str) -> list[str]:
    """The packages Python runs before ``target``, less the importer's own packages."""
    parts = target.split(".")
    parents = [".".join(parts[:i]) for i in range(1, len(parts))]
    return [p for p in parents if p != importer and not importer.startswith(p + ".")]


def _import_graph() -> tuple[dict[str, set[str]], dict[tuple[str, str], list[str]]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    why: dict[tuple[str, str], list[str]] = {}
    for module in MODULES:
        for target, line, lazy in _imports(module):
            note = f"{module}:{line} imports {target}" + (" (inside a function)" if lazy else "")
            for dest in [target, *_packages_run_by(target, module)]:
                graph[module].add(dest)
                why.setdefault((module, dest), []).append(note)
    return graph, why


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, result = {}, {}, set(), [], []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        result.append(sorted(component))
    return result


def _exempt(module: str) -> bool:
    return any(module == e or module.startswith(e + ".") for e in EXEMPT)


def test_the_walk_sees_a_cycle(tmp_path, monkeypatch):
    """The detector itself, on a made-up package: a circle closed by a function-level
    import is found; one through ``if TYPE_CHECKING:`` is not."""
    pkg = tmp_path / "gradkit"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "low.py").write_text("def f():\n    from gradkit.high import g\n")
    (pkg / "high.py").write_text("from gradkit import low\n")
    (pkg / "typed.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from gradkit.side import S\n"
    )
    (pkg / "side.py").write_text("from . import typed\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", pkg)
    monkeypatch.setattr(sys.modules[__name__], "MODULES", _modules())
    graph, why = _import_graph()
    assert _cycles(graph) == [["gradkit.high", "gradkit.low"]]
    assert why[("gradkit.low", "gradkit.high")] == [
        "gradkit.low:2 imports gradkit.high (inside a function)"
    ]
    assert graph["gradkit.side"] == {"gradkit.typed"} and graph["gradkit.typed"] == set()


def test_no_import_cycles_outside_the_engine():
    graph, why = _import_graph()
    bad = [c for c in _cycles(graph) if not all(_exempt(m) for m in c)]
    report = []
    for component in bad:
        members = set(component)
        edges = [
            note
            for (src, dest), notes in sorted(why.items())
            if src in members and dest in members
            for note in notes
        ]
        report.append(" <-> ".join(component) + "\n    " + "\n    ".join(edges))
    assert not bad, "import cycles (move the shared code to one lower module):\n" + "\n".join(
        report
    )


FRESH = [
    "gradkit.nn.attention",
    "gradkit.nn.functional",
    "gradkit.nn.functional.attention",
    *sorted(m for m in MODULES if m.startswith("gradkit.tsa")),
]


@pytest.mark.parametrize("first", FRESH)
def test_modules_import_in_a_fresh_interpreter_in_any_order(first):
    """Each module imports first in a new interpreter, and the others after it, forward
    and backward (a cycle breaks the import of whichever member comes first)."""
    rest = [m for m in FRESH if m != first]
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({first!r})\n"
        f"for name in {rest!r} + {rest[::-1]!r}:\n"
        "    importlib.import_module(name)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
