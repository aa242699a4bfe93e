"""Intake benchmark: accepted cases/s and POST /v1/cases latency, next to the raw ceiling.

    .venv/bin/python bench/intake.py [--cases 5000] [--kafka] [--stages intake]

Embedded mode always runs: the whole system in one process, as ``make run`` (every case is
triaged, assigned and its orders delivered while reports come in); ``--stages`` also runs
a process with only the named stages of ``bench/stages.py`` (``intake``: the reports' API
and the case list, as an intake process of its own beside the embedded log would be).
With --kafka (needs FQ_TEST_KAFKA_BOOTSTRAP and FQ_TEST_DATABASE_URL, see deploy/local/)
the same runs on Kafka + PostgreSQL.
The ceiling is the same number of events appended straight to the log adapter (no HTTP).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import open_loop, percentile, server
from shared.cases.catalogue.intake import CaseReported
from shared.config import CommonSettings
from shared.events.envelope import new_event
from shared.log.port import EventLog
from shared.org.levels import Level
from shared.org.loader import load_org_tree
from shared.runtime.build import build_log

CONCURRENCY = 64


def sample_body(grid: str, i: int) -> dict[str, object]:
    return {
        "title": f"邻里纠纷 {i}",
        "description": "楼上住户夜间装修噪音扰民，双方多次争吵，请网格员调解。",
        "unit_code": grid,
        "parties": [{"name": "测试甲", "phone": "0575-87000000"}],
        "parties_count": 2,
    }


HEADERS = {"Authorization": "Bearer dev"}


async def throughput(base: str, grids: list[str], n: int) -> tuple[float, list[float]]:
    """Closed loop: CONCURRENCY clients post back to back; returns cases/s and latencies."""
    latencies: list[float] = []
    counter = iter(range(n))
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(base, headers=HEADERS, connector=connector) as client:

        async def worker() -> None:
            for i in counter:
                started = time.perf_counter()
                body = sample_body(grids[i % len(grids)], i)
                async with client.post("/v1/cases", json=body) as answer:
                    assert answer.status == 201, await answer.text()
                    await answer.read()
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    return n / elapsed, latencies


async def paced(base: str, grids: list[str], *, rate: int, seconds: float) -> list[float]:
    """Open loop: start a request every 1/rate s regardless of answers; return latencies."""
    latencies: list[float] = []
    total = int(rate * seconds)
    connector = aiohttp.TCPConnector(limit=256)
    async with aiohttp.ClientSession(base, headers=HEADERS, connector=connector) as client:

        async def one(i: int) -> None:
            started = time.perf_counter()
            body = sample_body(grids[i % len(grids)], i)
            async with client.post("/v1/cases", json=body) as answer:
                assert answer.status == 201, await answer.text()
                await answer.read()
            latencies.append(time.perf_counter() - started)

        await open_loop(one, rate=rate, total=total)
    return latencies


async def raw_ceiling(log: EventLog, grids: list[str], n: int) -> float:
    await log.start()
    try:

        async def one(i: int) -> None:
            case_id = str(uuid.uuid4())
            payload = CaseReported(
                title="t",
                description="d",
                unit_code=grids[i % len(grids)],
                reported_by="bench",
                fingerprint="f",
                number=f"bench-{i}",
            )
            event = new_event(payload, case_id=case_id, producer="bench")
            await log.append(case_id, [event], expected_version=0)

        semaphore = asyncio.Semaphore(CONCURRENCY)

        async def limited(i: int) -> None:
            async with semaphore:
                await one(i)

        started = time.perf_counter()
        await asyncio.gather(*(limited(i) for i in range(n)))
        return n / (time.perf_counter() - started)
    finally:
        await log.close()


def report(
    mode: str, *, rate: float, paced_latencies: list[float], ceiling: float, paced_rate: int
) -> None:
    print(f"[{mode}] accepted cases/s (concurrency {CONCURRENCY}): {rate:,.0f}")
    print(
        f"[{mode}] latency at {paced_rate}/s: p50 {percentile(paced_latencies, 50) * 1000:.1f} ms,"
        f" p99 {percentile(paced_latencies, 99) * 1000:.1f} ms"
    )
    print(f"[{mode}] raw append ceiling (same count, no HTTP): {ceiling:,.0f} events/s")
    print(f"[{mode}] intake / ceiling: {rate / ceiling:.0%}")


def run_mode(
    mode: str,
    env: dict[str, str],
    settings: CommonSettings,
    n: int,
    paced_rate: int,
    *,
    module: str = "services.all_in_one",
) -> None:
    grids = [u.code for u in load_org_tree(settings.org_file).units(level=Level.GRID)]
    with server(env, module=module) as base:
        # Paced first, on a fresh system: the backlog of the saturation run would still be
        # projecting and would distort the latencies.
        paced_latencies = asyncio.run(paced(base, grids, rate=paced_rate, seconds=n / paced_rate))
        rate, _ = asyncio.run(throughput(base, grids, n))
    ceiling = asyncio.run(raw_ceiling(build_log(settings), grids, n))
    report(mode, rate=rate, paced_latencies=paced_latencies, ceiling=ceiling, paced_rate=paced_rate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--kafka", action="store_true")
    parser.add_argument("--stages", help="also a process with only these stages (bench/stages.py)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "FQ_LOG_URL": f"sqlite+aiosqlite:///{tmp}/log.db",
            "FQ_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/app.db",
        }
        settings = CommonSettings(
            log_url=f"sqlite+aiosqlite:///{tmp}/ceiling.db", database_url=env["FQ_DATABASE_URL"]
        )
        run_mode("embedded", env, settings, args.cases, args.rate)
    if args.stages:
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                "FQ_LOG_URL": f"sqlite+aiosqlite:///{tmp}/log.db",
                "FQ_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/app.db",
                "FQ_BENCH_STAGES": args.stages,
            }
            settings = CommonSettings(
                log_url=f"sqlite+aiosqlite:///{tmp}/ceiling.db",
                database_url=env["FQ_DATABASE_URL"],
            )
            mode = f"embedded, {args.stages} only"
            run_mode(mode, env, settings, args.cases, args.rate, module="bench.stages")
    if args.kafka:
        bootstrap = os.environ["FQ_TEST_KAFKA_BOOTSTRAP"]
        database = os.environ["FQ_TEST_DATABASE_URL"]
        topic = f"bench-{uuid.uuid4().hex[:8]}"
        env = {
            "FQ_LOG_BACKEND": "kafka",
            "FQ_KAFKA_BOOTSTRAP": bootstrap,
            "FQ_DATABASE_URL": database,
            "FQ_KAFKA_TOPIC": topic,
            "FQ_KAFKA_IDEMPOTENCE": "false",
        }
        settings = CommonSettings(
            log_backend="kafka",
            kafka_bootstrap=bootstrap,
            database_url=database,
            kafka_topic=f"{topic}-ceiling",
            kafka_idempotence=False,
        )
        run_mode("kafka", env, settings, args.cases, args.rate)


if __name__ == "__main__":
    main()
