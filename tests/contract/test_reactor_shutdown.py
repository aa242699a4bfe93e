"""Stopping a reactor mid-reaction ends it at once (no retry loop swallowing the cancel)."""

from __future__ import annotations

import asyncio

from shared.consumers.reactor import ReactorRunner
from shared.events.envelope import EventEnvelope
from tests.conftest import LogUnderTest
from tests.contract.events import new_case, noted


class StuckReactor:
    group = "contract-stuck"

    def __init__(self) -> None:
        self.started = asyncio.Event()

    async def react(self, event: EventEnvelope) -> None:
        self.started.set()
        await asyncio.Event().wait()  # a reaction that never finishes by itself


async def test_a_stopped_reactor_stops_even_mid_reaction(any_log: LogUnderTest) -> None:
    case = new_case()
    await any_log.log.append(case, [noted(case, "x")])
    reactor = StuckReactor()
    task = asyncio.create_task(
        ReactorRunner(log=any_log.log, engine=any_log.engine, reactor=reactor).run()
    )
    await asyncio.wait_for(reactor.started.wait(), 60)

    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=10)

    assert task in done and task.cancelled()
