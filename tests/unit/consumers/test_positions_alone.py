"""A batch a consumer has nothing to apply for still stores its position, so a restart
resumes after it; and a position another member of the group moved meanwhile is never
written back over (a projection reads it again, a reactor keeps the furthest)."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.consumers.projection import ProjectionRunner
from shared.consumers.reactor import ReactorRunner
from shared.db.engine import make_engine
from shared.db.schema import consumer_positions, metadata
from shared.events.envelope import EventEnvelope
from shared.log.port import Delivery, Position

AT = datetime(2026, 1, 5, tzinfo=UTC)


def delivery(offset: int, event_type: str = "CaseNoted") -> Delivery:
    event_id = uuid.uuid4()
    event = EventEnvelope(
        event_id=event_id,
        event_type=event_type,
        schema_version=1,
        case_id=f"case-{offset}",
        sequence=1,
        occurred_at=AT,
        correlation_id=event_id,
        producer="test",
        payload={},
    )
    return Delivery(Position(0, offset), b"", event, None, event.case_id)


def batch(first: int, last: int, event_type: str = "CaseNoted") -> list[Delivery]:
    return [delivery(offset, event_type) for offset in range(first, last + 1)]


class Wanting:
    """Applies (or reacts to) only the events of one type."""

    group = "test.alone"

    def __init__(self) -> None:
        self.seen: list[int] = []

    def wants(self, event: EventEnvelope) -> bool:
        return event.event_type == "CaseWanted"

    async def apply(self, event: EventEnvelope, conn: Any) -> None:
        self.seen.append(int(event.case_id.removeprefix("case-")))

    async def react(self, event: EventEnvelope) -> None:
        self.seen.append(int(event.case_id.removeprefix("case-")))


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/app.db", durable=False)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


async def stored(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        found = await conn.execute(select(consumer_positions.c.next_offset))
        return int(found.scalar_one())


async def moved_elsewhere(engine: AsyncEngine, to: int) -> None:
    async with engine.begin() as conn:
        await conn.execute(update(consumer_positions).values(next_offset=to))


async def test_a_projection_stores_the_position_of_a_batch_it_passes_over(
    engine: AsyncEngine,
) -> None:
    projection = Wanting()
    runner = ProjectionRunner(log=None, engine=engine, projection=projection)  # type: ignore[arg-type]
    await runner.process(batch(1, 3, "CaseWanted"))
    await runner.process(batch(4, 9))
    assert await stored(engine) == 10

    restarted = ProjectionRunner(log=None, engine=engine, projection=projection)  # type: ignore[arg-type]
    await restarted.process(batch(8, 10, "CaseWanted"))  # 8 and 9 came before the restart
    assert projection.seen == [1, 2, 3, 10]
    assert await stored(engine) == 11


async def test_a_projection_does_not_move_a_position_moved_by_another_member_back(
    engine: AsyncEngine,
) -> None:
    runner = ProjectionRunner(log=None, engine=engine, projection=Wanting())  # type: ignore[arg-type]
    await runner.process(batch(1, 3))
    await moved_elsewhere(engine, 20)

    await runner.process(batch(4, 6))
    assert await stored(engine) == 20
    await runner.process(batch(20, 21))
    assert await stored(engine) == 22


async def test_a_reactor_stores_its_position_and_keeps_the_furthest(engine: AsyncEngine) -> None:
    reactor = Wanting()
    runner = ReactorRunner(log=None, engine=engine, reactor=reactor)  # type: ignore[arg-type]
    await runner.process(batch(1, 2, "CaseWanted"))
    await runner.process(batch(3, 5))
    assert (reactor.seen, await stored(engine)) == ([1, 2], 6)

    await moved_elsewhere(engine, 30)
    await runner.process(batch(6, 7))
    assert await stored(engine) == 30


async def test_a_position_waits_for_another_writer_of_the_database(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """Another process (a rebuild, a second member) holding the database's write lock
    delays a batch's position, which is stored once the lock is free, not lost."""
    runner = ReactorRunner(log=None, engine=engine, reactor=Wanting())  # type: ignore[arg-type]
    await runner.process(batch(1, 2))
    other = sqlite3.connect(tmp_path / "app.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        storing = asyncio.create_task(runner.process(batch(3, 5)))
        done, _ = await asyncio.wait({storing}, timeout=0.2)
        assert not done, "the position was stored while another writer held the lock"
    finally:
        other.execute("COMMIT")
        other.close()
    async with asyncio.timeout(10):
        await storing
    assert await stored(engine) == 6
