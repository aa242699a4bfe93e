"""Reads of the SQL event store: case streams, the log in order, one shard of it.

They go to their own engine: on SQLite read-only connections beside the writing one, so a
read never waits behind a commit and its fsync.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.events.codec import decode
from shared.events.envelope import EventEnvelope
from shared.log.port import Shard
from shared.log.sql_lookups import HotReads, stream_records, streams_records
from shared.log.sql_schema import event_log

SHARD_ROWS_BETWEEN = (
    "SELECT position, body FROM event_log"
    " WHERE position > $1 AND position <= $2 AND (hashtext(case_id) & 2147483647) % $3 = $4"
    " ORDER BY position"
)
"""PostgreSQL: the positions and bodies of one shard's rows in a range of positions
(``$1`` the position after which, ``$2`` the last one, ``$3`` the shard count, ``$4`` its
index), the shard's cases picked by PostgreSQL's hash of the case id. A range, not a
``LIMIT``: the planner cannot tell that the filter keeps 1/count of the rows and guesses
far fewer, so for a ``LIMIT`` it expected to read the whole table and planned a sequential
scan and a sort of everything after ``$1`` (about 2 s a read on a log of 1,000,000 events,
early in a rebuild); for a range it walks the primary key."""


class SqlStoreReads:
    def __init__(self, reader: AsyncEngine) -> None:
        self._reader = reader
        """Reads go here (on SQLite: connections beside the writing one)."""
        self._hot = HotReads(reader)
        """The stream reads (on a SQLite file or PostgreSQL: connections of their own)."""

    async def close_reads(self) -> None:
        await self._hot.close()

    async def read_stream(self, case_id: str, *, after: int = 0) -> list[EventEnvelope]:
        records = await self.read_stream_records(case_id, after=after)
        return [decode(body) for _, body in records]

    async def read_stream_records(self, case_id: str, *, after: int = 0) -> list[tuple[int, bytes]]:
        """The case's records after ``after``: (position, body), oldest first."""
        return await stream_records(self._hot, case_id, after=after)

    async def read_streams(self, case_ids: Sequence[str]) -> dict[str, list[EventEnvelope]]:
        records = await self.read_streams_records(case_ids)
        return {case_id: [decode(body) for _, body in rows] for case_id, rows in records.items()}

    async def read_streams_records(
        self, case_ids: Sequence[str]
    ) -> dict[str, list[tuple[int, bytes]]]:
        """Several cases' records at once: case id -> (position, body), oldest first."""
        streams: dict[str, list[tuple[int, bytes]]] = {case_id: [] for case_id in case_ids}
        if not streams:
            return streams
        dialect = self._reader.dialect
        for case_id, position, body in await streams_records(self._hot, list(streams), dialect):
            streams[case_id].append((position, body))
        return streams

    async def read_from(self, after_position: int, *, limit: int) -> list[tuple[int, bytes]]:
        query = (
            select(event_log.c.position, event_log.c.body)
            .where(event_log.c.position > after_position)
            .order_by(event_log.c.position)
            .limit(limit)
        )
        async with self._reader.connect() as conn:
            return [(row[0], row[1]) for row in (await conn.execute(query)).all()]

    async def read_shard_from(
        self, after_position: int, *, limit: int, shard: Shard, end: int
    ) -> tuple[int | None, list[tuple[int, bytes]]]:
        """The shard's rows among the next ``limit`` or so after ``after_position`` (none
        past ``end``): the last position read (None: there are none) and the rows.
        PostgreSQL picks the shard's rows in the query (by its ``hashtext`` of the case id,
        from the next ``limit`` times the shard count positions: about ``limit`` of them,
        and none of the others); elsewhere ``limit`` rows are read and ``Shard.holds`` picks
        them."""
        async with self._reader.connect() as conn:
            if conn.dialect.name == "postgresql":
                if after_position >= end:
                    return None, []
                last = min(after_position + limit * shard.count, end)
                # The planner would start parallel workers for every read.
                await conn.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
                # Straight through the driver, in that transaction: a replay reads every
                # record, and SQLAlchemy's result rows cost more than the driver's own.
                raw = await conn.get_raw_connection()
                driver = raw.driver_connection
                assert driver is not None
                records = await driver.fetch(
                    SHARD_ROWS_BETWEEN, after_position, last, shard.count, shard.index
                )
                return last, [(record[0], record[1]) for record in records]
            query = (
                select(event_log.c.position, event_log.c.body, event_log.c.case_id)
                .where(event_log.c.position > after_position)
                .order_by(event_log.c.position)
                .limit(limit)
            )
            every = (await conn.execute(query)).all()
        if not every:
            return None, []
        holds = shard.holds
        return every[-1][0], [(row[0], row[1]) for row in every if holds(row[2])]

    async def last_position(self) -> int:
        async with self._reader.connect() as conn:
            value = (await conn.execute(select(func.max(event_log.c.position)))).scalar()
        return int(value or 0)
