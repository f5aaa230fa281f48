"""The library's modules import each other without cycles (issue 12).

Every import counts, also one inside a function: a function-level import hides a
cycle from the interpreter, not from a reader. The one cycle allowed is the text
writer's blocks ↔ tables recursion (a table cell holds blocks, a block may be a table).
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "exporter"
ALLOWED = [{"exporter.writers.text.blocks", "exporter.writers.text.tables"}]


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module → the modules of the package it imports, anywhere in its source (relative imports resolved)."""
    files = {module_name(p, package): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    here = name.split(".") if is_package else name.split(".")[:-1]
                    base = here[: len(here) - (node.level - 1)]
                    origin = ".".join(base + ([node.module] if node.module else []))
                else:
                    origin = node.module or ""
                # "from . import writers" names a module; "from .errors import UsageError" a name in one
                targets = [f"{origin}.{a.name}" if f"{origin}.{a.name}" in files else origin for a in node.names]
            for target in targets:
                while target and target not in files and "." in target:  # "exporter.x.y" where y is a name
                    target = target.rsplit(".", 1)[0]
                if target in files and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_but_the_text_tables():
    bad = [sorted(c) for c in cycles(import_graph()) if c not in ALLOWED]
    assert not bad, f"import cycles between modules: {bad}"


def test_the_check_sees_function_level_and_relative_imports(tmp_path):
    """The checker itself: a cycle made only by a relative import inside a function is found."""
    pkg = tmp_path / "exporter"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .sub.b import thing\n")
    (pkg / "sub" / "b.py").write_text("def thing():\n    from .. import a\n    from ..a import x\n")
    (pkg / "c.py").write_text("import exporter.sub.b\n")
    graph = import_graph(pkg)
    assert graph["exporter.sub.b"] == {"exporter.a"}
    assert graph["exporter.c"] == {"exporter.sub.b"}
    assert cycles(graph) == [{"exporter.a", "exporter.sub.b"}]


def test_the_core_does_not_import_the_batch():
    """``batch`` builds on the core; nothing outside it imports it but the public API and the CLI."""
    graph = import_graph()
    users = {m for m, targets in graph.items() for t in targets
             if t.startswith("exporter.batch") and not m.startswith("exporter.batch")}
    assert users <= {"exporter.pipeline", "exporter.cli"}, users
