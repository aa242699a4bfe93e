"""Consumer positions, stored in the same transaction as the effects they produced."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Insert, bindparam, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util import greenlet_spawn

from shared.db.hot_statements import hot_execute, hot_execute_in_core
from shared.db.schema import consumer_positions
from shared.db.transaction import connect


async def load_positions(conn: AsyncConnection, group: str) -> dict[int, int]:
    rows = await conn.execute(
        select(consumer_positions.c.partition, consumer_positions.c.next_offset).where(
            consumer_positions.c.consumer_group == group
        )
    )
    return {int(partition): int(offset) for partition, offset in rows.all()}


async def save_positions(
    conn: AsyncConnection, group: str, *, known: Mapping[int, int], new: Mapping[int, int]
) -> None:
    """Write ``new`` next offsets per partition; ``known`` is what the store held before."""
    for partition, offset in new.items():
        if partition in known:
            await conn.execute(
                update(consumer_positions)
                .where(
                    consumer_positions.c.consumer_group == group,
                    consumer_positions.c.partition == partition,
                    # never backwards: a position saved late must not undo a newer one
                    consumer_positions.c.next_offset < offset,
                )
                .values(next_offset=offset)
            )
        else:
            await conn.execute(
                insert(consumer_positions).values(
                    consumer_group=group, partition=partition, next_offset=offset
                )
            )


class StalePositions(Exception):
    """The stored positions are not the ones this consumer last read or wrote (another
    member of its group, or a rebuild, moved them): read them again."""


ADVANCE = (
    update(consumer_positions)
    .where(
        consumer_positions.c.consumer_group == bindparam("fenced_group"),
        consumer_positions.c.partition == bindparam("fenced_partition"),
        consumer_positions.c.next_offset == bindparam("fenced_offset"),
    )
    .values(next_offset=bindparam("next_to"))
)
"""One partition's next offset, moved only from the value the consumer last stored (built
once: every batch of every consumer runs it; on the embedded database on its driver)."""


Move = tuple[int, int, int | None]
"""A partition, its new next offset, and the one stored before (None: none yet)."""


def _moves(known: Mapping[int, int], new: Mapping[int, int]) -> list[Move]:
    return [(p, offset, known.get(p)) for p, offset in new.items() if offset != known.get(p)]


def _insert(group: str, partition: int, offset: int) -> Insert:
    return insert(consumer_positions).values(
        consumer_group=group, partition=partition, next_offset=offset
    )


def _fence(group: str, partition: int, stored: int, offset: int) -> dict[str, object]:
    return {
        "fenced_group": group,
        "fenced_partition": partition,
        "fenced_offset": stored,
        "next_to": offset,
    }


async def advance_positions(
    conn: AsyncConnection, group: str, *, known: Mapping[int, int], new: Mapping[int, int]
) -> None:
    """Write ``new`` next offsets, fenced on ``known`` (what this consumer believes is
    stored, kept in memory between batches): ``StalePositions`` if the store holds other
    values. One statement per partition that moved, and no read."""
    for partition, offset, stored in _moves(known, new):
        if stored is None:
            try:  # the transaction is lost with the error: the caller starts it again
                await conn.execute(_insert(group, partition, offset))
            except IntegrityError as exc:
                raise StalePositions(group) from exc
        elif await hot_execute(conn, ADVANCE, _fence(group, partition, stored, offset)) != 1:
            raise StalePositions(group)


async def advance_positions_alone(
    engine: AsyncEngine, group: str, *, known: Mapping[int, int], new: Mapping[int, int]
) -> None:
    """``advance_positions`` in a transaction of its own, for a batch with no effects to
    store beside them. The transaction runs in one hand-off to SQLAlchemy's synchronous
    core (``greenlet_spawn``, as its asyncio layer does for each step): connecting,
    beginning, each statement, committing and closing each took a hand-off, and a task
    and loop turns to close, several times the database's own work. The fenced update
    runs on the embedded database's driver (``hot_execute_in_core``)."""
    moves = _moves(known, new)
    if moves:
        await greenlet_spawn(_advance_in_one_transaction, engine.sync_engine, group, moves)


def _advance_in_one_transaction(engine: Engine, group: str, moves: list[Move]) -> None:
    with engine.begin() as conn:
        for partition, offset, stored in moves:
            if stored is None:
                try:
                    conn.execute(_insert(group, partition, offset))
                except IntegrityError as exc:
                    raise StalePositions(group) from exc
            elif hot_execute_in_core(conn, ADVANCE, _fence(group, partition, stored, offset)) != 1:
                raise StalePositions(group)


class DbPositions:
    """The ``PositionLoader`` a subscription asks when partitions are assigned."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def load(self, group: str) -> dict[int, int]:
        async with connect(self._engine) as conn:
            return await load_positions(conn, group)
