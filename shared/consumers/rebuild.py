"""Rebuild read models from the start of the log into fresh tables, then swap them in.

One pass over the log feeds every projection, each writing through its own ``apply_many``
(the code the live runner uses) into fresh copies of its tables, batch by batch. The live
tables keep answering meanwhile. At the end one transaction holds off the live writers,
applies what arrived since the pass began, renames the fresh tables in, drops the old
ones and sets each projection's position to where the rebuild stopped. A live runner that
keeps running carries on from there (projections are idempotent per case sequence). The
pass runs with the cyclic collector paused, collecting only the young generations every
few batches (``shared.runtime.collection``).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, Self

import orjson
from sqlalchemy import MetaData, Table, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.consumers.projection import BatchProjection
from shared.consumers.read_ahead import read_ahead
from shared.db.swap import (
    FreshTable,
    create_fresh,
    fresh_copy,
    index_fresh,
    lock_live,
    replace_positions,
    swap_in,
)
from shared.events.envelope import EventEnvelope
from shared.log.port import Delivery, EventLog
from shared.runtime.collection import collect_young, collection_paused

COLLECT_EVERY = 50_000
"""Records between collections of the young generations: each collection walks every young
object still alive, the batch read ahead included, so it pays to do it seldom."""


class RebuildableProjection(BatchProjection, Protocol):
    @property
    def tables(self) -> Sequence[Table]:
        """The tables this projection owns."""
        ...

    def writing_to(self, tables: Mapping[str, Table]) -> Self:
        """The same projection writing into other tables, keyed by the live table's name."""
        ...


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
    caught_up: int = 0
    """Events applied in the swap's transaction (written while the pass ran)."""

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else float("inf")


@dataclass
class _Model:
    projection: RebuildableProjection
    tables: list[FreshTable]
    writer: RebuildableProjection
    positions: dict[int, int] = field(default_factory=dict)


async def rebuild_all(
    *,
    log: EventLog,
    engine: AsyncEngine,
    projections: Sequence[RebuildableProjection],
    on_progress: Callable[[Progress], None] | None = None,
    before_swap: Callable[[], Awaitable[None]] | None = None,
    batch_events: int = 5000,
) -> RebuildReport:
    started = time.perf_counter()
    metadata = MetaData()
    models = []
    for projection in projections:
        tables = [fresh_copy(table, metadata) for table in projection.tables]
        writer = projection.writing_to({t.live.name: t.fresh for t in tables})
        models.append(_Model(projection, tables, writer))
    every_table = [t for model in models for t in model.tables]
    async with engine.begin() as conn:
        await create_fresh(conn, every_table)
    ends = await log.end_offsets()
    total = sum(max(end - log.first_offset, 0) for end in ends.values())
    applied = 0
    uncollected = 0
    pending: list[Delivery] = []
    with collection_paused():
        async for batch in read_ahead(log.replay()):
            pending.extend(batch)
            if len(pending) < batch_events:
                continue
            applied += await _apply_apart(engine, models, pending)
            uncollected += len(pending)
            pending = []
            if uncollected >= COLLECT_EVERY:
                collect_young()
                uncollected = 0
            if on_progress is not None:
                on_progress(Progress(applied, total, time.perf_counter() - started))
        if pending:
            applied += await _apply_apart(engine, models, pending)
    await _index_apart(engine, every_table)
    if before_swap is not None:
        await before_swap()
    async with engine.begin() as conn:
        await lock_live(conn, every_table)
        caught_up = 0
        async for batch in log.replay(_earliest(models)):
            caught_up += await _apply(models, batch, conn)
        await swap_in(conn, every_table)
        await replace_positions(conn, {m.projection.group: m.positions for m in models})
    seconds = time.perf_counter() - started
    if on_progress is not None:
        on_progress(Progress(applied + caught_up, max(total, applied + caught_up), seconds))
    checksums = {t.live.name: await table_checksum(engine, t.live) for t in every_table}
    return RebuildReport(
        groups=tuple(m.projection.group for m in models),
        events=applied + caught_up,
        seconds=seconds,
        checksums=checksums,
        caught_up=caught_up,
    )


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


async def _apply(models: list[_Model], batch: Sequence[Delivery], conn: AsyncConnection) -> int:
    """Apply the records each model has not seen yet; returns how many events were new."""
    chosen = _new_events(models, batch)
    for model, events in chosen:
        if events:
            await model.writer.apply_many(events, conn)
    return max((len(events) for _, events in chosen), default=0)


async def _apply_apart(engine: AsyncEngine, models: list[_Model], batch: Sequence[Delivery]) -> int:
    """``_apply`` for the pass. On PostgreSQL each model writes in its own transaction on its
    own connection, all at once: while the server stores one model's rows, the next model
    folds its events. (Positions stay in memory until the swap, and every model writes
    only its own fresh tables, so nothing needs the models' writes in one transaction.)
    SQLite has one writer at a time: one transaction for the batch there."""
    if engine.dialect.name != "postgresql":
        async with engine.begin() as conn:
            return await _apply(models, batch, conn)
    chosen = [(model, events) for model, events in _new_events(models, batch) if events]

    async def write(model: _Model, events: list[EventEnvelope]) -> None:
        async with engine.begin() as conn:
            await _prefer_indexes(conn)
            await model.writer.apply_many(events, conn)

    await _all(write(model, events) for model, events in chosen)
    return max((len(events) for _, events in chosen), default=0)


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

    await _all(build(table) for table in tables if table.indexes)


async def _all(steps: Iterable[Awaitable[None]]) -> None:
    """Run the steps at once; the first failure is raised once every step has ended."""
    outcomes = await asyncio.gather(*steps, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


def _new_events(
    models: list[_Model], batch: Sequence[Delivery]
) -> list[tuple[_Model, list[EventEnvelope]]]:
    """Each model's records of the batch it has not seen yet (its positions move past them)."""
    span = _span(batch)
    chosen: list[tuple[_Model, list[EventEnvelope]]] = []
    for model in models:
        if span is not None and span.all_new(model.positions):
            events = span.events  # the usual case: the batch follows on the model's position
            model.positions.update(span.next_positions)
        else:
            events = _unseen(model, batch)
        chosen.append((model, events))
    return chosen


@dataclass(frozen=True)
class _Span:
    """A batch whose offsets rise within each partition: its events and where it ends."""

    first: dict[int, int]
    next_positions: dict[int, int]
    events: list[EventEnvelope]

    def all_new(self, positions: Mapping[int, int]) -> bool:
        return all(offset >= positions.get(p, 0) for p, offset in self.first.items())


def _span(batch: Sequence[Delivery]) -> _Span | None:
    """The batch's span, or None when some partition's offsets do not rise."""
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    events: list[EventEnvelope] = []
    for delivery in batch:
        partition, offset = delivery.position.partition, delivery.position.offset
        previous = last.get(partition)
        if previous is None:
            first[partition] = offset
        elif offset <= previous:
            return None
        last[partition] = offset
        if delivery.event is not None:  # poison was parked by the live consumers
            events.append(delivery.event)
    return _Span(first, {p: offset + 1 for p, offset in last.items()}, events)


def _unseen(model: _Model, batch: Sequence[Delivery]) -> list[EventEnvelope]:
    """The batch's events past the model's positions (which move past them)."""
    events: list[EventEnvelope] = []
    for delivery in batch:
        partition, offset = delivery.position.partition, delivery.position.offset
        if offset < model.positions.get(partition, 0):
            continue
        model.positions[partition] = offset + 1
        if delivery.event is not None:  # poison was parked by the live consumers
            events.append(delivery.event)
    return events


async def _prefer_indexes(conn: AsyncConnection) -> None:
    """The fresh tables have no statistics until autovacuum gets to them, so PostgreSQL
    would plan their lookups of a batch's keys as sequential scans of ever larger tables;
    inside the rebuild's own transactions, keyed lookups use the primary keys."""
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SET LOCAL enable_seqscan = off"))


def _earliest(models: list[_Model]) -> dict[int, int]:
    earliest: dict[int, int] = {}
    for model in models:
        for partition, offset in model.positions.items():
            earliest[partition] = min(earliest.get(partition, offset), offset)
    return earliest


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
