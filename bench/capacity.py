"""Capacity of the embedded system: the highest steady report rate at which the time from
reporting a case to its dispatch order reaching the grid's webhook stays within its target
(p99 ≤ 500 ms), the CPU each case costs, and where that CPU goes.

    .venv/bin/python bench/capacity.py [--start 100] [--step 100] [--seconds 10]

Everything runs in one process on the embedded log, as ``make run``: reports in over HTTP,
triage, assignment, dispatch orders delivered to the sandbox receiver (in this benchmark's
process, with the client), the read models. Each step holds one rate for SECONDS (open loop:
a report every 1/rate s whatever the answers), then waits for every order. Rates rise by
STEP until a step misses the target; one step halfway between the last pass and the miss
then narrows it. The capacity is the highest rate that passed.

* CPU per case: the server process's user + system CPU from a step's first report until
  its last order arrived and the process went quiet, over the step's cases.
* Where it goes: the same steady rate (``--stage-rate``) on processes that run the stages
  cumulatively (``bench/stages.py``): intake with the case list; + the other read models
  (unit queues, the measures' facts); + triage; + escalation; + notify. Each difference is
  one stage's CPU per case.
* Ceiling: what the same server answers per second on a route that does no work
  (``GET /healthz``) at the client's concurrency: the HTTP stack's own rate, which no
  report rate can pass.

CPU times come from /proc (Linux).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import cpu_seconds, percentile, served
from bench.notify import (
    HEADERS,
    SECRET,
    embedded_env,
    latency_run,
    report_paced,
    webhook_grids,
)
from bench.stages import STAGES
from services.sandbox.receiver import Receiver
from shared.config import CommonSettings
from shared.runtime.collection import tune_gc

CONCURRENCY = 64
QUIET_CPU_S = 0.03
"""Below this much CPU per quarter second the server counts as quiet (timers, polls)."""


async def quiet(pid: int, *, within: float = 120) -> None:
    """Return once the process used under QUIET_CPU_S of CPU in each of two quarter seconds."""
    calm = 0
    last = cpu_seconds(pid)
    deadline = time.monotonic() + within
    while calm < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.25)  # CPU use has no event to await
        now = cpu_seconds(pid)
        calm = calm + 1 if now - last < QUIET_CPU_S else 0
        last = now


async def step(
    base: str, pid: int, receiver: Receiver, grids: list[str], rate: int, seconds: float
) -> dict[str, float]:
    """One steady rate: latencies (s) and CPU per case (s) of the server."""
    await quiet(pid)
    cpu, wall = cpu_seconds(pid), time.monotonic()
    latencies = await latency_run(base, receiver, grids, rate, seconds)
    await quiet(pid)
    used = cpu_seconds(pid) - cpu
    return {
        "rate": rate,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max": max(latencies),
        "cpu_per_case": used / len(latencies),
        "busy": used / (time.monotonic() - wall),
    }


def line(result: dict[str, float], target: float) -> str:
    verdict = "pass" if result["p99"] <= target else "MISS"
    return (
        f"  {result['rate']:>5.0f}/s  p50 {result['p50'] * 1000:>7.0f} ms  "
        f"p99 {result['p99'] * 1000:>7.0f} ms  max {result['max'] * 1000:>7.0f} ms  "
        f"CPU {result['cpu_per_case'] * 1000:5.2f} ms/case  server busy "
        f"{result['busy']:.0%}  {verdict}"
    )


async def climb(args: argparse.Namespace, receiver: Receiver) -> list[dict[str, float]]:
    """Rates up to the first miss, then one halfway: every step's figures."""
    grids = webhook_grids()
    target = args.target_ms / 1000
    results: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp, served(embedded_env(Path(tmp), receiver)) as app:
        rate, passed = args.start, 0
        while rate <= args.most:
            result = await step(app.base, app.pid, receiver, grids, rate, args.seconds)
            results.append(result)
            print(line(result, target), flush=True)
            if result["p99"] > target:
                break
            passed, rate = rate, rate + args.step
        halfway = (passed + rate) // 2
        if passed and rate <= args.most and passed < halfway < rate:
            result = await step(app.base, app.pid, receiver, grids, halfway, args.seconds)
            results.append(result)
            print(line(result, target), flush=True)
        print(f"  ceiling: GET /healthz {await ceiling(app.base, args.seconds):,.0f}/s")
    return results


async def ceiling(base: str, seconds: float) -> float:
    """Requests per second the server answers on a route that does no work."""
    done = 0
    stop = time.monotonic() + min(seconds, 5)
    async with aiohttp.ClientSession(
        base, headers=HEADERS, connector=aiohttp.TCPConnector(limit=CONCURRENCY)
    ) as client:

        async def worker() -> None:
            nonlocal done
            while time.monotonic() < stop:
                async with client.get("/healthz") as answer:
                    await answer.read()
                done += 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return done / (time.monotonic() - started)


async def stage_costs(args: argparse.Namespace, receiver: Receiver) -> dict[str, float]:
    """CPU per case of each cumulative set of stages at the same steady rate."""
    grids = webhook_grids()
    costs: dict[str, float] = {}
    names = list(STAGES)
    for count in range(1, len(names) + 1):
        stages = ",".join(names[:count])
        with tempfile.TemporaryDirectory() as tmp:
            env = {**embedded_env(Path(tmp), receiver), "FQ_BENCH_STAGES": stages}
            with served(env, module="bench.stages") as app:
                await quiet(app.pid)
                cpu = cpu_seconds(app.pid)
                sent = await report_paced(
                    app.base, grids, rate=args.stage_rate, seconds=args.seconds
                )
                await quiet(app.pid)
                costs[stages] = (cpu_seconds(app.pid) - cpu) / len(sent)
    return costs


async def main(args: argparse.Namespace) -> None:
    # This process sends the reports and is the receiver: tuned as the system's process is.
    tune_gc(young_threshold=CommonSettings().gc_young_threshold)
    receiver = await Receiver(secret=SECRET).start()
    print(f"report -> dispatch order at the webhook, target p99 <= {args.target_ms:.0f} ms:")
    results = await climb(args, receiver)
    target = args.target_ms / 1000
    passing = [r for r in results if r["p99"] <= target]
    best = max(passing, key=lambda r: r["rate"]) if passing else None
    if best is None:
        print(f"capacity: below {args.start}/s (no step met the target)")
    else:
        print(
            f"capacity: {best['rate']:.0f} reports/s (p99 {best['p99'] * 1000:.0f} ms, "
            f"CPU {best['cpu_per_case'] * 1000:.2f} ms per case)"
        )
    print(f"\nCPU per case by stage, at {args.stage_rate}/s for {args.seconds:.0f} s:")
    costs = await stage_costs(args, receiver)
    before = 0.0
    for stages, cost in costs.items():
        stage = stages.rsplit(",", 1)[-1]
        print(f"  {stage:<12} {(cost - before) * 1000:6.2f} ms   (up to here {cost * 1000:.2f} ms)")
        before = cost
    median = statistics.median(r["cpu_per_case"] for r in results) * 1000
    print(f"  (whole system in the climb: median {median:.2f} ms per case)")
    await receiver.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--start", type=int, default=100)
    parser.add_argument("--step", type=int, default=100)
    parser.add_argument("--most", type=int, default=1600, help="the highest rate tried")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--target-ms", type=float, default=500)
    parser.add_argument("--stage-rate", type=int, default=100)
    asyncio.run(main(parser.parse_args()))
