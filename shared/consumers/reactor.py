"""Run a reactor: a consumer whose effects are idempotent appends or deliveries.

Events of one case are handled in order; different cases in a batch run concurrently.
Transient failures (broker or database away) retry with backoff, without bound; any other
failure of a handler is retried ``max_attempts`` times in all, then the event is parked
with the dead letters ("gave up after N attempts: ..."); poison records are dead-lettered
at once. Either way processing continues with the next event.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.consumers.errors import describe, is_poison, is_transient
from shared.consumers.redrive import redrive_forever, stop_redrives
from shared.consumers.relevance import Wants, consumed, count_consumed, show_positions
from shared.db.positions import (
    DbPositions,
    StalePositions,
    advance_positions_alone,
    load_positions,
    save_positions,
)
from shared.db.transaction import begin, connect
from shared.events.envelope import EventEnvelope
from shared.log.port import Delivery, EventLog
from shared.runtime.lag import RUNNING_GROUPS
from shared.runtime.log_context import handling
from shared.runtime.metrics import DEAD_LETTERS

log = structlog.get_logger(__name__)


MAX_ATTEMPTS = 5
"""Default tries of an event whose handler keeps failing with a non-transient error."""
FIRST_WAIT_SECONDS = 0.1
LONGEST_WAIT_SECONDS = 10.0


def backoff_seconds(failures: int) -> float:
    """The wait after the ``failures``-th failed attempt: doubling, capped, with jitter."""
    wait = min(LONGEST_WAIT_SECONDS, FIRST_WAIT_SECONDS * 2.0 ** min(failures - 1, 16))
    return wait + random.uniform(0, FIRST_WAIT_SECONDS)


class Reactor(Protocol):
    """A consumer with effects. One may also have ``wants(event) -> bool``: the events it
    reacts to (the others are passed over; only the batch's position is stored)."""

    group: str

    async def react(self, event: EventEnvelope) -> None:
        """Handle one event; doing it twice must have the effect of doing it once."""
        ...


class ReactorRunner:
    def __init__(
        self,
        *,
        log: EventLog,
        engine: AsyncEngine,
        reactor: Reactor,
        concurrency: int = 64,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.log = log
        self.max_attempts = max_attempts
        self.engine = engine
        self.reactor = reactor
        self._slots = asyncio.Semaphore(concurrency)
        self._wants: Wants | None = getattr(reactor, "wants", None)
        self._known: dict[int, int] | None = None
        """The positions this runner last stored (None: read them from the store)."""

    async def run(self) -> None:
        RUNNING_GROUPS.add(self.reactor.group)
        subscription = self.log.subscribe(self.reactor.group, positions=DbPositions(self.engine))
        redrives = asyncio.create_task(
            redrive_forever(self.log, self.reactor.group, self._react_again),
            name=f"redrive:{self.reactor.group}",
        )
        try:
            async for batch in subscription.batches():
                # With Kafka transactions the events appended meanwhile and the offsets
                # commit together (shared/log/kafka_transaction.py).
                async with subscription.atomic(batch):
                    await self.process(batch)
                await subscription.commit(batch)
        finally:
            await stop_redrives(redrives)
            await subscription.close()

    async def _react_again(self, event: EventEnvelope) -> None:
        """A dead letter's event once more, one try (the operator may re-drive again)."""
        with handling(event, group=self.reactor.group):
            await self.reactor.react(event)

    async def process(self, batch: Sequence[Delivery]) -> None:
        group = self.reactor.group
        known = self._known
        if known is None:
            async with connect(self.engine) as conn:
                known = await load_positions(conn, group)
        fresh = [d for d in batch if d.position.offset >= known.get(d.position.partition, 0)]
        by_case: dict[str, list[Delivery]] = defaultdict(list)
        passed_over: list[Delivery] = []
        for delivery in fresh:
            if delivery.event is None or self._wants is None or self._wants(delivery.event):
                by_case[delivery.key or ""].append(delivery)
            else:
                passed_over.append(delivery)
        count_consumed(group, passed_over)  # counted once per batch, not once per event
        if len(by_case) == 1:  # one case: no task of its own to wait for
            (items,) = by_case.values()
            await self._handle_case(items)
        else:
            await asyncio.gather(*(self._handle_case(items) for items in by_case.values()))
        new: dict[int, int] = {}
        for delivery in fresh:
            partition = delivery.position.partition
            new[partition] = max(new.get(partition, 0), delivery.position.offset + 1)
        try:
            await advance_positions_alone(self.engine, group, known=known, new=new)
        except StalePositions:
            # Moved by someone else meanwhile: the effects are idempotent, so keep the
            # furthest of both.
            async with begin(self.engine) as conn:
                known = await load_positions(conn, group)
                new = {p: max(o, known.get(p, 0)) for p, o in new.items()}
                await save_positions(conn, group, known=known, new=new)
        self._known = {**known, **new}
        show_positions(group, new)

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
        failures = 0  # the handler's own (not transient) failures
        tries = 0
        gave_up: tuple[str, str] | None = None  # (reason, error type) once parking
        while True:
            try:
                if gave_up is None:
                    await self._attempt(delivery, event)
                else:
                    await self._park(delivery, event, *gave_up, why="gave_up")
                return
            except Exception as exc:
                tries += 1
                transient = is_transient(exc)
                if gave_up is None and not transient:
                    failures += 1
                    if failures >= self.max_attempts:
                        reason = f"gave up after {failures} attempts: {describe(exc)}"
                        gave_up = (reason, type(exc).__name__)
                        continue
                elif not transient:
                    raise
                log.warning(
                    "reaction_retrying",
                    group=self.reactor.group,
                    event_type=event.event_type,
                    case_id=event.case_id,
                    error=type(exc).__name__,
                    transient=transient,
                    attempt=tries,
                )
            await asyncio.sleep(backoff_seconds(tries))

    async def _attempt(self, delivery: Delivery, event: EventEnvelope) -> None:
        """One try; a poison event is parked here, anything else raised to be retried."""
        try:
            await self.reactor.react(event)
        except Exception as exc:
            if not is_poison(exc):
                raise
            error = type(exc).__name__
            await self._park(delivery, event, describe(exc), error, why="dead_lettered")
            return
        consumed(self.reactor.group, event.event_type).inc()
        log.debug("event_handled")

    async def _park(
        self, delivery: Delivery, event: EventEnvelope, reason: str, error: str, *, why: str
    ) -> None:
        """Into the dead letters with ``reason``; the log line names the error's type only
        (a message may quote the event's personal data)."""
        group = self.reactor.group
        await self.log.dead_letter(delivery, group=group, reason=reason)
        DEAD_LETTERS.labels(group).inc()
        log.warning(
            why,
            group=group,
            event_type=event.event_type,
            case_id=event.case_id,
            error=error,
        )
