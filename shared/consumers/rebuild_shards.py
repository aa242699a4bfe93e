"""The rebuild's pass split by case over several processes (PostgreSQL).

Every read model's rows are a fold of single cases' events, so the cases can be divided
(``Shard``: a stable hash of the case id) and each share replayed, decoded, folded and
written by its own process: this one takes the first shard, worker processes (started
with ``spawn``) the others. Each worker reads its cases' records from the log itself and
writes into the same fresh tables; it opens the log, the database and the same
projections through a picklable ``RebuildSource``. The models' positions of the shards are
merged (per partition the lowest: every record before it was applied by its shard).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
import traceback
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from typing import Protocol, Self

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.consumers.rebuild_pass import (
    Model,
    RebuildableProjection,
    lowest_positions,
    models_of,
    run_pass,
)
from shared.log.port import EventLog, Shard

Opened = tuple[EventLog, AsyncEngine, Sequence[RebuildableProjection]]

ALONE_BATCH = 2000
"""Events per batch while this process replays every case alone: it hands over to the
workers after a batch, so a worker that is ready waits at most one small batch."""


class RebuildSource(Protocol):
    """Opens the log, the read-model database and the projections being rebuilt, in any
    process (it is pickled to the workers: a module-level class holding plain settings)."""

    def open(self) -> AbstractAsyncContextManager[Opened]: ...


@dataclass(frozen=True)
class ShardedPass:
    """Split the pass over ``processes`` processes (this one and ``processes - 1`` workers)."""

    processes: int
    source: RebuildSource


@dataclass(frozen=True)
class _Outcome:
    applied: int
    positions: dict[str, dict[int, int]]
    """Per group, the positions the shard reached."""


@dataclass
class _Progress:
    """What the workers have reported so far."""

    ready: set[int] = field(default_factory=set)
    applied: dict[int, int] = field(default_factory=dict)
    outcomes: dict[int, _Outcome] = field(default_factory=dict)
    failures: dict[int, str] = field(default_factory=dict)

    def take(self, message: tuple[str, int, object]) -> None:
        kind, index, value = message
        if kind == "ready":
            self.ready.add(index)
        elif kind == "applied" and isinstance(value, int):
            self.applied[index] = value
        elif kind == "done" and isinstance(value, _Outcome):
            self.applied[index] = value.applied
            self.outcomes[index] = value
        else:
            self.failures[index] = str(value)


class ShardWorkers:
    """The worker processes of a sharded pass. They are started first, but a spawned
    process takes a moment (a second or two) to import the code and open its connections:
    until every worker is ready, this process replays every case alone; then each process
    takes its shard from where that left off (the workers read the state of their cases
    the pass has stored so far, as a live runner would). Leaving the context stops any
    worker still running."""

    def __init__(self, sharded: ShardedPass, *, batch_events: int) -> None:
        self._count = sharded.processes
        context = multiprocessing.get_context("spawn")
        self._messages: Queue[tuple[str, int, object]] = context.Queue()
        self._starts: Queue[dict[int, int]] = context.Queue()
        self._batch_events = batch_events
        self._workers = [
            context.Process(
                target=_worker_main,
                args=(
                    sharded.source,
                    Shard(index, self._count),
                    batch_events,
                    self._starts,
                    self._messages,
                ),
                name=f"rebuild-shard-{index}",
                daemon=True,
            )
            for index in range(1, self._count)
        ]

    def __enter__(self) -> Self:
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *_: object) -> None:
        for worker in self._workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()
        self._messages.close()
        self._starts.close()

    async def run(
        self,
        log: EventLog,
        engine: AsyncEngine,
        models: list[Model],
        *,
        on_applied: Callable[[int], None] | None = None,
    ) -> int:
        """The pass: every case here until the workers are ready, then each shard in its
        process (this one takes the first); returns the events applied. The models'
        positions end where every shard has got to. ``on_applied`` gets the running count
        of all processes."""
        progress = _Progress()

        def report(own: int) -> None:
            _drain(self._messages, progress)
            self._raise_failure(progress)  # at once: the others' work would be lost anyway
            if on_applied is not None:
                on_applied(own + sum(progress.applied.values()))

        alone = await run_pass(
            log,
            engine,
            models,
            batch_events=min(self._batch_events, ALONE_BATCH),
            on_batch=report,
            stop=lambda: len(progress.ready) == len(self._workers),
        )
        start = lowest_positions(models)
        for _ in self._workers:
            self._starts.put(start)
        own = alone + await run_pass(
            log,
            engine,
            models,
            batch_events=self._batch_events,
            shard=Shard(0, self._count),
            start=start,
            on_batch=lambda applied: report(alone + applied),
        )
        while not self._settled(progress):
            report(own)
            await asyncio.sleep(0.01)
        self._raise_failure(progress)
        for model in models:
            for outcome in progress.outcomes.values():
                _merge(model.positions, outcome.positions.get(model.projection.group, {}))
        return own + sum(outcome.applied for outcome in progress.outcomes.values())

    def _settled(self, progress: _Progress) -> bool:
        """Every worker has reported its outcome or a failure (one that exited without a
        word counts as failed). A worker's last message is in the queue before it exits."""
        exited = [worker.exitcode is not None for worker in self._workers]
        _drain(self._messages, progress)
        for index, gone in enumerate(exited, start=1):
            if index in progress.outcomes or index in progress.failures:
                continue
            if not gone:
                return False
            code = self._workers[index - 1].exitcode
            progress.failures[index] = f"the worker exited with code {code}"
        return True

    def _raise_failure(self, progress: _Progress) -> None:
        if progress.failures:
            index, reason = min(progress.failures.items())
            raise RuntimeError(f"rebuild shard {index} of {self._count} failed: {reason}")


def _drain(messages: Queue[tuple[str, int, object]], progress: _Progress) -> None:
    while True:
        try:
            progress.take(messages.get_nowait())
        except queue.Empty:
            return


def _merge(positions: dict[int, int], other: dict[int, int]) -> None:
    """Per partition the lower of two shards' positions."""
    for partition in positions.keys() | other.keys():
        positions[partition] = min(positions.get(partition, 0), other.get(partition, 0))


def _worker_main(
    source: RebuildSource,
    shard: Shard,
    batch_events: int,
    starts: Queue[dict[int, int]],
    messages: Queue[tuple[str, int, object]],
) -> None:
    """A worker process: says it is ready, then replays its shard from the positions it
    is given; its outcome (or failure) goes to ``messages``."""
    try:
        outcome = asyncio.run(_worker_pass(source, shard, batch_events, starts, messages))
    except BaseException:
        messages.put(("failed", shard.index, traceback.format_exc()))
    else:
        messages.put(("done", shard.index, outcome))


async def _worker_pass(
    source: RebuildSource,
    shard: Shard,
    batch_events: int,
    starts: Queue[dict[int, int]],
    messages: Queue[tuple[str, int, object]],
) -> _Outcome:
    async with source.open() as (log, engine, projections):
        models = models_of(projections)
        messages.put(("ready", shard.index, None))
        start = await asyncio.to_thread(starts.get)
        for model in models:
            model.positions.update(start)
        applied = await run_pass(
            log,
            engine,
            models,
            batch_events=batch_events,
            shard=shard,
            start=start,
            on_batch=lambda count: messages.put(("applied", shard.index, count)),
        )
        return _Outcome(applied, {m.projection.group: dict(m.positions) for m in models})
