"""The embedded log: a durable SQLite event store in one process (``make run``).

There is one partition (0); a record's offset is its global position in the store.
Subscribers wait on an event the writer sets after every commit, so nothing polls in the
ordinary case; a slow poll covers writes by another process, or a quick look for them
(``OtherWriters``) when ``watch_seconds`` is set.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence

from shared.db.engine import is_sqlite, make_engine, make_sqlite_reader, sqlite_file
from shared.events.codec import PoisonEvent, decode
from shared.events.envelope import EventEnvelope
from shared.log.checkpoint import WalCheckpointer
from shared.log.other_writers import OtherWriters
from shared.log.port import (
    ANY_VERSION,
    AppendRequest,
    AppendResult,
    BatchOutcome,
    Delivery,
    EventLog,
    Position,
    PositionLoader,
    Shard,
    Subscription,
)
from shared.log.sql_requests import Committed
from shared.log.sql_store import SqlEventStore
from shared.log.tail import RecentRecords

PARTITION = 0
LINGER_BELOW = 64
"""A batch from memory smaller than this waits ``linger_seconds`` once for more."""


def to_delivery(position: int, body: bytes) -> Delivery:
    try:
        event = decode(body)
    except PoisonEvent as exc:
        return Delivery(Position(PARTITION, position), body, None, str(exc), None)
    return Delivery(Position(PARTITION, position), body, event, None, event.case_id)


class EmbeddedLog(EventLog):
    first_offset = 1  # offsets are the store's row positions

    def __init__(
        self,
        url: str,
        *,
        batch_size: int = 500,
        replay_batch_size: int = 5000,
        poll_seconds: float = 1.0,
        recent_records: int = 5_000,
        linger_seconds: float = 0.0,
        checkpoint_seconds: float = 1.0,
        watch_seconds: float = 0.0,
    ) -> None:
        database = sqlite_file(url)
        self.checkpointer = (
            WalCheckpointer(database, every=checkpoint_seconds) if database is not None else None
        )
        self._engine = make_engine(
            url, durable=True, checkpoints_elsewhere=self.checkpointer is not None
        )
        self._reader = make_sqlite_reader(url) if is_sqlite(url) else None
        self._changed = asyncio.Event()
        self.batch_size = batch_size
        self.replay_batch_size = replay_batch_size
        self._poll_seconds = poll_seconds
        self.linger_seconds = linger_seconds
        """How long a caught-up subscriber lets commits gather after the next one."""
        self.commits = 0
        self.recent = RecentRecords(capacity=recent_records, partition=PARTITION)
        self.store = SqlEventStore(
            self._engine, on_commit=self._committed, read_engine=self._reader
        )
        self.other_writers = (
            OtherWriters(
                database,
                every=watch_seconds,
                known=lambda: self.recent.last,
                wake=self.wake_subscribers,
            )
            if database is not None and watch_seconds > 0
            else None
        )
        """Watches for commits by other processes on the file (``watch_seconds`` > 0)."""

    async def start(self) -> None:
        await self.store.start()
        if self.checkpointer is not None:
            self.checkpointer.start()
        if self.other_writers is not None:
            self.other_writers.start()

    async def close(self) -> None:
        if self.other_writers is not None:
            await self.other_writers.stop()
        await self.store.close()
        await self._engine.dispose()
        if self.checkpointer is not None:
            await self.checkpointer.stop()
        if self._reader is not None:
            await self._reader.dispose()

    def _committed(self, committed: Committed) -> None:
        if committed.first is not None:
            self.recent.add(committed.first, committed.events, committed.bodies)
        self.wake_subscribers()

    def wake_subscribers(self) -> None:
        """Something was committed: subscribers waiting for it read again (the event of this
        commit is set, and the next commit gets a fresh one: no task, no lock per commit)."""
        self.commits += 1
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def wait_for_change(self, *, seen: int) -> bool:
        """Return once a commit newer than ``seen`` happened (True) or after the poll
        interval (False: only a write by another process could have happened)."""
        if self.commits != seen:
            return True
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._poll_seconds):
                await self._changed.wait()
        return self.commits != seen

    async def append(
        self,
        case_id: str,
        events: Sequence[EventEnvelope],
        *,
        expected_version: int | None = ANY_VERSION,
        idempotency_key: str | None = None,
        fingerprint: str | None = None,
    ) -> AppendResult:
        return await self.store.append(
            case_id,
            events,
            expected_version=expected_version,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
        )

    async def append_batch(self, requests: Sequence[AppendRequest]) -> list[BatchOutcome]:
        return await self.store.append_batch(requests)

    async def read_stream(self, case_id: str, *, after: int = 0) -> list[EventEnvelope]:
        # Which records the stream has comes from the store; those still in memory need no
        # decoding (an event once at a position stays there).
        records = await self.store.read_stream_records(case_id, after=after)
        recent = self.recent
        return [recent.event_at(position) or decode(body) for position, body in records]

    async def read_stream_until(self, case_id: str, *, until: int) -> list[EventEnvelope]:
        known = self.recent.prefix(case_id, until=until)
        if known is not None:
            return known
        return await super().read_stream_until(case_id, until=until)

    async def read_streams(self, case_ids: Sequence[str]) -> dict[str, list[EventEnvelope]]:
        records = await self.store.read_streams_records(case_ids)
        event_at = self.recent.event_at
        return {
            case_id: [event_at(position) or decode(body) for position, body in rows]
            for case_id, rows in records.items()
        }

    def subscribe(
        self, group: str, *, positions: PositionLoader, linger_seconds: float | None = None
    ) -> Subscription:
        linger = self.linger_seconds if linger_seconds is None else linger_seconds
        subscription = EmbeddedSubscription(self, group=group, positions=positions, linger=linger)
        self.consumers.opened(subscription)
        return subscription

    async def replay(
        self, start: Mapping[int, int] | None = None, *, shard: Shard | None = None
    ) -> AsyncIterator[list[Delivery]]:
        end = await self.store.last_position()
        after = (start or {}).get(PARTITION, self.first_offset) - 1
        limit = self.replay_batch_size
        while after < end:
            if shard is None:
                rows = await self.store.read_from(after, limit=limit)
                last = rows[-1][0] if rows else None
            else:
                last, rows = await self.store.read_shard_from(
                    after, limit=limit, shard=shard, end=end
                )
            if last is None:
                return
            after = last
            rows = [row for row in rows if row[0] <= end]
            if rows:
                yield [to_delivery(position, body) for position, body in rows]

    async def end_offsets(self) -> dict[int, int]:
        return {PARTITION: await self.store.last_position() + 1}

    async def dead_letter(self, delivery: Delivery, *, group: str, reason: str) -> None:
        await self.store.park(delivery, group=group, reason=reason)


class EmbeddedSubscription(Subscription):
    def __init__(
        self, log: EmbeddedLog, *, group: str, positions: PositionLoader, linger: float
    ) -> None:
        self._log = log
        self._linger = linger
        self.group = self._group = group
        self._positions = positions
        self._closed = False

    async def batches(self) -> AsyncIterator[list[Delivery]]:
        stored = await self._positions.load(self._group)
        after = stored.get(PARTITION, 1) - 1
        polled = True
        lingered = False
        while not self._closed:
            seen = self._log.commits
            recent = self._log.recent.after(after, limit=self._log.batch_size)
            if recent is not None:  # just committed in this process: taken as recorded
                if len(recent) < LINGER_BELOW and not lingered and self._linger:
                    # Under load commits come every few milliseconds, and a batch of one
                    # or two cost each consumer its per-batch work (a transaction, its
                    # positions) per commit: let a few more gather, once per batch.
                    lingered = True
                    await asyncio.sleep(self._linger)
                    continue
                lingered = False
                after = recent[-1].position.offset
                yield recent
                continue
            # Caught up with this process's own commits, and no poll interval passed since:
            # nothing new can be in the store, so wait instead of reading.
            if polled or after != self._log.recent.last:
                rows = await self._log.store.read_from(after, limit=self._log.batch_size)
                if rows:
                    after = rows[-1][0]
                    yield [to_delivery(position, body) for position, body in rows]
                    continue
            tail = self._log.recent.last
            changed = await self._log.wait_for_change(seen=seen)
            # A wake-up that brought nothing into memory (a poll, or a write made without
            # the writer) sends the next turn to the store.
            polled = not changed or self._log.recent.last == tail

    async def commit(self, deliveries: Sequence[Delivery]) -> None:
        """Positions live with the consumer's effects; the embedded log keeps none."""

    def stop(self) -> None:
        self._closed = True  # the wait for new commits ends within the poll interval

    async def close(self) -> None:
        self._closed = True
        self._log.consumers.closed(self)
