"""The architecture, checked: data flows one way (DESIGN.md), so the server never imports
the build, and the build never imports the server.

The server may import only what it shares with the build (settings, errors, namespaces,
the format registry, reading releases, the competency queries), found by following
every ``kg.*`` import from ``kg/server`` to the end. A new module the server needs is
added to ``SHARED`` only if it is no part of the build."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kg"
SHARED = frozenset(
    {
        "kg",
        "kg.config",
        "kg.errors",
        "kg.namespaces",
        "kg.formats",
        "kg.release",
        "kg.queries",
        "kg.query",
    }
)
BUILD = (
    "kg.seeds", "kg.compile", "kg.validate", "kg.publish", "kg.pipeline", "kg.link",
    "kg.draft", "kg.review",
)  # fmt: skip


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_of(module: str) -> Path:
    base = ROOT.joinpath(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def imports(module: str) -> set[str]:
    """The ``kg`` modules ``module`` imports, anywhere in its body (including inside
    functions: a lazy import is still an import)."""
    path = source_of(module)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            for alias in node.names:  # `from kg.server import dumps` imports a module
                candidate = f"{node.module}.{alias.name}"
                if source_of(candidate).exists():
                    found.add(candidate)
    return {name for name in found if name == "kg" or name.startswith("kg.")}


def reachable(start: list[str]) -> dict[str, str]:
    """Every ``kg`` module reachable from ``start``, with the module that imports it."""
    seen: dict[str, str] = {m: m for m in start}
    todo = list(start)
    while todo:
        module = todo.pop()
        for name in imports(module):
            if name not in seen:
                seen[name] = module
                todo.append(name)
    return seen


def test_the_server_never_imports_the_build() -> None:
    server = [module_name(p) for p in sorted((PACKAGE / "server").rglob("*.py"))]
    assert len(server) > 20
    outside = {
        name: importer
        for name, importer in reachable(server).items()
        if name not in SHARED and not name.startswith("kg.server")
    }
    assert not outside, "\n".join(
        f"{importer} imports {name}: the server reads releases and never imports the "
        "build; if that module is no part of the build, add it to SHARED"
        for name, importer in sorted(outside.items())
    )


def test_the_build_never_imports_the_server() -> None:
    build = [
        module_name(p) for p in sorted(PACKAGE.rglob("*.py")) if module_name(p).startswith(BUILD)
    ]
    assert len(build) >= len(BUILD)
    leaks = {n: i for n, i in reachable(build).items() if n.startswith("kg.server")}
    assert not leaks, f"the build imports the server: {leaks}"
