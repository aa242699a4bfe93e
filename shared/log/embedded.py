"""The embedded log: a durable SQLite event store in one process (``make run``).

There is one partition (0); a record's offset is its global position in the store.
Subscribers wait on a condition the writer notifies after every commit, so nothing polls
in the ordinary case (a slow poll covers writes by another process).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence

from shared.db.engine import make_engine
from shared.events.codec import PoisonEvent, decode
from shared.events.envelope import EventEnvelope
from shared.log.port import (
    ANY_VERSION,
    AppendRequest,
    AppendResult,
    BatchOutcome,
    Delivery,
    EventLog,
    Position,
    PositionLoader,
    Subscription,
)
from shared.log.sql_store import SqlEventStore

PARTITION = 0


def to_delivery(position: int, body: bytes) -> Delivery:
    try:
        event: EventEnvelope | None = decode(body)
        error = None
    except PoisonEvent as exc:
        event, error = None, str(exc)
    key = event.case_id if event else None
    return Delivery(Position(PARTITION, position), body, event, error, key)


class EmbeddedLog(EventLog):
    first_offset = 1  # offsets are the store's row positions

    def __init__(
        self,
        url: str,
        *,
        batch_size: int = 500,
        replay_batch_size: int = 5000,
        poll_seconds: float = 1.0,
    ) -> None:
        self._engine = make_engine(url, durable=True)
        self._changed = asyncio.Condition()
        self.batch_size = batch_size
        self.replay_batch_size = replay_batch_size
        self._poll_seconds = poll_seconds
        self.commits = 0
        self.store = SqlEventStore(self._engine, on_commit=self._notify)

    async def start(self) -> None:
        await self.store.start()

    async def close(self) -> None:
        await self.store.close()
        await self._engine.dispose()

    def _notify(self) -> None:
        self.commits += 1
        asyncio.get_running_loop().create_task(self._wake_all())

    async def _wake_all(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for_change(self, *, seen: int) -> None:
        """Return once a commit newer than ``seen`` happened (or after the poll interval)."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_seconds):
                    await self._changed.wait_for(lambda: self.commits != seen)

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
        return await self.store.read_stream(case_id, after=after)

    async def read_streams(self, case_ids: Sequence[str]) -> dict[str, list[EventEnvelope]]:
        return await self.store.read_streams(case_ids)

    def subscribe(self, group: str, *, positions: PositionLoader) -> Subscription:
        subscription = EmbeddedSubscription(self, group=group, positions=positions)
        self.consumers.opened(subscription)
        return subscription

    async def replay(self, start: Mapping[int, int] | None = None) -> AsyncIterator[list[Delivery]]:
        end = await self.store.last_position()
        after = (start or {}).get(PARTITION, self.first_offset) - 1
        while after < end:
            rows = await self.store.read_from(after, limit=self.replay_batch_size)
            rows = [row for row in rows if row[0] <= end]
            if not rows:
                return
            after = rows[-1][0]
            yield [to_delivery(position, body) for position, body in rows]

    async def end_offsets(self) -> dict[int, int]:
        return {PARTITION: await self.store.last_position() + 1}

    async def dead_letter(self, delivery: Delivery, *, group: str, reason: str) -> None:
        await self.store.park(delivery, group=group, reason=reason)


class EmbeddedSubscription(Subscription):
    def __init__(self, log: EmbeddedLog, *, group: str, positions: PositionLoader) -> None:
        self._log = log
        self.group = self._group = group
        self._positions = positions
        self._closed = False

    async def batches(self) -> AsyncIterator[list[Delivery]]:
        stored = await self._positions.load(self._group)
        after = stored.get(PARTITION, 1) - 1
        while not self._closed:
            seen = self._log.commits
            rows = await self._log.store.read_from(after, limit=self._log.batch_size)
            if not rows:
                await self._log.wait_for_change(seen=seen)
                continue
            after = rows[-1][0]
            yield [to_delivery(position, body) for position, body in rows]

    async def commit(self, deliveries: Sequence[Delivery]) -> None:
        """Positions live with the consumer's effects; the embedded log keeps none."""

    def stop(self) -> None:
        self._closed = True  # the wait for new commits ends within the poll interval

    async def close(self) -> None:
        self._closed = True
        self._log.consumers.closed(self)
