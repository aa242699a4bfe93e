"""The timer scheduler: fire every due timer of the partitions this instance owns.

A round first appends the firings planned ahead that are due (``prefetch.ReadyFirings``,
filled while the scheduler waits) in one batched append (one transaction). Then it takes the
rest of the due set from the index (up to ``batch`` rows, in due order): those cases have
their streams read in one query, their firings planned in memory (``firing.plan_case``) and
appended in a second batch. The rows
are marked with one UPDATE per outcome. A case another writer moved meanwhile (version
conflict) is planned again from its latest state, and at last fired one timer at a time.
``FireTimer`` is keyed ``timer:<id>`` and its event ids derive from the key, so a timer
fired twice (a crash before marking, two instances during a rebalance) writes one set of
events.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from math import inf

import structlog
from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from services.escalation.firing import FIRED, REFUSED, STALE, PlannedFiring, plan_case, timer_key
from services.escalation.ladder.commands import Command, FireTimer, UnitPath
from services.escalation.ladder.context import Refused
from services.escalation.ladder.state import LadderState
from services.escalation.prefetch import ReadyFirings, Upcoming
from services.escalation.service import CaseNotFound, CommandFactory, Ladder, run_command
from shared.db.keys import key_in
from shared.db.schema import escalation_timers
from shared.db.transaction import begin, connect
from shared.log.port import AppendResult, VersionConflict
from shared.log.sql_requests import chunks
from shared.runtime.collection import collection_paused
from shared.runtime.metrics import PENDING_TIMERS, TIMERS_FIRED
from shared.times import as_utc

log = structlog.get_logger(__name__)

NEVER = datetime.max.replace(tzinfo=UTC)

Ownership = Callable[[], frozenset[int] | None]
"""The partitions whose timers this instance fires now; None: every partition."""


def _everything() -> frozenset[int] | None:
    return None


def _fire(timer_id: str) -> CommandFactory:
    def make(_state: LadderState, path: UnitPath) -> Command:
        return FireTimer(timer_id=timer_id, unit_path=path)

    return make


class TimerScheduler:
    def __init__(
        self,
        *,
        ladder: Ladder,
        engine: AsyncEngine,
        owned: Ownership = _everything,
        batch: int = 50_000,
        prefetch: int = 20_000,
        prefetch_every: float = 1.0,
        prefetch_horizon: timedelta = timedelta(minutes=10),
        concurrency: int = 64,
        count_every: float = 10.0,
    ) -> None:
        self._ladder = ladder
        self._engine = engine
        self._owned = owned
        self._batch = batch
        self._prefetch = prefetch
        self._prefetch_every = prefetch_every
        self._prefetch_horizon = prefetch_horizon
        self._prefetched_at = -inf
        self._ready = ReadyFirings()
        self._slots = asyncio.Semaphore(concurrency)
        self._count_every = count_every
        self._counted_at = -inf
        self._asleep_until: datetime | None = None
        """While the scheduler sleeps: the due time it wakes for (None: awake)."""

    async def run(self) -> None:
        clock = self._ladder.clock
        while True:
            mark = clock.mark()
            if await self.fire_due():
                continue
            if time.monotonic() - self._prefetched_at >= self._prefetch_every:
                await self.prefetch()
                self._prefetched_at = time.monotonic()
            # Woken by the clock or by a new timer due sooner; the short ceiling bounds a
            # missed wake-up and how long a partition handed over by a rebalance waits.
            wake_at = await self._next_due()
            self._asleep_until = wake_at or NEVER
            try:
                await clock.sleep_until(wake_at, since=mark, longest=2.0)
            finally:
                self._asleep_until = None

    def timers_indexed(self, earliest: datetime | None) -> None:
        """New timers are in the index: wake the scheduler if one is due before it would
        wake anyway (an awake scheduler sees them in its next query)."""
        asleep_until = self._asleep_until
        if earliest is not None and asleep_until is not None and earliest < asleep_until:
            self._ladder.clock.nudge()

    def _pending(self, owned: frozenset[int] | None) -> ColumnElement[bool] | None:
        pending = escalation_timers.c.fired_at.is_(None)
        if owned is None:
            return pending
        if not owned:
            return None  # owns no partition (yet): fires nothing
        return and_(pending, escalation_timers.c.partition.in_(sorted(owned)))

    async def _next_due(self) -> datetime | None:
        """The earliest pending due time this instance owns (and now and then the count of
        pending timers, for the metric: counting a large index is a scan)."""
        pending = self._pending(self._owned())
        if pending is None:
            return None
        async with connect(self._engine) as conn:
            soonest = select(func.min(escalation_timers.c.due_at)).where(pending)
            earliest = await conn.scalar(soonest)
            if time.monotonic() - self._counted_at >= self._count_every:
                PENDING_TIMERS.set(await conn.scalar(select(func.count()).where(pending)) or 0)
                self._counted_at = time.monotonic()
        return as_utc(earliest) if earliest is not None else None

    async def fire_due(self) -> int:
        """Fire one round of due timers; the number of rows settled (0: nothing was due)."""
        with collection_paused():
            return await self._fire_round()

    async def _fire_round(self) -> int:
        owned = self._owned()
        pending = self._pending(owned)
        if pending is None:
            return 0
        now = as_utc(self._ladder.clock.now())
        outcomes: dict[str, str] = {}
        warm = self._ready.take_due(now, owned)
        if warm:  # refused plans (the case moved on) come back below from the index
            await self._append(warm, outcomes)
        due = await self._rows(and_(pending, escalation_timers.c.due_at <= now), self._batch)
        cold: dict[str, list[str]] = defaultdict(list)
        for row in due:
            if row.timer_id not in outcomes:
                cold[row.case_id].append(row.timer_id)  # in due order within a case
        if cold:
            streams = await self._ladder.log.read_streams(list(cold))
            plans = {
                case_id: plan_case(self._ladder, case_id, streams[case_id], timers)
                for case_id, timers in cold.items()
            }
            moved = await self._append(plans, outcomes)
            if moved:
                refired = await asyncio.gather(
                    *(self._fire_alone(case_id, timers) for case_id, timers in moved.items())
                )
                for case_outcomes in refired:
                    outcomes.update(case_outcomes)
        await self._mark(outcomes)
        return len(outcomes)

    async def prefetch(self) -> None:
        """Plan the firings of the next ``prefetch`` pending timers due within the horizon."""
        pending = self._pending(self._owned())
        if pending is None or not self._prefetch:
            return
        horizon = as_utc(self._ladder.clock.now()) + self._prefetch_horizon
        upcoming = await self._rows(
            and_(pending, escalation_timers.c.due_at <= horizon), self._prefetch
        )
        await self._ready.refresh(self._ladder, self._ladder.log, upcoming)

    async def _rows(self, where: ColumnElement[bool], limit: int) -> list[Upcoming]:
        t = escalation_timers.c
        query = (
            select(t.timer_id, t.case_id, t.due_at, t.partition)
            .where(where)
            .order_by(t.due_at, t.timer_id)
            .limit(limit)
        )
        async with connect(self._engine) as conn:
            rows = (await conn.execute(query)).all()
        return [Upcoming(*row) for row in rows]

    async def _append(
        self, plans: dict[str, list[PlannedFiring]], outcomes: dict[str, str]
    ) -> dict[str, list[str]]:
        """Append every planned firing at once, noting outcomes; the timers of cases that
        moved on meanwhile (from the refused one on) are returned, by case."""
        planned = [f for firings in plans.values() for f in firings if f.request is not None]
        results = await self._ladder.log.append_batch([f.request for f in planned if f.request])
        appended = dict(zip((f.timer_id for f in planned), results, strict=True))
        moved: dict[str, list[str]] = {}
        for case_id, firings in plans.items():
            for i, firing in enumerate(firings):
                result = appended.get(firing.timer_id)
                if isinstance(result, VersionConflict):
                    moved[case_id] = [f.timer_id for f in firings[i:]]
                    break
                if isinstance(result, AppendResult) or result is None:
                    outcomes[firing.timer_id] = firing.outcome
                else:  # a reused key with another fingerprint: never for timer keys
                    outcomes[firing.timer_id] = REFUSED
        return moved

    async def _fire_alone(self, case_id: str, timers: list[str]) -> dict[str, str]:
        """Fire one case's timers in order on its latest state (read again each time)."""
        outcomes: dict[str, str] = {}
        async with self._slots:
            for timer_id in timers:
                try:
                    events = await run_command(
                        self._ladder,
                        case_id=case_id,
                        make=_fire(timer_id),
                        idempotency_key=timer_key(timer_id),
                    )
                except (Refused, CaseNotFound):
                    outcomes[timer_id] = REFUSED
                    continue
                outcomes[timer_id] = FIRED if events else STALE
        return outcomes

    async def _mark(self, outcomes: dict[str, str]) -> None:
        """One UPDATE per outcome (and per chunk of ids) in one transaction."""
        by_outcome: dict[str, list[str]] = defaultdict(list)
        for timer_id, outcome in outcomes.items():
            by_outcome[outcome].append(timer_id)
        fired_at = as_utc(self._ladder.clock.now())
        t = escalation_timers.c
        async with begin(self._engine) as conn:
            for outcome, timer_ids in by_outcome.items():
                TIMERS_FIRED.labels(outcome).inc(len(timer_ids))
                if outcome == REFUSED:
                    log.warning("timers_refused", timers=len(timer_ids))
                for part in chunks(timer_ids):
                    await conn.execute(
                        update(escalation_timers)
                        .where(key_in(t.timer_id, part, conn.dialect))
                        .values(fired_at=fired_at, outcome=outcome)
                    )
