"""Reading the lifecycle read models in tests: await projection commits, never sleep."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from services.measures.runtime import MeasuresRuntime
from shared.consumers.progress import Progress
from shared.db.schema import case_facts, unit_queue


@dataclass
class Seen:
    stats: dict[str, Any]
    queues: dict[str, dict[str, Any]]

    def queue(self, unit: str) -> dict[str, Any]:
        return self.queues[unit]

    def item(self, unit: str) -> dict[str, Any] | None:
        items = self.queues[unit]["items"]
        return items[0] if items else None


async def observe(api: httpx.AsyncClient, units: list[str], **params: Any) -> Seen:
    stats = (await api.get("/v1/stats", params=params)).json()
    queues = {}
    for unit in units:
        answer = await api.get(f"/v1/units/{unit}/queue", params={"due_soon_hours": 12})
        assert answer.status_code == 200, answer.text
        queues[unit] = answer.json()
    return Seen(stats=stats, queues=queues)


async def versions(api: httpx.AsyncClient) -> dict[str, dict[str, int]]:
    """Each case's version in both read models, and its stream's head."""
    context = api.app.state.context  # type: ignore[attr-defined]
    async with context.engine.connect() as conn:
        queue = dict((await conn.execute(select(unit_queue.c.case_id, unit_queue.c.version))).all())
        facts = dict((await conn.execute(select(case_facts.c.case_id, case_facts.c.version))).all())
    streams = await context.log.read_streams(list(queue))
    heads = {case_id: stream[-1].sequence for case_id, stream in streams.items()}
    return {"queue": queue, "facts": facts, "heads": heads}


async def both_current(api: httpx.AsyncClient) -> bool:
    """Both read models have applied every event of every case they know."""
    seen = await versions(api)
    return seen["queue"] == seen["facts"] == seen["heads"]


async def until(
    api: httpx.AsyncClient, units: list[str], check: Callable[[Seen], bool], **params: Any
) -> Seen:
    """Await commits of both read models until ``check`` holds (AssertionError after 30 s)."""
    runtimes = api.app.state.context.runtimes  # type: ignore[attr-defined]
    runtime = runtimes.require(MeasuresRuntime)
    progresses: list[Progress] = [runtime.queues, runtime.facts]
    last: list[Seen] = []

    async def holds() -> bool:
        last[:] = [await observe(api, units, **params)]
        return check(last[0]) and await both_current(api)

    try:
        for progress in progresses:
            await progress.wait_until(holds, within=30)
    except TimeoutError:
        raise AssertionError(
            f"read models never satisfied the check; versions {await versions(api)};"
            f" last seen {last}"
        ) from None
    return last[0]
