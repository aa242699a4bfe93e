"""Consumer positions, stored in the same transaction as the effects they produced."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.db.hot_statements import hot_execute
from shared.db.schema import consumer_positions


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


async def advance_positions(
    conn: AsyncConnection, group: str, *, known: Mapping[int, int], new: Mapping[int, int]
) -> None:
    """Write ``new`` next offsets, fenced on ``known`` (what this consumer believes is
    stored, kept in memory between batches): ``StalePositions`` if the store holds other
    values. One statement per partition that moved, and no read."""
    for partition, offset in new.items():
        if partition not in known:
            try:  # the transaction is lost with the error: the caller starts it again
                await conn.execute(
                    insert(consumer_positions).values(
                        consumer_group=group, partition=partition, next_offset=offset
                    )
                )
            except IntegrityError as exc:
                raise StalePositions(group) from exc
            continue
        if offset == known[partition]:
            continue
        moved = await hot_execute(
            conn,
            ADVANCE,
            {
                "fenced_group": group,
                "fenced_partition": partition,
                "fenced_offset": known[partition],
                "next_to": offset,
            },
        )
        if moved != 1:
            raise StalePositions(group)


class DbPositions:
    """The ``PositionLoader`` a subscription asks when partitions are assigned."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def load(self, group: str) -> dict[int, int]:
        async with self._engine.connect() as conn:
            return await load_positions(conn, group)
