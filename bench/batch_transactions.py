"""CPU per transaction a consumer opens on the embedded database: SQLAlchemy's
``engine.begin()`` / ``engine.connect()`` against ``shared.db.transaction``'s, alternately.

    .venv/bin/python bench/batch_transactions.py [--count 2000] [--rounds 8]

Three operations, each timed (process CPU) over ``--count`` runs, the two ways taking turns
round by round so load from elsewhere on the machine falls on both alike; the median of the
rounds is printed: a transaction advancing one fenced position; a read of one position; a
batch of 8 events through a projection runner (``process``) whose projection applies
nothing, so the runner's own transaction is what is measured; and a position stored alone
in one hand-off (``advance_positions_alone``), its fenced update through SQLAlchemy's
execution (the first way) or on the driver (the second).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util import greenlet_spawn

import shared.consumers.projection as projection_module
from shared.consumers.projection import ProjectionRunner
from shared.db.engine import make_engine
from shared.db.hot_statements import hot_execute, hot_rows
from shared.db.positions import ADVANCE, Move, _advance_in_one_transaction
from shared.db.schema import consumer_positions, metadata
from shared.db.transaction import begin, connect
from shared.events.envelope import EventEnvelope
from shared.log.port import Delivery, Position

Opener = Callable[[AsyncEngine], AbstractAsyncContextManager[AsyncConnection]]
WAYS: dict[str, tuple[Opener, Opener]] = {
    "engine.begin/connect": (lambda e: e.begin(), lambda e: e.connect()),
    "transaction.begin/connect": (begin, connect),
}
READ = select(consumer_positions.c.next_offset).where(
    consumer_positions.c.consumer_group == bindparam("group")
)
BATCH = 8
AT = datetime(2026, 1, 5, tzinfo=UTC)


class AppliesNothing:
    def __init__(self, group: str) -> None:
        self.group = group

    async def apply(self, event: EventEnvelope, conn: AsyncConnection) -> None:
        return None

    async def apply_many(self, events: Any, conn: AsyncConnection) -> None:
        return None


def _delivery(offset: int) -> Delivery:
    event_id = uuid.uuid4()
    event = EventEnvelope(
        event_id=event_id,
        event_type="CaseNoted",
        schema_version=1,
        case_id=f"case-{offset % 50}",
        sequence=1,
        occurred_at=AT,
        correlation_id=event_id,
        producer="bench",
        payload={},
    )
    return Delivery(Position(0, offset), b"", event, None, event.case_id)


def _advance_through_sqlalchemy(engine: Engine, group: str, moves: list[Move]) -> None:
    """``advance_positions_alone``'s transaction with its update run by SQLAlchemy."""
    with engine.begin() as conn:
        for partition, offset, stored in moves:
            fence = {"fenced_group": group, "fenced_partition": partition}
            bound = fence | {"fenced_offset": stored, "next_to": offset}
            assert conn.execute(ADVANCE, bound).rowcount == 1


ALONE = {
    "engine.begin/connect": _advance_through_sqlalchemy,
    "transaction.begin/connect": _advance_in_one_transaction,
}


def _operations(engine: AsyncEngine, way: str) -> dict[str, Callable[[], Awaitable[None]]]:
    """The three operations done ``way``; each group of positions is its own."""
    open_tx, open_read = WAYS[way]
    group = f"bench-{way}"
    offset = 0
    projection = AppliesNothing(group + "-runner")
    runner = ProjectionRunner(log=None, engine=engine, projection=projection)  # type: ignore[arg-type]
    delivered = 0

    async def advance() -> None:
        nonlocal offset
        async with open_tx(engine) as conn:
            bound = {"fenced_group": group, "fenced_partition": 0, "fenced_offset": offset}
            assert await hot_execute(conn, ADVANCE, bound | {"next_to": offset + 1}) == 1
        offset += 1

    async def read() -> None:
        async with open_read(engine) as conn:
            assert await hot_rows(conn, READ, {"group": group})

    async def batch() -> None:
        nonlocal delivered
        projection_module.begin = open_tx  # type: ignore[assignment]
        await runner.process([_delivery(delivered + n) for n in range(BATCH)])
        delivered += BATCH

    async def alone() -> None:
        nonlocal offset
        moves: list[Move] = [(0, offset + 1, offset)]
        await greenlet_spawn(ALONE[way], engine.sync_engine, group, moves)
        offset += 1

    return {
        "a fenced advance's transaction": advance,
        "a read": read,
        "a batch of 8": batch,
        "a position stored alone": alone,
    }


async def _main(count: int, rounds: int) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db", durable=False)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        for way in WAYS:
            row = {"consumer_group": f"bench-{way}", "partition": 0, "next_offset": 0}
            await conn.execute(insert(consumer_positions).values(**row))
    operations = {way: _operations(engine, way) for way in WAYS}
    times: dict[tuple[str, str], list[float]] = {}
    for name in operations[next(iter(WAYS))]:
        for round_ in range(rounds + 1):  # the first round warms up
            ways = list(WAYS) if round_ % 2 == 0 else list(reversed(WAYS))
            for way in ways:
                operation = operations[way][name]
                started = time.process_time()
                for _ in range(count):
                    await operation()
                if round_:
                    spent = (time.process_time() - started) / count * 1e6
                    times.setdefault((name, way), []).append(spent)
    for (name, way), spent in times.items():
        print(f"{name:32} {way:26} {statistics.median(spent):7.1f} µs")
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    asyncio.run(_main(args.count, args.rounds))


if __name__ == "__main__":
    main()
