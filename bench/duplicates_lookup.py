"""Candidate lookup benchmark: 1,000,000 cases in the duplicate index, lookup p99 and memory.

    .venv/bin/python bench/duplicates_lookup.py [--cases 1000000] [--lookups 2000]
        [--database-url postgresql+asyncpg://...]   (default: FQ_TEST_DATABASE_URL)

Creates a database of its own (dropped afterwards), migrates it, bulk-loads the index with
COPY (cases spread over the villages and a year, a share of them still open), then times
the lookup triage does for each new report: the open cases of the report's neighbourhood
within the window, read and scored (``DuplicateIndex.candidates`` + ``ranked``). Prints
p50/p99 beside the target (p99 <= 20 ms), the table's and its index's size in PostgreSQL
and the bench process's peak resident memory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg
from sqlalchemy.engine import make_url

from bench.common import percentile
from services.triage.config import DuplicatesSettings
from services.triage.duplicates.decide import ranked
from services.triage.duplicates.index import DuplicateIndex, Entry
from services.triage.duplicates.similarity import ReportSketch
from shared.db.engine import make_engine
from shared.db.migrate import upgrade_to_head

TARGET_P99_MS = 20.0
END = datetime(2026, 3, 1, tzinfo=UTC)
ACCOUNTS = (
    "邻居家的狗每天晚上叫到深夜，吵得全家睡不着觉。",
    "楼上住户连续一周晚上装修，噪音很大，影响休息。",
    "包工头拖欠农民工工资，多次讨要无果。",
    "小区门口的垃圾桶三天没人清理，臭味很大。",
    "老人反映儿子不履行赡养义务，生活困难。",
    "两家因宅基地边界发生争执，互不相让。",
)
CATEGORIES = ("neighbour", "labour", "family", "land", "property")
COLUMNS = (
    "case_id", "case_number", "neighbourhood", "unit_code", "category", "text",
    "party_keys", "reported_at", "open", "decision", "decided_case_id",
    "decided_case_number", "score",
)  # fmt: skip


def village(n: int) -> str:
    return f"330681{100 + n // 40:03d}{n % 40:03d}"


def rows(count: int, villages: int, days: int, open_share: float) -> Iterator[tuple[object, ...]]:
    rng = random.Random(7)
    span = days * 86400
    for n in range(count):
        v = village(rng.randrange(villages))
        yield (
            f"bench-{n}", f"FQ-{n:08d}", v, f"{v}{rng.randrange(1, 9):03d}",
            rng.choice(CATEGORIES), f"{rng.choice(ACCOUNTS)}（第{n}号）", "[]",
            END - timedelta(seconds=rng.randrange(span)), rng.random() < open_share,
            "new", None, None, None,
        )  # fmt: skip


@asynccontextmanager
async def own_database(base_url: str) -> AsyncIterator[str]:
    url = make_url(base_url)
    name = f"bench_dup_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(
        user=url.username, password=url.password, host=url.host,
        port=url.port or 5432, database=url.database,
    )  # fmt: skip
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def load(url: str, args: argparse.Namespace) -> float:
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(plain)
    started = time.perf_counter()
    try:
        batch: list[tuple[object, ...]] = []
        for row in rows(args.cases, args.villages, args.days, args.open_share):
            batch.append(row)
            if len(batch) == 100_000:
                await conn.copy_records_to_table("duplicate_index", records=batch, columns=COLUMNS)
                batch = []
        if batch:
            await conn.copy_records_to_table("duplicate_index", records=batch, columns=COLUMNS)
        await conn.execute("ANALYZE duplicate_index")
        return time.perf_counter() - started
    finally:
        await conn.close()


async def lookups(url: str, args: argparse.Namespace) -> list[float]:
    engine = make_engine(url, durable=False)
    index = DuplicateIndex(engine, DuplicatesSettings())
    rng = random.Random(11)
    timings: list[float] = []
    try:
        for n in range(args.lookups):
            v = village(rng.randrange(args.villages))
            at = END - timedelta(seconds=rng.randrange(args.days * 86400))
            sketch = ReportSketch(rng.choice(ACCOUNTS), rng.choice(CATEGORIES), f"{v}001")
            entry = Entry(f"new-{n}", f"NEW-{n}", v, at, sketch)
            started = time.perf_counter()
            async with engine.connect() as conn:
                ranked(sketch, await index.candidates(conn, entry))
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        await engine.dispose()
    return timings


async def sizes(url: str) -> tuple[int, int]:
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(plain)
    try:
        table = await conn.fetchval("SELECT pg_table_size('duplicate_index')")
        indexes = await conn.fetchval("SELECT pg_indexes_size('duplicate_index')")
        return int(table), int(indexes)
    finally:
        await conn.close()


async def main(args: argparse.Namespace) -> int:
    async with own_database(args.database_url) as url:
        await asyncio.to_thread(upgrade_to_head, url)
        loaded = await load(url, args)
        await lookups(url, argparse.Namespace(**{**vars(args), "lookups": 100}))  # warm up
        timings = await lookups(url, args)
        table, indexes = await sizes(url)
    p50, p99 = percentile(timings, 50), percentile(timings, 99)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"cases in the index      {args.cases:,} ({args.villages} villages, {args.days} days, "
          f"{args.open_share:.0%} open), loaded in {loaded:.1f} s")  # fmt: skip
    print(f"candidate lookups       {len(timings):,}")
    print(f"lookup p50              {p50:.2f} ms")
    print(f"lookup p99              {p99:.2f} ms   (target <= {TARGET_P99_MS:.0f} ms)")
    print(f"PostgreSQL table/index  {table / 2**20:.0f} MiB / {indexes / 2**20:.0f} MiB")
    print(f"bench peak RSS          {peak_mb:.0f} MiB")
    return 0 if p99 <= TARGET_P99_MS else 1


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--villages", type=int, default=2000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--open-share", type=float, default=0.3)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("FQ_TEST_DATABASE_URL") or os.environ.get("FQ_DATABASE_URL"),
    )
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or FQ_TEST_DATABASE_URL) is needed: a PostgreSQL URL")
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
