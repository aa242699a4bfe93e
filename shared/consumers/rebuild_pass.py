"""The rebuild's pass: the log from its start into every model's fresh tables, batch by batch.

Each log batch is decoded once and handed to every model's ``apply_many`` (the code its live
runner uses). On PostgreSQL each model writes a batch in its own transaction, all models at
once; on SQLite a batch is one transaction. Positions stay in memory until the swap. The
pass runs with the cyclic collector paused, collecting only the young generations every few
batches (``shared.runtime.collection``). A pass over one shard of the cases (another process
takes each other shard) applies only those cases' events.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, Self

from sqlalchemy import MetaData, Table, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.consumers.per_case import CaseStreams, PerCaseProjection, by_case, new_in
from shared.consumers.projection import BatchProjection
from shared.consumers.read_ahead import read_ahead
from shared.consumers.rebuild_folds import fold_together, run_all
from shared.db.swap import FreshTable, fresh_copy
from shared.events.envelope import EventEnvelope
from shared.log.port import Delivery, EventLog, Shard
from shared.runtime.collection import collect_young, collection_paused

COLLECT_EVERY = 250_000
"""Records between collections of the young generations: each collection walks every young
object still alive, the batch read ahead included, so it pays to do it seldom."""


class RebuildableProjection(BatchProjection, Protocol):
    async def apply_many(
        self,
        events: Sequence[EventEnvelope],
        conn: AsyncConnection,
        *,
        new_cases: Collection[str] = (),
    ) -> None:
        """``BatchProjection.apply_many``; ``new_cases`` have nothing stored yet (in the
        pass, the cases whose first event is in the batch), so their rows are not looked
        up."""
        ...

    @property
    def tables(self) -> Sequence[Table]:
        """The tables this projection owns."""
        ...

    def writing_to(self, tables: Mapping[str, Table]) -> Self:
        """The same projection writing into other tables, keyed by the live table's name."""
        ...


@dataclass
class Model:
    """A projection being rebuilt: its fresh tables, the copy writing to them, and how far
    into the log it has got."""

    projection: RebuildableProjection
    tables: list[FreshTable]
    writer: RebuildableProjection
    positions: dict[int, int] = field(default_factory=dict)


def models_of(projections: Sequence[RebuildableProjection]) -> list[Model]:
    """Each projection with fresh copies of its tables (the same names in every process)."""
    metadata = MetaData()
    models = []
    for projection in projections:
        tables = [fresh_copy(table, metadata) for table in projection.tables]
        writer = projection.writing_to({t.live.name: t.fresh for t in tables})
        models.append(Model(projection, tables, writer))
    return models


async def run_pass(
    log: EventLog,
    engine: AsyncEngine,
    models: list[Model],
    *,
    batch_events: int,
    shard: Shard | None = None,
    start: Mapping[int, int] | None = None,
    on_batch: Callable[[int], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> int:
    """Replay the log (or a shard's cases) into the models, from its start or from
    ``start``; returns the events applied. ``on_batch`` gets the running count after each
    batch; the pass ends early, after a batch, once ``stop`` answers True (the models'
    positions say where)."""
    ends = await log.end_offsets() if shard is not None else {}
    applied = 0
    uncollected = 0
    pending: list[Delivery] = []
    with collection_paused():
        async for batch in read_ahead(log.replay(start, shard=shard)):
            pending.extend(batch)
            while len(pending) >= batch_events:
                # A batch of the log's reads may hold several of ours (a pass that is to
                # stop soon applies small ones); the models' positions say what is applied.
                chunk, pending = pending[:batch_events], pending[batch_events:]
                applied += await apply_apart(engine, models, chunk)
                uncollected += len(chunk)
                del chunk
                if uncollected >= COLLECT_EVERY:
                    collect_young()
                    uncollected = 0
                if on_batch is not None:
                    on_batch(applied)
                if stop is not None and stop():
                    return applied
        if pending:
            applied += await apply_apart(engine, models, pending)
    for model in models:
        # A shard has seen every record of its cases before the end the log had when its
        # pass began, whether or not the last of those records were its own.
        _reach(model.positions, ends)
    return applied


def lowest_positions(models: list[Model]) -> dict[int, int]:
    """Per partition, the lowest position of any model: every model has applied the
    records before it."""
    lowest: dict[int, int] = {}
    for model in models:
        for partition, offset in model.positions.items():
            lowest[partition] = min(lowest.get(partition, offset), offset)
    return lowest


def _reach(positions: dict[int, int], ends: Mapping[int, int]) -> None:
    for partition, end in ends.items():
        positions[partition] = max(positions.get(partition, 0), end)


async def apply_events(
    models: list[Model], batch: Sequence[Delivery], conn: AsyncConnection, *, in_pass: bool = False
) -> int:
    """Apply the records each model has not seen yet; returns how many events were new.
    ``in_pass``: the rebuild's pass, the one writer of the fresh tables, which has applied
    every earlier record of the log and none of the batch's (see ``new_in``); not so at
    the swap, which applies again records the pass may have applied."""
    chosen = _new_events(models, batch)
    grouped = _Grouped(in_pass=in_pass)
    for model, events in chosen:
        if events:
            await _apply(model.writer, events, conn, grouped)
    return max((len(events) for _, events in chosen), default=0)


async def apply_apart(engine: AsyncEngine, models: list[Model], batch: Sequence[Delivery]) -> int:
    """``apply_events`` for the pass. On PostgreSQL each model writes in its own transaction
    on its own connection, all at once: while the server stores one model's rows, the next
    model folds its events. (Positions stay in memory until the swap, and every model
    writes only its own fresh tables, so nothing needs the models' writes in one
    transaction.) SQLite has one writer at a time: one transaction for the batch there."""
    if engine.dialect.name != "postgresql":
        async with engine.begin() as conn:
            return await apply_events(models, batch, conn, in_pass=True)
    chosen = [(model, events) for model, events in _new_events(models, batch) if events]
    applied = max((len(events) for _, events in chosen), default=0)
    grouped = _Grouped(in_pass=True)

    async def write(model: Model, events: list[EventEnvelope]) -> None:
        async with engine.begin() as conn:
            await _rebuild_settings(conn)
            await _apply(model.writer, events, conn, grouped)

    folding = [(m.writer, e) for m, e in chosen if isinstance(m.writer, PerCaseProjection)]
    steps: list[Awaitable[None]] = []
    if len(folding) > 1 and all(events is folding[0][1] for _, events in folding):
        # The usual case: the models that fold cases take the same events, case by case.
        streams, new_cases = grouped(folding[0][1])
        writers = [writer for writer, _ in folding]
        steps.append(
            fold_together(engine, writers, streams, new_cases=new_cases, prepare=_rebuild_settings)
        )
        chosen = [(m, e) for m, e in chosen if m.writer not in writers]
    steps.extend(write(model, events) for model, events in chosen)
    await run_all(steps)
    return applied


class _Grouped:
    """Events by case (``by_case``) and the new cases among them, worked out once per list
    of events: the models of a pass are handed the same list, and most of them group it by
    case. Outside the pass no case counts as new."""

    def __init__(self, *, in_pass: bool) -> None:
        self._in_pass = in_pass
        self._streams: dict[int, tuple[list[EventEnvelope], CaseStreams, frozenset[str]]] = {}

    def __call__(self, events: list[EventEnvelope]) -> tuple[CaseStreams, frozenset[str]]:
        known = self._streams.get(id(events))
        if known is not None and known[0] is events:
            return known[1], known[2]
        streams = by_case(events)
        new = new_in(streams) if self._in_pass else frozenset()
        self._streams[id(events)] = (events, streams, new)  # the list kept: its id stays its own
        return streams, new


async def _apply(
    writer: RebuildableProjection,
    events: list[EventEnvelope],
    conn: AsyncConnection,
    grouped: _Grouped,
) -> None:
    """The writer's ``apply_cases`` on the events by case when it has one (a fold of each
    case's events), else its ``apply_many``; either is told which cases are new."""
    streams, new_cases = grouped(events)
    apply_cases: ApplyCases | None = getattr(writer, "apply_cases", None)
    if apply_cases is not None:
        await apply_cases(streams, conn, new_cases=new_cases)
    else:
        await writer.apply_many(events, conn, new_cases=new_cases)


class ApplyCases(Protocol):
    def __call__(
        self, cases: CaseStreams, conn: AsyncConnection, *, new_cases: Collection[str] = ()
    ) -> Awaitable[None]: ...


def _new_events(
    models: list[Model], batch: Sequence[Delivery]
) -> list[tuple[Model, list[EventEnvelope]]]:
    """Each model's records of the batch it has not seen yet (its positions move past them)."""
    span = _span(batch)
    chosen: list[tuple[Model, list[EventEnvelope]]] = []
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
    for delivery in batch:
        partition, offset = delivery.position
        previous = last.get(partition)
        if previous is None:
            first[partition] = offset
        elif offset <= previous:
            return None
        last[partition] = offset
    # Poison records were parked by the live consumers.
    events = [delivery.event for delivery in batch if delivery.event is not None]
    return _Span(first, {p: offset + 1 for p, offset in last.items()}, events)


def _unseen(model: Model, batch: Sequence[Delivery]) -> list[EventEnvelope]:
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


LOCAL_SETTINGS = text(
    "SELECT set_config('enable_seqscan', 'off', true),"
    " set_config('synchronous_commit', 'off', true)"
)
"""``SET LOCAL`` of the rebuild's two settings, in one statement (``_rebuild_settings``)."""


async def _rebuild_settings(conn: AsyncConnection) -> None:
    """The fresh tables have no statistics until autovacuum gets to them, so PostgreSQL
    would plan their lookups of a batch's keys as sequential scans of ever larger tables;
    inside the rebuild's own transactions, keyed lookups use the primary keys. Their
    commits need not wait for the disk either: after a crash of the server the next rebuild
    drops the fresh tables and starts again, and the swap's commit is a durable one."""
    if conn.dialect.name == "postgresql":
        await conn.execute(LOCAL_SETTINGS)
