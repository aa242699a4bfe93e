"""A consumer's transaction on the embedded database (``shared.db.transaction.begin``)
keeps what ``engine.begin()`` promised: the block's writes commit together, a block that
raises or is cancelled leaves nothing behind, and the database's one connection is back
for the next user either way (a lost connection would stop every consumer); a read's
connection (``connect``) likewise, and what it wrote without committing is undone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.engine import make_engine
from shared.db.hot_statements import hot_execute
from shared.db.positions import ADVANCE, StalePositions, advance_positions
from shared.db.schema import consumer_positions, metadata
from shared.db.transaction import begin, connect

WITHIN = 5.0
"""How long the next transaction may wait for the connection (it is free at once)."""


@pytest.fixture(params=[False, True], ids=["read-models", "durable"])
async def engine(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/app.db", durable=request.param)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


async def positions(engine: AsyncEngine) -> dict[int, int]:
    async with asyncio.timeout(WITHIN), engine.connect() as conn:
        rows = await conn.execute(
            select(consumer_positions.c.partition, consumer_positions.c.next_offset)
        )
        return {int(p): int(o) for p, o in rows.all()}


async def rows_of(engine: AsyncEngine) -> int:
    async with asyncio.timeout(WITHIN), engine.connect() as conn:
        return int(
            (await conn.execute(select(func.count()).select_from(consumer_positions))).scalar_one()
        )


def position(partition: int, offset: int) -> dict[str, object]:
    return {"consumer_group": "g", "partition": partition, "next_offset": offset}


async def test_the_block_s_writes_commit_together(engine: AsyncEngine) -> None:
    async with begin(engine) as conn:
        await conn.execute(insert(consumer_positions).values(position(0, 5)))
        await conn.execute(insert(consumer_positions).values(position(1, 7)))
    assert await positions(engine) == {0: 5, 1: 7}


async def test_a_block_that_raises_leaves_nothing_and_frees_the_connection(
    engine: AsyncEngine,
) -> None:
    async with begin(engine) as conn:
        await conn.execute(insert(consumer_positions).values(position(0, 5)))
    with pytest.raises(RuntimeError):
        async with begin(engine) as conn:
            bound = {"fenced_group": "g", "fenced_partition": 0, "fenced_offset": 5}
            assert await hot_execute(conn, ADVANCE, bound | {"next_to": 9}) == 1
            await conn.execute(insert(consumer_positions).values(position(1, 3)))
            raise RuntimeError("the batch failed")
    assert await positions(engine) == {0: 5}


async def test_a_fenced_advance_refused_rolls_back_the_batch(engine: AsyncEngine) -> None:
    async with begin(engine) as conn:
        await conn.execute(insert(consumer_positions).values(position(0, 5)))
    with pytest.raises(StalePositions):
        async with begin(engine) as conn:
            await conn.execute(insert(consumer_positions).values(position(1, 3)))
            await advance_positions(conn, "g", known={0: 4}, new={0: 8})  # someone moved it
    assert await positions(engine) == {0: 5}


async def test_a_cancelled_block_leaves_nothing_and_frees_the_connection(
    engine: AsyncEngine,
) -> None:
    wrote = asyncio.Event()

    async def batch() -> None:
        async with begin(engine) as conn:
            await conn.execute(insert(consumer_positions).values(position(0, 5)))
            wrote.set()
            await asyncio.Event().wait()  # a shutdown cancels it here

    task = asyncio.create_task(batch())
    async with asyncio.timeout(WITHIN):
        await wrote.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await rows_of(engine) == 0


async def test_a_batch_waiting_for_the_connection_can_be_cancelled(engine: AsyncEngine) -> None:
    holding = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with begin(engine) as conn:
            await conn.execute(insert(consumer_positions).values(position(0, 5)))
            holding.set()
            await release.wait()

    async def waiter() -> None:
        async with begin(engine) as conn:
            await conn.execute(insert(consumer_positions).values(position(1, 3)))

    held = asyncio.create_task(holder())
    async with asyncio.timeout(WITHIN):
        await holding.wait()
    waiting = asyncio.create_task(waiter())
    await asyncio.sleep(0)  # let it queue for the one connection
    waiting.cancel()
    release.set()
    await held
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert await positions(engine) == {0: 5}


async def test_a_read_sees_the_rows_and_frees_the_connection(engine: AsyncEngine) -> None:
    async with begin(engine) as conn:
        await conn.execute(insert(consumer_positions).values(position(0, 5)))
    for _ in range(3):  # one connection: each read must give it back
        async with asyncio.timeout(WITHIN), connect(engine) as conn:
            found = await conn.execute(select(consumer_positions.c.next_offset))
            assert found.scalars().all() == [5]


async def test_what_a_connection_wrote_without_committing_is_undone(engine: AsyncEngine) -> None:
    async with begin(engine) as conn:
        await conn.execute(insert(consumer_positions).values(position(0, 5)))
    with pytest.raises(RuntimeError):
        async with connect(engine) as conn:
            bound = {"fenced_group": "g", "fenced_partition": 0, "fenced_offset": 5}
            assert await hot_execute(conn, ADVANCE, bound | {"next_to": 9}) == 1
            raise RuntimeError("the read failed")
    async with connect(engine) as conn:
        bound = {"fenced_group": "g", "fenced_partition": 0, "fenced_offset": 5}
        assert await hot_execute(conn, ADVANCE, bound | {"next_to": 6}) == 1
    assert await positions(engine) == {0: 5}


async def test_a_task_waiting_for_the_connection_gets_it_between_batches(
    engine: AsyncEngine,
) -> None:
    """A consumer catching up runs its batches back to back (its reads need not wait): a
    read queued meanwhile gets the one connection after the batch in hand, not after all."""
    async with begin(engine) as conn:
        await conn.execute(insert(consumer_positions).values(position(0, 0)))
    batches = 0
    first_batch = asyncio.Event()

    async def catching_up() -> None:
        nonlocal batches
        for offset in range(200):
            async with begin(engine) as conn:
                bound = {"fenced_group": "g", "fenced_partition": 0, "fenced_offset": offset}
                assert await hot_execute(conn, ADVANCE, bound | {"next_to": offset + 1}) == 1
                batches += 1
                first_batch.set()

    consumer = asyncio.create_task(catching_up())
    async with asyncio.timeout(WITHIN):
        await first_batch.wait()
    async with asyncio.timeout(WITHIN), connect(engine) as conn:
        seen = (await conn.execute(select(consumer_positions.c.next_offset))).scalar_one()
    await consumer
    assert seen <= 3, f"the read waited for {seen} batches"
