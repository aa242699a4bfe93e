"""Run a reactor: a consumer whose effects are idempotent appends or deliveries.

Events of one case are handled in order; different cases in a batch run concurrently.
Transient failures (broker or database away) retry with backoff; poison records are
dead-lettered with their reason and processing continues.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine
from tenacity import AsyncRetrying, retry_if_exception, stop_never, wait_exponential_jitter

from shared.consumers.errors import describe, is_poison
from shared.consumers.relevance import Wants, count_consumed
from shared.db.positions import (
    DbPositions,
    StalePositions,
    advance_positions,
    load_positions,
    save_positions,
)
from shared.events.envelope import EventEnvelope
from shared.log.port import Delivery, EventLog
from shared.runtime.lag import RUNNING_GROUPS
from shared.runtime.log_context import handling
from shared.runtime.metrics import CONSUMER_POSITION, DEAD_LETTERS, EVENTS_CONSUMED

log = structlog.get_logger(__name__)


def _transient(exc: BaseException) -> bool:
    """Retry ordinary failures; never a cancellation (shutdown) or a poison record."""
    return isinstance(exc, Exception) and not is_poison(exc)


class Reactor(Protocol):
    """A consumer with effects. One may also have ``wants(event) -> bool``: the events it
    reacts to (the others are passed over; only the batch's position is stored)."""

    group: str

    async def react(self, event: EventEnvelope) -> None:
        """Handle one event; doing it twice must have the effect of doing it once."""
        ...


class ReactorRunner:
    def __init__(
        self, *, log: EventLog, engine: AsyncEngine, reactor: Reactor, concurrency: int = 64
    ) -> None:
        self.log = log
        self.engine = engine
        self.reactor = reactor
        self._slots = asyncio.Semaphore(concurrency)
        self._wants: Wants | None = getattr(reactor, "wants", None)
        self._known: dict[int, int] | None = None
        """The positions this runner last stored (None: read them from the store)."""

    async def run(self) -> None:
        RUNNING_GROUPS.add(self.reactor.group)
        subscription = self.log.subscribe(self.reactor.group, positions=DbPositions(self.engine))
        try:
            async for batch in subscription.batches():
                await self.process(batch)
                await subscription.commit(batch)
        finally:
            await subscription.close()

    async def process(self, batch: Sequence[Delivery]) -> None:
        group = self.reactor.group
        known = self._known
        if known is None:
            async with self.engine.connect() as conn:
                known = await load_positions(conn, group)
        fresh = [d for d in batch if d.position.offset >= known.get(d.position.partition, 0)]
        by_case: dict[str, list[Delivery]] = defaultdict(list)
        for delivery in fresh:
            if delivery.event is None or self._wants is None or self._wants(delivery.event):
                by_case[delivery.key or ""].append(delivery)
            else:
                count_consumed(group, [delivery])
        await asyncio.gather(*(self._handle_case(items) for items in by_case.values()))
        new: dict[int, int] = {}
        for delivery in fresh:
            partition = delivery.position.partition
            new[partition] = max(new.get(partition, 0), delivery.position.offset + 1)
        try:
            async with self.engine.begin() as conn:
                await advance_positions(conn, group, known=known, new=new)
        except StalePositions:
            # Moved by someone else meanwhile: the effects are idempotent, so keep the
            # furthest of both.
            async with self.engine.begin() as conn:
                known = await load_positions(conn, group)
                new = {p: max(o, known.get(p, 0)) for p, o in new.items()}
                await save_positions(conn, group, known=known, new=new)
        self._known = {**known, **new}
        for partition, offset in new.items():
            CONSUMER_POSITION.labels(group, str(partition)).set(offset)

    async def _handle_case(self, deliveries: list[Delivery]) -> None:
        async with self._slots:
            for delivery in deliveries:
                await self._handle(delivery)

    async def _handle(self, delivery: Delivery) -> None:
        group = self.reactor.group
        if delivery.event is None:
            await self.log.dead_letter(
                delivery, group=group, reason=delivery.error or "undecodable"
            )
            return
        event = delivery.event
        with handling(event, group=group):
            await self._react(delivery, event)

    async def _react(self, delivery: Delivery, event: EventEnvelope) -> None:
        try:
            await self._attempt(delivery, event)
        except Exception as exc:
            if not _transient(exc):
                raise
            # Retrying starts only once an attempt failed: setting tenacity up for every
            # event costs more than most reactions do.
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(_transient),
                wait=wait_exponential_jitter(multiplier=0.1, max=10),
                stop=stop_never,
                reraise=True,
            ):
                with attempt:
                    await self._attempt(delivery, event)

    async def _attempt(self, delivery: Delivery, event: EventEnvelope) -> None:
        group = self.reactor.group
        try:
            await self.reactor.react(event)
            EVENTS_CONSUMED.labels(group, event.event_type).inc()
            log.debug("event_handled")
        except Exception as exc:
            poison = is_poison(exc)
            if poison:
                await self.log.dead_letter(delivery, group=group, reason=describe(exc))
                DEAD_LETTERS.labels(group).inc()
            log.warning(
                "dead_lettered" if poison else "reaction_retrying",
                group=group,
                event_type=event.event_type,
                case_id=event.case_id,
                error=type(exc).__name__,
            )
            if not poison:
                raise
