"""Bursts of deadlines for the timer benchmark: BURST red cases at a time come due together,
and how late each DeadlineReached is recorded and committed."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from services.escalation.config import LadderSettings
from services.escalation.ladder.calendar import BusinessCalendar
from services.escalation.ladder.commands import AssignCase
from services.escalation.scheduler import TimerScheduler
from services.escalation.service import Ladder, run_command
from services.escalation.timers.projection import TimerIndex
from shared.cases.catalogue.intake import CaseReported
from shared.events.envelope import EventEnvelope, new_event
from shared.log.embedded import EmbeddedLog
from shared.log.port import AppendResult
from shared.org.levels import Level
from shared.org.loader import load_org_tree, sample_county_path
from shared.runtime.clock import SimulatedClock
from shared.vocabulary import Tier

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@dataclass
class Burst:
    """One burst of deadlines: lateness of each DeadlineReached, and the whole round."""

    delays: list[float]
    """From the jump to each DeadlineReached's recorded_at (stamped as its batch began)."""
    visible: list[float]
    """From the jump to the commit of each DeadlineReached (what consumers can read)."""
    committed: float
    events: int


class Bursts:
    """BURST red cases at a time on the index that holds the scheduled timers."""

    def __init__(self, log: EmbeddedLog, engine: AsyncEngine, burst: int) -> None:
        self.log, self.engine, self.burst = log, engine, burst
        tree = load_org_tree(sample_county_path())
        grid = tree.units(level=Level.GRID)[0].code
        self.grid = grid
        self.path = {level: unit.code for level, unit in tree.path(grid).items()}
        self.clock = SimulatedClock(T0)
        self.ladder = Ladder(
            log=log,
            tree=tree,
            clock=self.clock,
            settings=LadderSettings(),
            calendar=BusinessCalendar(),
        )

    async def cases(self) -> set[str]:
        """BURST red cases assigned now (township: deadline in 5 days, acknowledgement 1 h)."""
        semaphore = asyncio.Semaphore(256)
        requested: list[EventEnvelope] = []
        ids: set[str] = set()

        async def one(i: int) -> None:
            case_id = str(uuid.uuid4())
            ids.add(case_id)
            reported = CaseReported(
                title="t",
                description="d",
                unit_code=self.grid,
                grid_unit_code=self.grid,
                reported_by="bench",
                fingerprint="f",
                number=f"b-{i}",
            )
            async with semaphore:
                await self.log.append(
                    case_id, [new_event(reported, case_id=case_id, producer="bench")]
                )
                requested.extend(
                    await run_command(
                        self.ladder,
                        case_id=case_id,
                        make=lambda _s, _p: AssignCase(tier=Tier.RED, unit_path=self.path),
                    )
                )

        await asyncio.gather(*(one(i) for i in range(self.burst)))
        async with self.engine.begin() as conn:
            await TimerIndex().apply_many(requested, conn)
        return ids

    async def fire(self, ids: set[str], *, planned_ahead: bool, profile: bool) -> Burst:
        """Jump the clock past the cases' deadlines and fire everything due."""
        scheduler = TimerScheduler(
            ladder=self.ladder, engine=self.engine, prefetch=4 * self.burst if planned_ahead else 0
        )
        # The cases' earlier timers (acknowledgement, chase, pre-breach warning) fire first,
        # unmeasured, so exactly the BURST deadlines come due at the measured instant.
        deadline = self.clock.now() + timedelta(days=5)
        self.clock.set(deadline - timedelta(seconds=1))
        while await scheduler.fire_due():
            pass
        if not planned_ahead:  # after an outage: a fresh scheduler that planned nothing
            scheduler = TimerScheduler(ladder=self.ladder, engine=self.engine, prefetch=0)
        else:
            await scheduler.prefetch()  # what the running scheduler does while it waits
        self.clock.set(deadline + timedelta(seconds=1))
        profiler = profiler_started() if profile else None
        commits = CommitTimes(self.log)
        started = time.perf_counter()
        jumped = datetime.now(UTC)
        while await scheduler.fire_due():
            pass
        committed = time.perf_counter() - started
        commits.stop()
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        delays: list[float] = []
        visible: list[float] = []
        events = 0
        for stream in (await self.log.read_streams(sorted(ids))).values():
            for event in stream:
                assert event.recorded_at is not None
                if event.recorded_at >= jumped:
                    events += 1
                    if event.event_type == "DeadlineReached":
                        delays.append((event.recorded_at - jumped).total_seconds())
                        visible.append(commits.at[event.event_id] - started)
        return Burst(delays, visible, committed, events)


class CommitTimes:
    """When each event's transaction committed (the store resolves appends after it)."""

    def __init__(self, log: EmbeddedLog) -> None:
        self.at: dict[uuid.UUID, float] = {}
        self._store = log.store
        self._write = write = log.store._write

        async def timed(batch: list[Any], **options: Any) -> None:
            await write(batch, **options)
            now = time.perf_counter()
            for request in batch:
                if isinstance(request.outcome, AppendResult):
                    for event in request.outcome.events:
                        self.at[event.event_id] = now

        log.store._write = timed  # type: ignore[method-assign]

    def stop(self) -> None:
        self._store._write = self._write  # type: ignore[method-assign]


def profiler_started() -> Any:
    """pyinstrument around the firing (``--profile``; ``pip install pyinstrument``)."""
    from pyinstrument import Profiler

    profiler = Profiler(async_mode="enabled")
    profiler.start()
    return profiler
