"""Run a projection: its rows and its consumer position commit in one transaction.

A crash between applying an event and storing the position is impossible by construction,
so a restarted projection neither applies an event twice nor skips one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.consumers.errors import describe, is_poison
from shared.consumers.redrive import redrive_forever, stop_redrives
from shared.consumers.relevance import Wants, count_consumed, show_positions
from shared.db.positions import (
    DbPositions,
    StalePositions,
    advance_positions,
    advance_positions_alone,
    load_positions,
)
from shared.db.transaction import begin
from shared.events.envelope import EventEnvelope
from shared.log.port import Delivery, EventLog, Subscription
from shared.runtime.lag import RUNNING_GROUPS
from shared.runtime.metrics import DEAD_LETTERS

log = structlog.get_logger(__name__)


class Projection(Protocol):
    """A read model. One may also have ``wants(event) -> bool``: the events it changes
    anything for (the others are passed over; only the batch's position is stored)."""

    group: str

    async def apply(self, event: EventEnvelope, conn: AsyncConnection) -> None:
        """Write the event's effect on the read model (idempotent per case sequence)."""
        ...


class BatchProjection(Projection, Protocol):
    async def apply_many(self, events: Sequence[EventEnvelope], conn: AsyncConnection) -> None:
        """Apply several events at once; same effect as ``apply`` on each in order."""
        ...


class ProjectionRunner:
    def __init__(
        self,
        *,
        log: EventLog,
        engine: AsyncEngine,
        projection: Projection,
        on_committed: Callable[[Sequence[Delivery]], None] | None = None,
        linger_seconds: float | None = None,
    ) -> None:
        self.log = log
        self._linger = linger_seconds
        """How long records gather before a batch (None: the log's default)."""
        self.engine = engine
        self.projection = projection
        self._on_committed = on_committed
        self._wants: Wants | None = getattr(projection, "wants", None)
        self._known: dict[int, int] | None = None
        """The positions this runner last stored (None: read them from the store)."""
        self.subscription: Subscription | None = None
        """The running subscription (which partitions this member owns), once started."""

    async def run(self) -> None:
        RUNNING_GROUPS.add(self.projection.group)
        subscription = self.log.subscribe(
            self.projection.group, positions=DbPositions(self.engine), linger_seconds=self._linger
        )
        self.subscription = subscription
        redrives = asyncio.create_task(
            redrive_forever(self.log, self.projection.group, self._reapply),
            name=f"redrive:{self.projection.group}",
        )
        try:
            async for batch in subscription.batches():
                await self.process(batch)
                if self._on_committed is not None:
                    self._on_committed(batch)
                await subscription.commit(batch)
        finally:
            await stop_redrives(redrives)
            await subscription.close()

    async def _reapply(self, event: EventEnvelope) -> None:
        """A dead letter's event once more (its position stays where it is)."""
        async with begin(self.engine) as conn:
            await self._apply([event], conn)

    async def process(self, batch: Sequence[Delivery]) -> None:
        try:
            await self._apply_together(batch)
        except Exception as exc:
            if not is_poison(exc):
                raise
            for delivery in batch:  # find the poison record: one transaction per record
                await self._apply_together([delivery])

    async def _apply_together(self, batch: Sequence[Delivery]) -> None:
        try:
            await self._apply_fenced(batch)
        except StalePositions:
            self._known = None  # moved by someone else: read them and apply again
            await self._apply_fenced(batch)

    async def _apply_fenced(self, batch: Sequence[Delivery]) -> None:
        """Effects and positions in one transaction; the positions are fenced on the ones
        this runner last stored, so no read of them is needed per batch. A batch with
        nothing to apply stores its positions alone, in a cheaper transaction."""
        group = self.projection.group
        known = self._known
        if known is not None:
            new, events = await self._sorted(batch, known)
            if not events:
                await advance_positions_alone(self.engine, group, known=known, new=new)
                self._stored(batch, known, new)
                return
        async with begin(self.engine) as conn:
            if known is None:
                known = await load_positions(conn, group)
                new, events = await self._sorted(batch, known)
            try:
                await self._apply(events, conn)
            except Exception as exc:
                if not (len(batch) == 1 and events and is_poison(exc)):
                    raise
                await self._park(batch[0], describe(exc))
            await advance_positions(conn, group, known=known, new=new)
        self._stored(batch, known, new)

    async def _sorted(
        self, batch: Sequence[Delivery], known: dict[int, int]
    ) -> tuple[dict[int, int], list[EventEnvelope]]:
        """The batch's new next offsets and the events to apply; an undecodable record
        is parked on the way."""
        new: dict[int, int] = {}
        events: list[EventEnvelope] = []
        wants = self._wants
        for delivery in batch:
            partition, offset = delivery.position
            if offset < known.get(partition, 0):
                continue  # applied before this restart
            new[partition] = offset + 1
            if delivery.event is None:
                await self._park(delivery, delivery.error or "undecodable record")
            elif wants is None or wants(delivery.event):
                events.append(delivery.event)
        return new, events

    def _stored(
        self, batch: Sequence[Delivery], known: dict[int, int], new: dict[int, int]
    ) -> None:
        self._known = {**known, **new}
        count_consumed(self.projection.group, batch)
        show_positions(self.projection.group, new)

    async def _apply(self, events: list[EventEnvelope], conn: AsyncConnection) -> None:
        apply_many = getattr(self.projection, "apply_many", None)
        if apply_many is not None and len(events) > 1:
            await apply_many(events, conn)
            return
        for event in events:
            await self.projection.apply(event, conn)

    async def _park(self, delivery: Delivery, reason: str) -> None:
        group = self.projection.group
        await self.log.dead_letter(delivery, group=group, reason=reason)
        DEAD_LETTERS.labels(group).inc()
        log.warning(
            "dead_lettered",
            group=group,
            partition=delivery.position.partition,
            offset=delivery.position.offset,
        )
        log.warning(
            "event_dead_lettered",
            group=group,
            reason=reason[:200],
            partition=delivery.position.partition,
            offset=delivery.position.offset,
        )
