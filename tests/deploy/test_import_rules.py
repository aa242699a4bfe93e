"""The house rules: sibling services, pure rooms that touch no I/O, small files.

* A service package never imports another service package: what several services need
  about a case lives in ``shared/cases/`` (the event catalogue, the case fold, visibility,
  the presenter). Which services run together is decided above them, by the composition
  roots: the modules directly under ``services/`` (``processes.py`` starts each production
  process); a package's own ``__main__.py`` is held to the rule like the rest of it.
* A pure module (the ladder's rules, triage's reading of a report, the read-model folds,
  the event catalogue) imports no I/O library, directly or through another module.
* No import cycle, even one hidden in a function body; no Python file over 300 lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deploy.import_graph import ROOT, first_party, imports_of, modules, reaches

SERVICE_PACKAGES = sorted(path.parent.name for path in (ROOT / "services").glob("*/__init__.py"))

PURE = (
    "services/escalation/ladder/**/*.py",
    "services/triage/domain.py",
    "services/triage/facts.py",
    "services/triage/matcher.py",
    "services/triage/models.py",
    "services/triage/numerals.py",
    "services/triage/reading.py",
    "services/triage/context.py",
    "services/triage/denial.py",
    "services/triage/topics.py",
    "services/triage/repeat.py",
    "services/**/fold.py",
    "services/notify/feedback.py",
    "services/notify/plan.py",
    "services/notify/plan_requests.py",
    "services/notify/planners.py",
    "shared/cases/catalogue/*.py",
    "shared/cases/fold*.py",
    "shared/cases/row.py",
)
"""Globs of the modules that must stay pure: no clock, no I/O."""

IO_LIBRARIES = (
    "aiokafka",
    "aiosqlite",
    "alembic",
    "asyncpg",
    "fastapi",
    "httpx",
    "psycopg",
    "requests",
    "socket",
    "sqlalchemy",
    "sqlite3",
    "starlette",
    "uvicorn",
    "shared.consumers",
    "shared.db",
    "shared.log",
    "shared.runtime",
)
"""Libraries (and the project's own adapters) that read or write the outside world."""


def _service_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "services" or len(parts) < 3:
        return None
    return parts[1] if parts[1] in SERVICE_PACKAGES else None


def _pure_modules() -> list[str]:
    found = {name for pattern in PURE for path in ROOT.glob(pattern) for name in [_name(path)]}
    return sorted(found)


def _name(path: Path) -> str:
    return next(name for name, known in modules().items() if known == path)


def test_the_pure_globs_name_modules_that_exist() -> None:
    missing = [pattern for pattern in PURE if not list(ROOT.glob(pattern))]
    assert not missing, f"pure globs matching nothing (a room moved?): {missing}"


def test_no_service_package_imports_another() -> None:
    crossings = sorted(
        f"{module} imports {name}"
        for module in modules()
        if (own := _service_of(module))
        for name in imports_of(module)
        if name.startswith("services.") and name.split(".")[1] != own
    )
    assert not crossings, "\n".join(crossings)


@pytest.mark.parametrize("module", _pure_modules())
def test_a_pure_module_reaches_no_io(module: str) -> None:
    reached = reaches(module)
    touching = sorted(
        " -> ".join(path)
        for name, path in reached.items()
        if any(name == lib or name.startswith(f"{lib}.") for lib in IO_LIBRARIES)
    )
    assert not touching, "\n".join(touching)


def test_no_import_cycles() -> None:
    graph = {
        module: {
            target
            for name in imports_of(module)
            if name.split(".")[0] in ("services", "shared")
            and (target := first_party(name))
            and target != module
            and not module.startswith(f"{target}.")
        }
        for module in modules()
    }
    cycles = _cycles(graph)
    assert not cycles, "\n".join(" -> ".join(cycle) for cycle in cycles)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


MAX_LINES = 300


def test_every_python_file_stays_under_the_line_ceiling() -> None:
    """Small rooms: no module, bench or test passes 300 lines."""
    too_long = sorted(
        f"{path.relative_to(ROOT)}: {lines} lines"
        for top in ("services", "shared", "bench", "tests", "deploy")
        for path in (ROOT / top).rglob("*.py")
        if (lines := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    )
    assert not too_long, "\n".join(too_long)
