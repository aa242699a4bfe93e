"""Timer benchmark on the embedded log: schedule, index memory, rebuild, firing lateness.

    .venv/bin/python bench/timers.py [--timers 1000000] [--burst 10000]

1. Schedule: append N events that each ask for a timer (the durable timer stream).
2. Rebuild: build the timer index from the start of the stream (what a restart costs
   without the stored index), with the process's resident memory before and after.
3. Lateness: BURST real cases whose deadlines all come due at one instant, among the N
   pending timers (their earlier timers, acknowledgement window, chase and pre-breach
   warning, fire before it, unmeasured); the simulated clock jumps past it and each
   DeadlineReached is timed from the jump to its recording and to the commit of its round.
   Twice: with the scheduler running (it planned the firings while it waited) and just
   started (after an outage: it reads and decides everything when it comes due).
4. Ceiling: the same number of events, built and encoded beforehand, in one batched append.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from bench.common import percentile
from bench.timers_bursts import T0, Burst, Bursts
from services.escalation.timers.projection import TimerIndex
from shared.cases.catalogue.escalation import SupervisionRaised, TimerRequest
from shared.cases.catalogue.intake import CaseReported
from shared.config import CommonSettings
from shared.consumers.rebuild import rebuild
from shared.db.schema import escalation_timers
from shared.events.codec import encode_unrecorded
from shared.events.envelope import new_event
from shared.log.embedded import EmbeddedLog
from shared.log.port import AppendRequest, AppendResult
from shared.runtime.build import open_database


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


async def ceiling(log: EmbeddedLog, cases: int, events: int) -> tuple[float, float]:
    """The same number of events, built beforehand, in one batched append to as many cases:
    (seconds until recorded, seconds until committed)."""
    per_case = max(1, events // cases)
    requests = []
    for _ in range(cases):
        case_id = str(uuid.uuid4())
        note = CaseReported(
            title="t",
            description="d",
            unit_code="x",
            grid_unit_code=None,
            reported_by="bench",
            fingerprint="f",
            number="c",
        )
        batch = [new_event(note, case_id=case_id, producer="bench") for _ in range(per_case)]
        bodies = tuple(encode_unrecorded(event) for event in batch)  # as planned firings are
        requests.append(AppendRequest(case_id, batch, occur_when_recorded=True, bodies=bodies))
    started = time.perf_counter()
    began = datetime.now(UTC)
    outcomes = await log.append_batch(requests)
    committed = time.perf_counter() - started
    first = next(o for o in outcomes if isinstance(o, AppendResult))
    assert first.events[0].recorded_at is not None
    return (first.events[0].recorded_at - began).total_seconds(), committed


def _lateness_line(label: str, burst: Burst) -> str:
    d, v = burst.delays, burst.visible
    return (
        f"{len(d):,} deadlines due at once, {label}: DeadlineReached committed p50 "
        f"{percentile(v, 50):.2f} s, p99 {percentile(v, 99):.2f} s (target p99 <= 1 s; "
        f"stamped p50 {percentile(d, 50):.2f} s, p99 {percentile(d, 99):.2f} s); the whole "
        f"round ({burst.events:,} events) settled after {burst.committed:.2f} s"
    )


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
        bursts = Bursts(log, engine, burst)
        cold = await bursts.fire(await bursts.cases(), planned_ahead=False, profile=profile)
        warm = await bursts.fire(await bursts.cases(), planned_ahead=True, profile=profile)
        print(_lateness_line("scheduler running (planned while it waited)", warm))
        print(_lateness_line("scheduler just started (nothing planned, after an outage)", cold))
        recorded, committed = await ceiling(log, burst, warm.events)
        print(
            f"ceiling: {warm.events:,} events built beforehand, one batched append to "
            f"{burst:,} cases: recorded after {recorded:.2f} s, committed after {committed:.2f} s"
        )
        await engine.dispose()
        await log.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timers", type=int, default=1_000_000)
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true", help="print where the firing goes")
    args = parser.parse_args()
    asyncio.run(main(args.timers, args.burst, args.profile))
