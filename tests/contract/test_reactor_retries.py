"""A reactor whose handler keeps failing on one event gives up after a bounded number of
attempts, parks the event with its reason and goes on; a transient failure (the database
or broker away) is retried until it clears, however long that takes."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter

from sqlalchemy import select

from shared.consumers.reactor import ReactorRunner
from shared.events.envelope import EventEnvelope
from shared.log.sql_schema import dead_letters
from tests.conftest import LogUnderTest
from tests.contract.events import new_case, noted


class FlakyReactor:
    """Fails on the notes in ``failing`` (a number of times, or always), handles the rest;
    done once it has handled every note in ``until``."""

    def __init__(
        self,
        failing: dict[str, tuple[Exception, int | None]],
        *,
        until: set[str],
        cases: set[str],
    ) -> None:
        self.group = f"contract-retries-{uuid.uuid4().hex[:8]}"
        self.cases = cases
        """The test's own cases: the topic may carry other tests' events too."""
        self._failing = failing
        self._until = until
        self.attempts: Counter[str] = Counter()
        self.handled: list[str] = []
        self.done = asyncio.Event()

    async def react(self, event: EventEnvelope) -> None:
        if event.case_id not in self.cases:
            return  # another test's event (the Kafka relay publishes the shared store's rows)
        note = str(event.payload.get("note", ""))
        self.attempts[note] += 1
        if note in self._failing:
            error, times = self._failing[note]
            if times is None or self.attempts[note] <= times:
                raise error
        self.handled.append(note)
        if self._until <= set(self.handled):
            self.done.set()


async def run_until_done(under_test: LogUnderTest, reactor: FlakyReactor, attempts: int) -> None:
    runner = ReactorRunner(
        log=under_test.log, engine=under_test.engine, reactor=reactor, max_attempts=attempts
    )
    task = asyncio.create_task(runner.run())
    waiter = asyncio.create_task(reactor.done.wait())
    done, _ = await asyncio.wait({task, waiter}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    if task in done:
        task.result()  # surface the runner's failure
    assert waiter in done, f"the reactor is stuck: attempts so far {dict(reactor.attempts)}"


async def parked(under_test: LogUnderTest, group: str) -> list[dict[str, object]]:
    engine = under_test.log.store.engine  # type: ignore[attr-defined]
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(dead_letters).where(dead_letters.c.consumer_group == group)
        )
        return [dict(row) for row in rows.mappings()]


async def test_a_handler_that_always_fails_parks_the_event_and_moves_on(
    any_log: LogUnderTest,
) -> None:
    case, other = new_case(), new_case()
    await any_log.log.append(case, [noted(case, "before")])
    await any_log.log.append(case, [noted(case, "broken")])
    await any_log.log.append(case, [noted(case, "after")])
    await any_log.log.append(other, [noted(other, "elsewhere")])
    reactor = FlakyReactor(
        {"broken": (ValueError("no such rung"), None)},
        until={"after", "elsewhere"},
        cases={case, other},
    )

    await run_until_done(any_log, reactor, attempts=3)

    assert reactor.attempts["broken"] == 3
    assert sorted(reactor.handled) == ["after", "before", "elsewhere"]
    [letter] = await parked(any_log, reactor.group)
    assert letter["reason"] == "gave up after 3 attempts: ValueError: no such rung"
    assert b"broken" in bytes(letter["raw"])  # type: ignore[arg-type]


async def test_a_transient_failure_is_retried_past_the_bound_until_it_clears(
    any_log: LogUnderTest,
) -> None:
    case = new_case()
    await any_log.log.append(case, [noted(case, "while the database is away")])
    await any_log.log.append(case, [noted(case, "after")])
    away = ConnectionRefusedError("database away")
    reactor = FlakyReactor({"while the database is away": (away, 4)}, until={"after"}, cases={case})

    await run_until_done(any_log, reactor, attempts=2)

    assert reactor.attempts["while the database is away"] == 5  # 4 failures, then handled
    assert reactor.handled == ["while the database is away", "after"]
    assert await parked(any_log, reactor.group) == []
