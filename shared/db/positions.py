"""Consumer positions, stored in the same transaction as the effects they produced."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

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
                )
                .values(next_offset=offset)
            )
        else:
            await conn.execute(
                insert(consumer_positions).values(
                    consumer_group=group, partition=partition, next_offset=offset
                )
            )


async def reset_positions(conn: AsyncConnection, group: str) -> None:
    await conn.execute(
        delete(consumer_positions).where(consumer_positions.c.consumer_group == group)
    )


class DbPositions:
    """The ``PositionLoader`` a subscription asks when partitions are assigned."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def load(self, group: str) -> dict[int, int]:
        async with self._engine.connect() as conn:
            return await load_positions(conn, group)
