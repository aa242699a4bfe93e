"""A dead letter re-driven is handled again by the group that parked it, projection or
reactor, on every adapter: once its cause is gone it is ``handled`` (its effect made once),
and while the cause remains it is ``failed`` with the error, still parked."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.consumers.errors import Unprocessable
from shared.consumers.projection import ProjectionRunner
from shared.consumers.reactor import ReactorRunner
from shared.events.envelope import EventEnvelope, utc_now
from shared.log.dead_letters import DeadLetter, newest, one, request_redrive
from tests.conftest import LogUnderTest
from tests.contract.events import new_case, noted


class Flaky:
    """Handles the notes of its case; refuses the ones in ``broken`` as poison."""

    def __init__(self, group: str, case: str) -> None:
        self.group = group
        self.case = case
        self.broken = {"first", "second"}
        self.handled: list[str] = []

    def _handle(self, event: EventEnvelope) -> None:
        if event.case_id != self.case:
            return
        note = event.payload["note"]
        if note in self.broken:
            raise Unprocessable(f"cannot handle {note}")
        self.handled.append(note)

    async def apply(self, event: EventEnvelope, conn: AsyncConnection) -> None:
        self._handle(event)

    async def react(self, event: EventEnvelope) -> None:
        self._handle(event)


async def until(check: Callable[[], Awaitable[Any]], within: float = 30.0) -> Any:
    deadline = time.monotonic() + within
    while not (found := await check()):
        assert time.monotonic() < deadline, "the condition never held"
        await asyncio.sleep(0.05)
    return found


# The Kafka log's relay may publish a record twice (at-least-once, which read models skip by
# case sequence); this handler counts what it is given, so the relay is kept out of its way.
@pytest.mark.kafka_config(relay_interval_s=3600)
@pytest.mark.parametrize("kind", ["projection", "reactor"])
async def test_a_redriven_dead_letter_is_handled_once_its_cause_is_gone(
    any_log: LogUnderTest, kind: str
) -> None:
    case = new_case()
    flaky = Flaky(f"redrive-{kind}-{uuid.uuid4().hex[:8]}", case)
    runner: ProjectionRunner | ReactorRunner = (
        ProjectionRunner(log=any_log.log, engine=any_log.engine, projection=flaky)
        if kind == "projection"
        else ReactorRunner(log=any_log.log, engine=any_log.engine, reactor=flaky, max_attempts=1)
    )
    engine = any_log.log.dead_letter_engine
    assert engine is not None
    for note in ("first", "second", "after"):
        await any_log.log.append(case, [noted(case, note)])
    task = asyncio.create_task(runner.run())
    try:

        async def parked() -> list[DeadLetter]:
            found = await newest(engine, group=flaky.group, before=None, limit=10)
            return found if len(found) == 2 and "after" in flaky.handled else []

        second, first = await until(parked)
        assert (first.state, second.state) == ("parked", "parked")
        flaky.broken = {"second"}  # the cause of the first one is fixed, not the second's
        for letter in (first, second):
            await request_redrive(engine, letter, by="test", at=utc_now())

        async def finished() -> list[DeadLetter]:
            found = [await one(engine, letter.id) for letter in (first, second)]
            done = [f for f in found if f is not None and f.state != "requested"]
            return done if len(done) == 2 else []

        first, second = await until(finished)
        assert first.state == "handled" and first.detail is None
        assert second.state == "failed" and "cannot handle second" in (second.detail or "")
        assert flaky.handled.count("first") == 1 and set(flaky.handled) == {"after", "first"}
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
