"""This log's side of ``bench/peers.py``: the workloads through the public log port only.

The log is ``EmbeddedLog`` (the SQL event store) on a SQLite file (WAL, ``synchronous=FULL``:
the durable engine of ``shared.db.engine``) or on a PostgreSQL database (server defaults).
Appends are fenced as a new stream (``expected_version=NO_STREAM``). Reads and the rebuild
go through a log opened afresh, so that none of it is answered from the window of records
the writer keeps in memory. The count projection is rebuilt the project's way: ``rebuild_all``
(``services.replay``'s path: fresh table, one pass, swap, positions).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection, Mapping, Sequence

from sqlalchemy import BigInteger, Column, MetaData, String, Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bench.peers_events import BenchEvent
from shared.consumers.rebuild import rebuild_all
from shared.db.engine import make_engine
from shared.db.schema import consumer_positions
from shared.events.envelope import EventEnvelope
from shared.log.embedded import EmbeddedLog
from shared.log.port import NO_STREAM, AppendRequest, EventLog

PRODUCER = "bench-peers"
COUNTS = Table(
    "bench_event_counts",
    MetaData(),
    Column("event_type", String(100), primary_key=True),
    Column("events", BigInteger, nullable=False),
)


class CountProjection:
    """Events per type: the simplest read model a rebuild can make."""

    group = "bench-event-counts"

    def __init__(self, table: Table = COUNTS) -> None:
        self._table = table

    @property
    def tables(self) -> Sequence[Table]:
        return (self._table,)

    def writing_to(self, tables: Mapping[str, Table]) -> CountProjection:
        return CountProjection(tables[COUNTS.name])

    async def apply(self, event: EventEnvelope, conn: AsyncConnection) -> None:
        await self.apply_many([event], conn)

    async def apply_many(
        self,
        events: Sequence[EventEnvelope],
        conn: AsyncConnection,
        *,
        new_cases: Collection[str] = (),
    ) -> None:
        counts = Counter(event.event_type for event in events)
        if not counts:
            return
        rows = [{"event_type": kind, "events": n} for kind, n in counts.items()]
        statement = insert(self._table).values(rows)
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=[self._table.c.event_type],
                set_={"events": self._table.c.events + statement.excluded.events},
            )
        )


def envelope(event: BenchEvent) -> EventEnvelope:
    event_id = uuid.uuid4()
    return EventEnvelope(
        event_id=event_id,
        event_type=event.event_type,
        schema_version=1,
        case_id=str(event.stream_id),
        occurred_at=event.occurred_at,
        correlation_id=event_id,
        producer=PRODUCER,
        payload=event.payload,
    )


class OurSide:
    name = "this log"

    def __init__(self, log_url: str, projection_url: str) -> None:
        self._log_url = log_url
        self._projection_url = projection_url
        self._log: EventLog | None = None
        self._engine: AsyncEngine | None = None

    async def open(self) -> None:
        await self.reopen()
        self._engine = make_engine(self._projection_url, durable=False)
        async with self._engine.begin() as conn:
            await conn.run_sync(lambda sync: COUNTS.create(sync, checkfirst=True))
            await conn.run_sync(lambda sync: consumer_positions.create(sync, checkfirst=True))

    @property
    def log(self) -> EventLog:
        assert self._log is not None, "open() first"
        return self._log

    def prepare(self, events: Sequence[BenchEvent]) -> list[EventEnvelope]:
        return [envelope(event) for event in events]

    async def append_lone(self, prepared: list[EventEnvelope]) -> None:
        for event in prepared:
            await self.log.append(event.case_id, [event], expected_version=NO_STREAM)

    async def append_batched(self, prepared: list[EventEnvelope], per_commit: int) -> None:
        for start in range(0, len(prepared), per_commit):
            requests = [
                AppendRequest(event.case_id, [event], expected_version=NO_STREAM)
                for event in prepared[start : start + per_commit]
            ]
            outcomes = await self.log.append_batch(requests)
            refused = [o for o in outcomes if isinstance(o, Exception)]
            if refused:
                raise RuntimeError(f"{len(refused)} appends refused: {refused[0]}")

    async def reopen(self) -> None:
        if self._log is not None:
            await self._log.close()
        self._log = EmbeddedLog(self._log_url)
        await self._log.start()

    async def read_each(self, stream_ids: Sequence[uuid.UUID]) -> int:
        read = 0
        for stream_id in stream_ids:
            read += len(await self.log.read_stream(str(stream_id)))
        return read

    async def rebuild_counts(self) -> dict[str, int]:
        assert self._engine is not None
        await rebuild_all(
            log=self.log, engine=self._engine, projections=[CountProjection()], checksums=False
        )
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(COUNTS.c.event_type, COUNTS.c.events))
            return {str(kind): int(n) for kind, n in rows}

    async def close(self) -> None:
        if self._log is not None:
            await self._log.close()
        if self._engine is not None:
            await self._engine.dispose()
