"""``GET /readyz``: may this process take traffic? Each check says what it found.

* ``log``: the broker answers (the embedded log: its database answers);
* ``database``: the read-model database answers;
* ``migrations``: that database is at the revision this code needs;
* ``consumers``: every consumer group member has received its assignment;
* ``workers``: no background worker is failing (each restarts with backoff);
* ``shutdown``: the process is not draining after SIGTERM.

A check that does not answer within ``FQ_READINESS_TIMEOUT_SECONDS`` has failed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from fastapi.responses import JSONResponse

from shared.api.problems import problem_response
from shared.db.migrate import behind_head, current_revision, head_revision
from shared.runtime.context import AppContext

OK = "ok"


@dataclass
class ProcessState:
    """What the lifespan knows that the checks need."""

    workers: dict[str, bool] = field(default_factory=dict)
    draining: bool = False
    drain_started: float | None = None
    """``time.monotonic()`` when SIGTERM arrived."""

    def begin_drain(self) -> None:
        if not self.draining:
            self.draining = True
            self.drain_started = time.monotonic()

    def grace_left(self, grace: float) -> float:
        if self.drain_started is None:
            return grace
        return max(0.0, grace - (time.monotonic() - self.drain_started))


async def _bounded(check: Callable[[], Awaitable[str]], within: float) -> str:
    try:
        async with asyncio.timeout(within):
            return await check()
    except TimeoutError:
        return f"no answer within {within:g} s"
    except Exception as exc:
        return f"unreachable ({type(exc).__name__})"


async def readiness(
    context: AppContext, state: ProcessState, *, within: float, head: str | None = None
) -> dict[str, str]:
    """The result of every check: ``ok`` or what is wrong."""
    needed = head or head_revision()

    async def log_answers() -> str:
        await context.log.probe()
        return OK

    revisions: list[str | None] = []

    async def database_answers() -> str:
        async with context.engine.connect() as conn:
            revisions.append(await current_revision(conn))
        return OK

    log_result, db_result = await asyncio.gather(
        _bounded(log_answers, within), _bounded(database_answers, within)
    )
    migrations = (behind_head(revisions[0], needed) or OK) if revisions else "unknown (no database)"
    waiting = context.log.consumers.waiting_to_join()
    failing = sorted(name for name, healthy in state.workers.items() if not healthy)
    return {
        "log": log_result,
        "database": db_result,
        "migrations": migrations,
        "consumers": OK if not waiting else "not assigned yet: " + ", ".join(waiting),
        "workers": OK if not failing else "failing: " + ", ".join(failing),
        "shutdown": OK if not state.draining else "draining after SIGTERM",
    }


def readiness_response(checks: dict[str, str]) -> JSONResponse:
    failed = [name for name, result in checks.items() if result != OK]
    if not failed:
        return JSONResponse({"status": "ready", "checks": checks})
    return problem_response(
        status=503,
        slug="not-ready",
        title="Not ready",
        detail="; ".join(f"{name}: {checks[name]}" for name in failed),
        failed=failed,
        checks=checks,
    )
