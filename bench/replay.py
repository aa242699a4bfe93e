"""Replay benchmark: rebuild every read model from 1,000,000 events into PostgreSQL.

    .venv/bin/python bench/replay.py [--events 1000000] [--rounds 3] [--database-url URL]

1. Templates: a short simulated stretch of the sample county runs through the real
   services (``services.year_demo``) and yields real case streams: reports, triage,
   assignments, escalations, acknowledgements, attempts, resolutions, follow-ups,
   dispatch orders and their deliveries.
2. The log: the template streams are cloned under new case and event ids (every id
   inside a body is mapped, so timer, order and delivery ids stay unique) until there
   are EVENTS events, written straight into the SQL event store of a fresh PostgreSQL
   database with COPY.
3. Rebuild: ``rebuild_all`` over every registered read model (``services.replay``),
   fresh tables and the swap included.
4. Ceiling: the rebuilt rows are loaded again with COPY (asyncpg
   ``copy_records_to_table``) into empty copies of the tables, twice; EVENTS / the faster
   load's time is the raw ceiling, printed next to the rebuild's rate as a ratio.
5. Steps 3 and 4 are one round; ROUNDS rounds are run (each rebuild swaps its tables in
   and the next starts afresh) and the median ratio is printed: the speed of a shared
   machine drifts by a third from minute to minute, so one round can mislead. Each
   round's checksums are printed and must be equal.

The database is FQ_TEST_DATABASE_URL's server (a fresh database, dropped afterwards) or
``--database-url`` (used as it is).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.replay_clone import cloned_rows
from bench.replay_templates import harvest_templates
from services.replay import BATCH_EVENTS, PROCESSES, ReplaySource, projections, sharded
from shared.config import CommonSettings
from shared.consumers.rebuild import Progress, rebuild_all
from shared.log.port import EventLog
from shared.runtime.build import open_database

DEFAULT_SERVER = "postgresql+asyncpg://fengqiao:fengqiao@127.0.0.1:5432/fengqiao_test"


def _pg_args(url: str) -> dict[str, object]:
    parsed = make_url(url)
    return {
        "user": parsed.username,
        "password": parsed.password,
        "host": parsed.host,
        "port": parsed.port or 5432,
        "database": parsed.database,
    }


@contextlib.asynccontextmanager
async def fresh_database(server: str) -> AsyncIterator[str]:
    name = f"bench_replay_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(**_pg_args(server))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(server).set(database=name).render_as_string(hide_password=False)
        finally:
            await _drop(admin, name)
    finally:
        await admin.close()


async def _drop(admin: asyncpg.Connection, name: str) -> None:
    """A plain DROP DATABASE tells autovacuum workers there to stop (FORCE may not signal
    them without privileges); FORCE only for a session of ours still open."""
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    except asyncpg.ObjectInUseError:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def copy_log(url: str, rows: list[tuple[object, ...]]) -> float:
    conn = await asyncpg.connect(**_pg_args(url))
    try:
        started = time.perf_counter()
        await conn.copy_records_to_table(
            "event_log",
            records=rows,
            columns=[
                "position",
                "event_id",
                "case_id",
                "sequence",
                "event_type",
                "recorded_at",
                "body",
                "published",
            ],
        )
        seconds = time.perf_counter() - started
        await conn.execute("SELECT setval('event_log_position_seq', $1)", len(rows))
        # As a log that has been in service a while: vacuumed, its rows' hint bits set (the
        # first read of freshly loaded rows sets them and writes every page again).
        await conn.execute("VACUUM (ANALYZE) event_log")
        return seconds
    finally:
        await conn.close()


async def copy_ceiling(url: str, tables: list[str]) -> tuple[float, int]:
    """COPY the rebuilt rows into empty copies of their tables: seconds and rows."""
    conn = await asyncpg.connect(**_pg_args(url))
    try:
        loaded: list[tuple[str, list[asyncpg.Record]]] = []
        for table in tables:
            await conn.execute(f'CREATE TABLE "{table}__ceiling" (LIKE "{table}" INCLUDING ALL)')
            loaded.append((table, await conn.fetch(f'SELECT * FROM "{table}"')))
        started = time.perf_counter()
        for table, records in loaded:
            if records:
                await conn.copy_records_to_table(
                    f"{table}__ceiling", records=records, columns=list(records[0].keys())
                )
        seconds = time.perf_counter() - started
        for table in tables:
            await conn.execute(f'DROP TABLE "{table}__ceiling"')
        return seconds, sum(len(records) for _, records in loaded)
    finally:
        await conn.close()


async def run(events: int, url: str, template_cases: int, processes: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        templates = await harvest_templates(Path(directory), cases=template_cases)
        print(
            f"templates: {len(templates):,} events of {template_cases} simulated cases "
            f"({time.perf_counter() - started:.0f} s)"
        )
    settings = CommonSettings(log_backend="embedded", log_url=url, database_url=url)
    engine = await open_database(settings)
    source = ReplaySource(settings)
    log = source.log()
    await log.start()  # the event store's tables
    ratios: list[float] = []
    try:
        rows = cloned_rows(templates, events)
        log_copy = await copy_log(url, rows)
        print(
            f"log: {len(rows):,} events written with COPY in {log_copy:.1f} s "
            f"({len(rows) / log_copy:,.0f}/s)"
        )
        del rows
        for round_ in range(1, rounds + 1):
            print(f"round {round_} of {rounds}")
            ratios.append(await one_round(log, engine, source, processes))
    finally:
        await log.close()
        await engine.dispose()
    ratios.sort()
    print(
        f"ratio, median of {rounds} rounds: {statistics.median(ratios):.1%} of the ceiling "
        f"(each: {', '.join(f'{r:.1%}' for r in ratios)}; targets: >= 20,000 events/s, >= 30%)"
    )


async def server_quiet(url: str, *, at_most: float = 180.0) -> float:
    """Wait until no autovacuum worker runs (it vacuums and analyses the tables a rebuild
    has just swapped in), so that neither measure shares the cores with it; the seconds
    waited."""
    conn = await asyncpg.connect(**_pg_args(url))
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < at_most:
            busy = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
            )
            if not busy:
                break
            await asyncio.sleep(0.5)
        return time.perf_counter() - started
    finally:
        await conn.close()


async def one_round(
    log: EventLog, engine: AsyncEngine, source: ReplaySource, processes: int
) -> float:
    """A rebuild, its checksums, then the ceiling, the faster of two loads (each step on a
    server with no autovacuum running); prints them, returns the ratio."""
    url = source.settings.database_url
    print(f"  server quiet after {await server_quiet(url):.1f} s")
    last = [0.0]

    def progress(p: Progress) -> None:
        if p.seconds - last[0] >= 10:
            last[0] = p.seconds
            print(f"  {p.events:,} of {p.total:,} ({p.events / p.seconds:,.0f}/s)")

    report = await rebuild_all(
        log=log,
        engine=engine,
        projections=projections(log),
        on_progress=progress,
        batch_events=BATCH_EVENTS,
        sharded=sharded(source, processes),
    )
    rate = report.events_per_second
    tables = list(report.checksums)
    print(
        f"  rebuild: {report.events:,} events into {', '.join(tables)} in "
        f"{report.seconds:.1f} s = {rate:,.0f} events/s"
    )
    for table, checksum in report.checksums.items():
        print(f"    {table}: sha256 {checksum}")
    loads = []
    for _ in range(2):
        print(f"  server quiet after {await server_quiet(url):.1f} s")
        loads.append(await copy_ceiling(url, tables))
    ceiling_seconds, ceiling_rows = min(loads)
    ceiling = report.events / ceiling_seconds
    print(
        f"  ceiling: the same {ceiling_rows:,} rows with COPY in {ceiling_seconds:.2f} s "
        f"(the faster of {', '.join(f'{seconds:.2f}' for seconds, _ in loads)} s) "
        f"= {ceiling:,.0f} events/s"
    )
    print(f"  ratio: {rate / ceiling:.1%} of the ceiling")
    return rate / ceiling


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--template-cases", type=int, default=60)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--processes", type=int, default=PROCESSES)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    options = (args.events, args.template_cases, args.processes, args.rounds)
    if args.database_url:
        await run(args.events, args.database_url, *options[1:])
        return
    server = os.environ.get("FQ_TEST_DATABASE_URL", DEFAULT_SERVER)
    async with fresh_database(server) as url:
        await run(args.events, url, *options[1:])


if __name__ == "__main__":
    asyncio.run(main())
