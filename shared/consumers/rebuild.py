"""Rebuild read models from the start of the log into fresh tables, then swap them in.

One pass over the log feeds every projection, each writing through its own ``apply_many``
(the code the live runner uses) into fresh copies of its tables, batch by batch
(``shared.consumers.rebuild_pass``; on PostgreSQL it may be split by case over several
processes, ``shared.consumers.rebuild_shards``). The live tables keep answering meanwhile.
At the end one transaction holds off the live writers, applies what arrived since the pass
began, renames the fresh tables in, drops the old ones and sets each projection's position
to where the rebuild stopped. A live runner that keeps running carries on from there
(projections are idempotent per case sequence).
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.consumers.rebuild_folds import run_all
from shared.consumers.rebuild_pass import (
    Model,
    RebuildableProjection,
    apply_events,
    lowest_positions,
    models_of,
    run_pass,
)
from shared.consumers.rebuild_shards import RebuildSource, ShardedPass, ShardWorkers
from shared.db.swap import (
    FreshTable,
    create_fresh,
    index_fresh,
    lock_live,
    replace_positions,
    swap_in,
)
from shared.log.port import EventLog

__all__ = [
    "Progress",
    "RebuildReport",
    "RebuildSource",
    "RebuildableProjection",
    "ShardedPass",
    "rebuild",
    "rebuild_all",
    "table_checksum",
]


@dataclass(frozen=True)
class Progress:
    events: int
    total: int
    """Records in the log when the rebuild began (an estimate on Kafka)."""
    seconds: float


@dataclass(frozen=True)
class RebuildReport:
    groups: tuple[str, ...]
    events: int
    seconds: float
    checksums: dict[str, str]
    """Per table (empty when the caller asked for none)."""
    caught_up: int = 0
    """Events applied in the swap's transaction (written while the pass ran)."""

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else float("inf")


async def rebuild_all(
    *,
    log: EventLog,
    engine: AsyncEngine,
    projections: Sequence[RebuildableProjection],
    on_progress: Callable[[Progress], None] | None = None,
    before_swap: Callable[[], Awaitable[None]] | None = None,
    batch_events: int = 5000,
    sharded: ShardedPass | None = None,
    checksums: bool = True,
) -> RebuildReport:
    """Rebuild the projections; ``sharded`` splits the pass by case over several processes
    on PostgreSQL (SQLite has one writer at a time: there the pass stays in this one);
    ``checksums``: the report has one per table (``table_checksum``)."""
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        workers: ShardWorkers | None = None
        if sharded is not None and sharded.processes > 1 and engine.dialect.name == "postgresql":
            workers = stack.enter_context(ShardWorkers(sharded, batch_events=batch_events))
        models = models_of(projections)
        every_table = [t for model in models for t in model.tables]
        async with engine.begin() as conn:
            await create_fresh(conn, every_table)
        ends = await log.end_offsets()
        total = sum(max(end - log.first_offset, 0) for end in ends.values())

        def report(applied: int) -> None:
            if on_progress is not None:
                on_progress(Progress(applied, total, time.perf_counter() - started))

        if workers is not None:
            applied = await workers.run(log, engine, models, on_applied=report)
        else:
            applied = await run_pass(
                log, engine, models, batch_events=batch_events, on_batch=report
            )
    await _index_apart(engine, every_table)
    if before_swap is not None:
        await before_swap()
    async with engine.begin() as conn:
        await lock_live(conn, every_table)
        caught_up = 0
        async for batch in log.replay(lowest_positions(models)):
            caught_up += await apply_events(models, batch, conn)
        await swap_in(conn, every_table)
        await replace_positions(conn, _positions(models))
    seconds = time.perf_counter() - started
    if on_progress is not None:
        on_progress(Progress(applied + caught_up, max(total, applied + caught_up), seconds))
    sums = {t.live.name: await table_checksum(engine, t.live) for t in every_table if checksums}
    return RebuildReport(
        groups=tuple(m.projection.group for m in models),
        events=applied + caught_up,
        seconds=seconds,
        checksums=sums,
        caught_up=caught_up,
    )


def _positions(models: Sequence[Model]) -> dict[str, dict[int, int]]:
    """Each rebuilt group's positions, but none for a projection without a live runner
    (``live_runner = False``: a reactor writes its tables live and keeps its own position);
    a position nobody moves on would count as lag for ever."""
    return {
        m.projection.group: m.positions
        for m in models
        if getattr(m.projection, "live_runner", True)
    }


async def rebuild(
    *,
    log: EventLog,
    engine: AsyncEngine,
    projection: RebuildableProjection,
    on_progress: Callable[[Progress], None] | None = None,
) -> RebuildReport:
    """Rebuild one projection (see ``rebuild_all``)."""
    return await rebuild_all(
        log=log, engine=engine, projections=[projection], on_progress=on_progress
    )


async def _index_apart(engine: AsyncEngine, tables: list[FreshTable]) -> None:
    """The fresh tables' secondary indexes; on PostgreSQL each table's in its own
    transaction, all tables at once (the server builds them side by side)."""
    if engine.dialect.name != "postgresql":
        async with engine.begin() as conn:
            await index_fresh(conn, tables)
        return

    async def build(table: FreshTable) -> None:
        async with engine.begin() as conn:
            await index_fresh(conn, [table])

    await run_all(build(table) for table in tables if table.indexes)


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
