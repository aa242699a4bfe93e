"""The durable timer stream: timers travel in the case events; an index schedules them.

``TimerIndex`` is a projection (rows + position in one transaction) of every timer the
log asked for. ``TimerScheduler`` fires due rows as ``FireTimer`` commands with the
idempotency key ``timer:<id>``, so a timer fired again after a crash writes nothing new,
and marks each row with when it fired and whether it was current or stale.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

import structlog
from sqlalchemy import Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.escalation.commands import Command, FireTimer, UnitPath
from services.escalation.service import CommandFactory, Ladder, apply_on, run_command
from services.escalation.state import LadderState
from shared.db.bulk import insert_rows
from shared.db.schema import escalation_timers
from shared.db.times import as_utc, parse_utc
from shared.events.envelope import EventEnvelope
from shared.log.port import VersionConflict
from shared.runtime.metrics import PENDING_TIMERS, TIMERS_FIRED

log = structlog.get_logger(__name__)


class TimerIndex:
    group = "escalation.timers"

    def __init__(self, table: Table = escalation_timers) -> None:
        self._table = table

    @property
    def tables(self) -> tuple[Table, ...]:
        return (self._table,)

    def writing_to(self, tables: Mapping[str, Table]) -> TimerIndex:
        """The same index writing into another table (a rebuild's fresh copy)."""
        return TimerIndex(tables[escalation_timers.name])

    async def apply(self, event: EventEnvelope, conn: AsyncConnection) -> None:
        await self.apply_many([event], conn)

    async def apply_many(self, events: Sequence[EventEnvelope], conn: AsyncConnection) -> None:
        rows = {
            t["timer_id"]: {
                "timer_id": t["timer_id"],
                "case_id": event.case_id,
                "kind": t["kind"],
                "due_at": parse_utc(t["due_at"]),
            }
            for event in events
            for t in event.payload.get("timers") or ()
        }
        if not rows:
            return
        table = self._table
        found = await conn.execute(select(table.c.timer_id).where(table.c.timer_id.in_(list(rows))))
        known = set(found.scalars())
        fresh = [row for timer_id, row in rows.items() if timer_id not in known]
        if fresh:
            await insert_rows(conn, table, fresh)


def _fire(timer_id: str) -> CommandFactory:
    def make(_state: LadderState, path: UnitPath) -> Command:
        return FireTimer(timer_id=timer_id, unit_path=path)

    return make


class TimerScheduler:
    def __init__(
        self, *, ladder: Ladder, engine: AsyncEngine, batch: int = 2000, concurrency: int = 512
    ) -> None:
        self._ladder = ladder
        self._engine = engine
        self._batch = batch
        self._slots = asyncio.Semaphore(concurrency)

    async def run(self) -> None:
        clock = self._ladder.clock
        while True:
            mark = clock.mark()
            if await self.fire_due():
                continue
            # Woken by the clock or by new timers; the short ceiling bounds a missed wake-up.
            await clock.sleep_until(await self._next_due(), since=mark, longest=2.0)

    async def _next_due(self) -> datetime | None:
        """The earliest pending due time (and the pending count, for the metric)."""
        async with self._engine.connect() as conn:
            earliest, pending = (
                await conn.execute(
                    select(func.min(escalation_timers.c.due_at), func.count()).where(
                        escalation_timers.c.fired_at.is_(None)
                    )
                )
            ).one()
        PENDING_TIMERS.set(pending)
        return as_utc(earliest) if earliest is not None else None

    async def fire_due(self) -> int:
        now = as_utc(self._ladder.clock.now())
        async with self._engine.connect() as conn:
            due = (
                await conn.execute(
                    select(escalation_timers.c.timer_id, escalation_timers.c.case_id)
                    .where(
                        escalation_timers.c.fired_at.is_(None), escalation_timers.c.due_at <= now
                    )
                    .order_by(escalation_timers.c.due_at)
                    .limit(self._batch)
                )
            ).all()
        by_case: dict[str, list[str]] = defaultdict(list)
        for timer_id, case_id in due:
            by_case[case_id].append(timer_id)  # in due order within a case
        streams = await self._ladder.log.read_streams(list(by_case))
        outcomes = await asyncio.gather(
            *(
                self._fire_case(streams[case_id], case_id, timers)
                for case_id, timers in by_case.items()
            )
        )
        fired_at = as_utc(self._ladder.clock.now())
        async with self._engine.begin() as conn:
            for outcome_rows in outcomes:
                for timer_id, outcome in outcome_rows:
                    TIMERS_FIRED.labels(outcome).inc()
                    await conn.execute(
                        update(escalation_timers)
                        .where(escalation_timers.c.timer_id == timer_id)
                        .values(fired_at=fired_at, outcome=outcome)
                    )
        return len(due)

    async def _fire_case(
        self, stream: list[EventEnvelope], case_id: str, timers: list[str]
    ) -> list[tuple[str, str]]:
        """Fire one case's due timers in order; different cases run concurrently.

        The first decision uses the stream read for the whole batch; after a write (or a
        concurrent writer) the case is read again."""
        results: list[tuple[str, str]] = []
        async with self._slots:
            for timer_id in timers:
                key = f"timer:{timer_id}"
                events: list[EventEnvelope] = []
                try:
                    if stream:
                        events = await apply_on(
                            self._ladder, stream=stream, make=_fire(timer_id), idempotency_key=key
                        )
                except VersionConflict:
                    events = await run_command(
                        self._ladder, case_id=case_id, make=_fire(timer_id), idempotency_key=key
                    )
                if events:
                    stream = [*stream, *events]
                results.append((timer_id, "fired" if events else "stale"))
        return results
