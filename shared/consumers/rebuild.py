"""Rebuild a read model by replaying the log from its start.

The projection's tables are emptied and its position reset, then every record is applied
through the same ``apply`` the live runner uses, batch by batch with the positions, so the
live runner carries on from the end of the replay. Stop the live runner first.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson
from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.consumers.projection import Projection
from shared.db.positions import load_positions, reset_positions, save_positions
from shared.log.port import EventLog


class RebuildableProjection(Projection, Protocol):
    @property
    def tables(self) -> Sequence[Table]:
        """The tables this projection owns (emptied before a rebuild)."""
        ...


@dataclass(frozen=True)
class RebuildReport:
    group: str
    events: int
    seconds: float
    checksums: dict[str, str]

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else float("inf")


async def rebuild(
    *,
    log: EventLog,
    engine: AsyncEngine,
    projection: RebuildableProjection,
    on_batch: Callable[[int], None] | None = None,
) -> RebuildReport:
    group = projection.group
    started = time.perf_counter()
    async with engine.begin() as conn:
        for table in projection.tables:
            await conn.execute(delete(table))
        await reset_positions(conn, group)
    applied = 0
    async for batch in log.replay():
        async with engine.begin() as conn:
            known = await load_positions(conn, group)
            new: dict[int, int] = {}
            events = []
            for delivery in batch:
                new[delivery.position.partition] = delivery.position.offset + 1
                if delivery.event is not None:
                    events.append(delivery.event)
            apply_many = getattr(projection, "apply_many", None)
            if apply_many is not None:
                await apply_many(events, conn)
            else:
                for event in events:
                    await projection.apply(event, conn)
            applied += len(events)
            await save_positions(conn, group, known=known, new=new)
        if on_batch is not None:
            on_batch(applied)
    seconds = time.perf_counter() - started
    checksums = {table.name: await table_checksum(engine, table) for table in projection.tables}
    return RebuildReport(group=group, events=applied, seconds=seconds, checksums=checksums)


def _normal(value: Any) -> Any:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite drops the zone
        return aware.timestamp()
    return value


async def table_checksum(engine: AsyncEngine, table: Table) -> str:
    """SHA-256 over every row in primary-key order, independent of the database engine."""
    digest = hashlib.sha256()
    async with engine.connect() as conn:
        await _feed(conn, table, digest)
    return digest.hexdigest()


async def _feed(conn: AsyncConnection, table: Table, digest: Any) -> None:
    query = select(table).order_by(*table.primary_key.columns)
    for row in (await conn.execute(query)).mappings():
        normal = {str(key): _normal(value) for key, value in row.items()}
        digest.update(orjson.dumps(normal, option=orjson.OPT_SORT_KEYS, default=str))
