"""The house plan (ARCHITECTURE.md) holds: layers only look down, no import circle anywhere, no
module grows past a screenful of screens without saying why."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "reachlint"

# Modules every layer may use: errors, limits, where values come from, marks and text safety.
BASE = {
    "reachlint",
    "reachlint.confine",
    "reachlint.errors",
    "reachlint.limits",
    "reachlint.safe_text",
    "reachlint.sensitive",
    "reachlint.sources",
    "reachlint.timing",
}
# Each layer and the layers it may import (itself included); the command line sits on top.
ALLOWED = {
    "base": {"base"},
    "model": {"base", "model"},
    "formats": {"base", "formats"},
    "providers": {"base", "model", "providers"},
    "dialects": {"base", "model", "formats", "providers", "dialects"},
    "inputs": {"base", "model", "formats", "dialects", "inputs"},
    "engine": {"base", "model", "engine"},
    "rules": {"base", "model", "engine", "rules"},
    "reports": {"base", "model", "engine", "rules", "reports"},
    "commands": {
        "base",
        "model",
        "formats",
        "providers",
        "dialects",
        "inputs",
        "engine",
        "rules",
        "reports",
        "commands",
    },
}
LONG = 600  # lines; a module past this says in its docstring why it is one piece


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _layer(module: str) -> str:
    if module in BASE:
        return "base"
    if module == "reachlint.__main__":
        return "commands"
    return module.split(".")[1]


def _imports(module: str, path: Path) -> list[tuple[str, int]]:
    """Every reachlint module `module` imports, anywhere in it (in functions, for type
    checking only: a dependency all the same), with the line."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            names = [target, *(f"{target}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.append((name, node.lineno))
    return found


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def test_every_module_belongs_to_a_layer() -> None:
    assert {_layer(module) for module in MODULES} <= set(ALLOWED)


def test_no_layer_imports_one_above_it() -> None:
    wrong = [
        f"{module}:{line} ({_layer(module)}) imports {target} ({_layer(target)})"
        for module, targets in GRAPH.items()
        for target, line in targets
        if _layer(target) not in ALLOWED[_layer(module)]
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_circle() -> None:
    # Tarjan's strongly connected components, iteratively: a component of two or more
    # modules is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    circles: list[list[str]] = []
    for start in sorted(GRAPH):
        if start in index:
            continue
        work = [(start, iter(sorted({t for t, _ in GRAPH[start]})))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted({t for t, _ in GRAPH[child]}))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
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
                    circles.append(sorted(component))
    assert not circles, "\n".join(" <-> ".join(circle) for circle in circles)


def test_a_long_module_says_why_it_is_one_piece() -> None:
    unexplained = []
    for module, path in sorted(MODULES.items()):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines <= LONG:
            continue
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if "One piece:" not in doc:
            unexplained.append(f"{module}: {lines} lines")
    assert not unexplained, "\n".join(unexplained)


def test_the_checks_can_fail() -> None:
    """The graph is read from the code: an import upward or in a circle would be found."""
    assert ("reachlint.engine.reach", "engine") in {
        (target, _layer(target)) for target, _ in GRAPH["reachlint.engine.analysis"]
    }
    assert _layer("reachlint.commands.cli") == "commands"
    assert "commands" not in ALLOWED["engine"]
