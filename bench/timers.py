"""Timer benchmark on the embedded log: schedule, index memory, rebuild, firing lateness.

    .venv/bin/python bench/timers.py [--timers 1000000] [--burst 10000]

1. Schedule: append N events that each ask for a timer (the durable timer stream).
2. Rebuild: build the timer index from the start of the stream (what a restart costs
   without the stored index), with the process's resident memory before and after.
3. Lateness: BURST real cases whose deadlines all come due at one instant; the simulated
   clock jumps past it and each DeadlineReached is timed from the jump to its recording.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from bench.common import percentile
from services.escalation.calendar import BusinessCalendar
from services.escalation.commands import AssignCase
from services.escalation.config import LadderSettings
from services.escalation.events import SupervisionRaised, TimerRequest
from services.escalation.scheduler import TimerScheduler
from services.escalation.service import Ladder, run_command
from services.escalation.timers import TimerIndex
from services.intake.events import CaseReported
from shared.config import CommonSettings
from shared.consumers.rebuild import rebuild
from shared.db.schema import escalation_timers
from shared.events.envelope import EventEnvelope, new_event
from shared.log.embedded import EmbeddedLog
from shared.org.levels import Level
from shared.org.loader import load_org_tree, sample_county_path
from shared.runtime.build import open_database
from shared.runtime.clock import SimulatedClock
from shared.vocabulary import Tier

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def disk_mb(directory: Path, pattern: str) -> float:
    return sum(f.stat().st_size for f in directory.glob(pattern)) / 2**20


def rss_mb() -> float:
    """Current resident memory of this process."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def schedule(log: EmbeddedLog, n: int) -> float:
    started = time.perf_counter()
    semaphore = asyncio.Semaphore(256)

    async def one(i: int) -> None:
        case_id = f"bench-{i}"
        timer = TimerRequest(
            timer_id=f"{case_id}|supervision|1|1",
            kind="supervision",
            due_at=T0 + timedelta(days=30, seconds=i % 86_400),
        )
        payload = SupervisionRaised(
            count=1, unit_code="330681", next_due_at=timer.due_at, timers=(timer,)
        )
        async with semaphore:
            await log.append(case_id, [new_event(payload, case_id=case_id, producer="bench")])

    for chunk in range(0, n, 10_000):  # bounded: a million pending tasks would cost gigabytes
        await asyncio.gather(*(one(i) for i in range(chunk, min(chunk + 10_000, n))))
    return time.perf_counter() - started


async def lateness(
    log: EmbeddedLog, directory: Path, burst: int, *, profile: bool = False
) -> list[float]:
    settings = CommonSettings(database_url=f"sqlite+aiosqlite:///{directory}/burst.db")
    engine = await open_database(settings)
    tree = load_org_tree(sample_county_path())
    grid = tree.units(level=Level.GRID)[0].code
    path = {level: unit.code for level, unit in tree.path(grid).items()}
    clock = SimulatedClock(T0)
    ladder = Ladder(
        log=log, tree=tree, clock=clock, settings=LadderSettings(), calendar=BusinessCalendar()
    )
    semaphore = asyncio.Semaphore(256)
    requested: list[EventEnvelope] = []

    async def one(i: int) -> None:
        case_id = str(uuid.uuid4())
        reported = CaseReported(
            title="t",
            description="d",
            unit_code=grid,
            grid_unit_code=grid,
            reported_by="bench",
            fingerprint="f",
            number=f"b-{i}",
        )
        async with semaphore:
            await log.append(case_id, [new_event(reported, case_id=case_id, producer="bench")])
            requested.extend(
                await run_command(
                    ladder,
                    case_id=case_id,
                    make=lambda _s, _p: AssignCase(tier=Tier.RED, unit_path=path),
                )
            )

    await asyncio.gather(*(one(i) for i in range(burst)))
    async with engine.begin() as conn:
        await TimerIndex().apply_many(requested, conn)
    scheduler = TimerScheduler(ladder=ladder, engine=engine)
    due = T0 + timedelta(days=5)
    clock.set(due + timedelta(seconds=1))
    profiler = _profiler() if profile else None
    jumped = datetime.now(UTC)
    while await scheduler.fire_due():
        pass
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    delays: list[float] = []
    async for batch in log.replay():
        for delivery in batch:
            event = delivery.event
            if event is not None and event.event_type == "DeadlineReached":
                assert event.recorded_at is not None
                delays.append((event.recorded_at - jumped).total_seconds())
    await engine.dispose()
    return delays


def _profiler() -> Any:
    """pyinstrument around the firing (``--profile``; ``pip install pyinstrument``)."""
    from pyinstrument import Profiler

    profiler = Profiler(async_mode="enabled")
    profiler.start()
    return profiler


async def main(n: int, burst: int, profile: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        log = EmbeddedLog(f"sqlite+aiosqlite:///{directory}/log.db", batch_size=5000)
        await log.start()
        seconds = await schedule(log, n)
        print(
            f"scheduled {n:,} timers (events appended to the timer stream): {seconds:.1f} s "
            f"({n / seconds:,.0f}/s)"
        )
        settings = CommonSettings(database_url=f"sqlite+aiosqlite:///{directory}/index.db")
        engine = await open_database(settings)
        before = rss_mb()
        report = await rebuild(log=log, engine=engine, projection=TimerIndex())
        async with engine.connect() as conn:
            rows = (
                await conn.execute(select(func.count()).select_from(escalation_timers))
            ).scalar()
        size = disk_mb(directory, "index.db*")
        print(
            f"rebuilt the index of {rows:,} pending timers from the stream in "
            f"{report.seconds:.1f} s (target <= 60 s)"
        )
        print(
            f"index: {size:,.0f} MB on disk (SQLite); resident memory of this process "
            f"{rss_mb():,.0f} MB after the rebuild ({before:,.0f} MB before; target <= 300 MB)"
        )
        await engine.dispose()
        delays = await lateness(log, directory, burst, profile=profile)
        print(
            f"{len(delays):,} deadlines due at once: lateness p50 {percentile(delays, 50):.2f} s, "
            f"p99 {percentile(delays, 99):.2f} s (target p99 <= 1 s)"
        )
        await log.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timers", type=int, default=1_000_000)
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true", help="print where the firing goes")
    args = parser.parse_args()
    asyncio.run(main(args.timers, args.burst, args.profile))
