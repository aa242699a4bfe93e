"""The project's import graph, read with ``ast`` (imports inside functions included)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIRST_PARTY = ("services", "shared")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    """Every first-party module by dotted name."""
    return {
        module_name(path): path
        for top in FIRST_PARTY
        for path in sorted((ROOT / top).rglob("*.py"))
    }


def _type_checking_only(tree: ast.AST) -> set[int]:
    """Ids of the import nodes under ``if TYPE_CHECKING:`` (never run, so never a cycle)."""
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    return hidden


def _imported(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    hidden = _type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")
                package = package if is_package else package[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            known = modules()
            for alias in node.names:
                child = f"{base}.{alias.name}"
                yield child if child in known else base


@cache
def imports_of(module: str) -> frozenset[str]:
    """What ``module`` imports anywhere in its body: dotted names as written."""
    path = modules()[module]
    tree = ast.parse(path.read_text("utf-8"), str(path))
    return frozenset(_imported(tree, module, path.name == "__init__.py"))


def first_party(name: str) -> str | None:
    """The first-party module ``name`` resolves to (a package's ``__init__`` included)."""
    known = modules()
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def reaches(module: str) -> dict[str, list[str]]:
    """Every name ``module`` imports, directly or through first-party modules, with the path."""
    seen: dict[str, list[str]] = {}
    frontier = [(module, [module])]
    while frontier:
        current, path = frontier.pop()
        for name in sorted(imports_of(current)):
            if name in seen:
                continue
            seen[name] = [*path, name]
            target = first_party(name) if name.split(".")[0] in FIRST_PARTY else None
            if target and target not in seen and target != current:
                seen.setdefault(target, [*path, target])
                frontier.append((target, [*path, target]))
    return seen
