"""Send what the outbox holds: claim rows with a lease, deliver with retries, record outcomes.

Every attempt of one delivery uses the same idempotency key (its ``delivery_id``), so a
crash at any point can at worst repeat a request the receiver deduplicates: the row stays
``pending`` until the outcome event is in the log, and its lease lapses if its owner dies.
Retries use tenacity (``sending.py``: exponential backoff with jitter, a cap, a total
time); each failed attempt is a ``DeliveryAttemptFailed`` event, giving up is
``DeliveryFailed``. Leases are ``leases.py``.

Deliveries are real-world I/O, so they run on wall-clock time even under a simulated clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine
from tenacity import (
    RetryCallState,
)

from services.notify import leases
from services.notify.channels.base import DeliveryError
from services.notify.channels.registry import ChannelRegistry, UnknownChannel
from services.notify.config import NotifySettings
from services.notify.handlers import record
from services.notify.message import compose, no_case
from services.notify.outbox.fold import delivery_history
from services.notify.sending import Attempts, send_with_retries
from shared.cases.catalogue.notify import (
    DeliveryAttemptFailed,
    DeliveryFailed,
    DispatchOrderDelivered,
)
from shared.cases.fold import fold
from shared.cases.row import CaseRow
from shared.events.envelope import EventEnvelope, utc_now
from shared.events.payload import EventPayload
from shared.log.port import EventLog
from shared.org.tree import OrgTree
from shared.runtime.metrics import DELIVERIES, DELIVERIES_IN_FLIGHT, DELIVERY_SECONDS
from shared.times import as_utc

log = structlog.get_logger(__name__)


class Dispatcher:
    def __init__(
        self,
        *,
        log: EventLog,
        engine: AsyncEngine,
        tree: OrgTree,
        channels: ChannelRegistry,
        settings: NotifySettings,
    ) -> None:
        self._log = log
        self._engine = engine
        self._tree = tree
        self._channels = channels
        self._settings = settings
        self.owner = f"{os.uname().nodename}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wake = asyncio.Event()
        self._changed = asyncio.Event()
        self._in_flight: dict[str, asyncio.Task[None]] = {}
        self._stopping = False

    def stop(self) -> None:
        """Claim nothing more; ``run`` returns once the attempts in progress are recorded."""
        self._stopping = True
        self.wake()

    def wake(self) -> None:
        self._wake.set()

    def mark(self) -> asyncio.Event:
        """Set at the next recorded outcome (an attempt failed, delivered, given up)."""
        return self._changed

    def _note_change(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    @property
    def _lease(self) -> timedelta:
        return timedelta(seconds=self._settings.lease_seconds)

    async def run(self) -> None:
        heartbeat = asyncio.create_task(self._renew_leases())
        try:
            while not self._stopping:
                self._wake.clear()
                room = self._settings.concurrency - len(self._in_flight)
                claimed = await self._claim(room) if room > 0 else []
                streams = await self._streams_of(claimed)
                cases: dict[str, CaseRow] = {}  # each folded once for all its deliveries
                for row in claimed:
                    stream = streams.get(row["case_id"])
                    task = asyncio.create_task(self._deliver(row, stream, cases))
                    self._in_flight[row["delivery_id"]] = task
                DELIVERIES_IN_FLIGHT.set(len(self._in_flight))
                if claimed and len(claimed) == room:
                    continue  # maybe more is waiting
                # Woken by claimable rows, a delivery finished while out of room, or at the
                # latest when leases lapse.
                await self._wait(min(1.0, self._settings.lease_seconds / 3))
            if self._in_flight:  # stopping: an attempt sent must be recorded, or it is sent twice
                await asyncio.wait(
                    list(self._in_flight.values()), timeout=self._settings.http_timeout_seconds + 1
                )
        finally:
            heartbeat.cancel()
            tasks = [heartbeat, *self._in_flight.values()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            with contextlib.suppress(Exception):
                await self._release_leases()

    async def _wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    async def _claim(self, room: int) -> list[dict[str, Any]]:
        return await leases.claim(
            self._engine, self.owner, room=room, lease=self._lease, busy=self._in_flight
        )

    async def _renew_leases(self) -> None:
        while True:
            await asyncio.sleep(self._settings.lease_seconds / 3)
            if not self._in_flight:
                continue
            with contextlib.suppress(Exception):
                await leases.renew(
                    self._engine, self.owner, list(self._in_flight), lease=self._lease
                )

    async def _release_leases(self) -> None:
        await leases.release(self._engine, self.owner)

    async def _streams_of(self, claimed: list[dict[str, Any]]) -> dict[str, list[EventEnvelope]]:
        """The case streams of the rows just claimed, in one read (read after the lease was
        taken, so an outcome recorded by an earlier holder is in them)."""
        if not claimed:
            return {}
        try:
            return await self._log.read_streams(sorted({row["case_id"] for row in claimed}))
        except Exception as exc:  # each delivery reads its own stream, and retries that
            log.warning("delivery_streams_unread", error=type(exc).__name__)
            return {}

    async def _deliver(
        self, row: dict[str, Any], stream: list[EventEnvelope] | None, cases: dict[str, CaseRow]
    ) -> None:
        delivery_id = row["delivery_id"]
        try:
            await self._deliver_row(row, stream, cases)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the log or database went away: try again a bit later
            log.warning("delivery_interrupted", delivery_id=delivery_id, error=type(exc).__name__)
            with contextlib.suppress(Exception):
                await self._update(delivery_id, lease_until=utc_now() + timedelta(seconds=5))
        finally:
            full = len(self._in_flight) >= self._settings.concurrency
            self._in_flight.pop(delivery_id, None)
            if full:  # the loop waits for room: there is some now
                self.wake()

    async def _deliver_row(
        self, row: dict[str, Any], stream: list[EventEnvelope] | None, cases: dict[str, CaseRow]
    ) -> None:
        delivery_id, case_id = row["delivery_id"], row["case_id"]
        if not stream:
            stream = await self._log.read_stream(case_id)
        history = delivery_history(stream, delivery_id)
        if history.delivered:
            await self._update(delivery_id, status="delivered", lease_owner=None, lease_until=None)
            return
        if history.given_up or history.notice is None or history.delivery is None:
            await self._update(delivery_id, status="failed", lease_owner=None, lease_until=None)
            return
        if case_id not in cases:
            cases[case_id] = fold(stream) or no_case(case_id)
        message = compose(
            history.notice,
            delivery=history.delivery,
            case=cases[case_id],
            tree=self._tree,
            settings=self._settings,
        )
        first = as_utc(row["first_attempt_at"]) if row["first_attempt_at"] else utc_now()
        attempts = Attempts(history.attempts)

        async def record_retry(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            reason = exc.reason if isinstance(exc, DeliveryError) else repr(exc)
            wait = state.next_action.sleep if state.next_action else 0.0
            DELIVERIES.labels(message.channel, "retry").inc()
            await self._append(
                stream[-1],
                DeliveryAttemptFailed(
                    delivery_id=delivery_id,
                    channel=message.channel,
                    attempt=attempts.count,
                    reason=reason,
                    retry_in_seconds=round(wait, 3),
                ),
                key=f"attempt:{delivery_id}:{attempts.count}",
            )
            self._note_change()  # the outbox records the attempt from the event

        try:
            receipt = await send_with_retries(
                self._channels.get(message.channel),
                message,
                attempts=attempts,
                settings=self._settings,
                first_attempt_at=first,
                before_sleep=record_retry,
            )
        except (DeliveryError, UnknownChannel) as exc:
            reason = exc.reason if isinstance(exc, DeliveryError) else f"unknown channel {exc}"
            await self._give_up(
                stream[-1],
                DeliveryFailed(
                    delivery_id=delivery_id,
                    notice_id=history.notice["notice_id"],
                    channel=message.channel,
                    attempts=attempts.count,
                    reason=reason,
                    failed_at=utc_now(),
                ),
                round_=history.failures,
            )
            return
        delivered_at = utc_now()
        await self._append(
            stream[-1],
            DispatchOrderDelivered(
                delivery_id=delivery_id,
                notice_id=history.notice["notice_id"],
                channel=message.channel,
                attempts=attempts.count,
                delivered_at=delivered_at,
                status_code=receipt.status_code,
            ),
            key=f"delivered:{delivery_id}",
        )
        # The outbox marks the row from that event; until then the lease (and the history
        # check above, should the lease lapse first) keeps it from being sent again.
        self._note_change()
        DELIVERIES.labels(message.channel, "delivered").inc()
        DELIVERY_SECONDS.labels(message.channel).observe(
            (delivered_at - as_utc(row["issued_at"])).total_seconds()
        )

    async def _give_up(self, cause: EventEnvelope, failed: DeliveryFailed, *, round_: int) -> None:
        await self._append(cause, failed, key=f"failed:{failed.delivery_id}:{round_}")
        # Written at once as well, so a supervisor listing failures sees it without waiting
        # for the outbox to read the event back.
        await self._update(
            failed.delivery_id,
            status="failed",
            attempts=failed.attempts,
            last_error=failed.reason,
            lease_owner=None,
            lease_until=None,
        )
        DELIVERIES.labels(failed.channel, "failed").inc()
        log.warning("delivery_failed", delivery_id=failed.delivery_id, channel=failed.channel)

    async def _append(self, cause: EventEnvelope, payload: EventPayload, *, key: str) -> None:
        await record(self._log, cause=cause, payload=payload, key=key)

    async def _update(self, delivery_id: str, **values: Any) -> None:
        await leases.update_row(self._engine, delivery_id, **values)
        self._note_change()
