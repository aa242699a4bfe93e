"""This log beside the reference Python event store, eventsourcing 9.5.6, in one run.

    make bench-peers [ARGS='--streams 10000 --rounds 3 --databases sqlite,postgres']

(``make bench-peers`` installs eventsourcing from requirements-bench.lock into
.venv/bench-peers, outside the project's locked environment, and runs this file with that
directory on its path.)

Four workloads, one client, on SQLite and on PostgreSQL, each side in every round on a store
of its own (a fresh SQLite file in WAL mode with ``synchronous=FULL`` on both sides; a fresh
PostgreSQL database with the server's fsync and ``synchronous_commit`` on both sides):

a. append, one event per durable commit: STREAMS new streams of one event each;
b. append, PER_COMMIT stream-appends per commit: STREAMS more new streams (ours:
   ``append_batch``; theirs: one ``insert_events`` with events of PER_COMMIT originators);
c. read every stream of a and b back, one call each, from a connection opened afresh;
d. rebuild a count projection (events per type) into PostgreSQL from the 2 x STREAMS stored
   events (ours: ``rebuild_all``, the path of ``services.replay``; theirs: its notification
   log into a tracking recorder, one transaction per event, as its process recorders do).

Both sides run under the garbage-collector settings of a served process of this project
(``shared.runtime.collection.tune_gc``: what start-up built frozen, the youngest generation
collected every ``FQ_GC_YOUNG_THRESHOLD`` allocations), and each timed step starts with the
harness's heap frozen (its prepared events, the side's open store), unfrozen after: a full
collection then walks what the step itself made, not the harness's input, on both sides.

Rounds alternate (ours, theirs, ours, theirs, ...); the medians of ROUNDS rounds are printed,
each beside its peer's, with the median of the rounds' ratios (ours / theirs: above 1 is
faster here) and their range.

What differs (so part of any gap is the price of more work, not waste): our envelope carries
an event id, correlation and causation ids, the producer, a schema version, occurrence and
recording times, and the log stamps each event's sequence and recording time into its stored
body; our append fences the stream's head (``expected_version``; theirs relies on the
primary key), handles idempotency keys (none are used here), notifies subscribers and keeps
a window of recent records in memory (reads here start from a log opened afresh, so it does
not answer them); our reads validate the envelope of every event (theirs decode the JSON
state); our rebuild applies thousands of events per transaction into fresh tables and swaps
them in with their positions, theirs updates a live table in one transaction per event with
its tracking record (which is where most of the projection's difference comes from).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg

from bench.peers_events import BenchEvent, Side, expected_counts, make_events
from bench.peers_ours import OurSide
from bench.replay import DEFAULT_SERVER, _pg_args, fresh_database
from shared.config import CommonSettings
from shared.runtime.collection import tune_gc

try:
    from bench.peers_theirs import TheirSide
except ImportError as missing:
    raise SystemExit(
        f"{missing}: run `make bench-peers` (it installs eventsourcing into .venv/bench-peers)"
    ) from missing

T = TypeVar("T")
SideFactory = Callable[[str, str], Side]
WORKLOADS = {
    "lone": "append, one event per durable commit",
    "batched": "append, {per_commit:,} stream-appends per commit",
    "read": "read every stream back, one call each",
    "rebuild": "rebuild a count projection into PostgreSQL",
}


async def timed(step: Awaitable[T]) -> tuple[T, float]:
    gc.freeze()
    try:
        started = time.perf_counter()
        result = await step
        return result, time.perf_counter() - started
    finally:
        gc.unfreeze()


@contextlib.asynccontextmanager
async def stores(kind: str, server: str, directory: Path) -> AsyncIterator[tuple[str, str]]:
    """A fresh event store of ``kind`` and a fresh PostgreSQL database for the projection
    (the store's own database on PostgreSQL): their URLs."""
    async with fresh_database(server) as database:
        if kind == "postgres":
            yield database, database
            return
        with tempfile.TemporaryDirectory(dir=directory) as files:
            yield f"sqlite+aiosqlite:///{files}/log.db", database


async def one_round(
    factory: SideFactory, urls: tuple[str, str], events: list[BenchEvent], per_commit: int
) -> tuple[str, dict[str, float]]:
    """The four workloads on one side and one fresh store: its name, events/s per workload."""
    side = factory(*urls)
    await side.open()
    try:
        half = len(events) // 2
        _, seconds = await timed(side.append_lone(side.prepare(events[:half])))
        rates = {"lone": half / seconds}
        _, seconds = await timed(side.append_batched(side.prepare(events[half:]), per_commit))
        rates["batched"] = (len(events) - half) / seconds
        await side.reopen()
        read, seconds = await timed(side.read_each([e.stream_id for e in events]))
        if read != len(events):
            raise RuntimeError(f"{side.name}: read {read} events of {len(events)}")
        rates["read"] = read / seconds
        await side.reopen()
        counts, seconds = await timed(side.rebuild_counts())
        if counts != expected_counts(events):
            raise RuntimeError(f"{side.name}: counted {counts}, not {expected_counts(events)}")
        rates["rebuild"] = len(events) / seconds
        return side.name, rates
    finally:
        await side.close()


def _line(name: str, rates: dict[str, float]) -> str:
    return f"    {name:<14}" + "".join(f"{k} {v:>9,.0f}/s  " for k, v in rates.items())


async def compare(
    kind: str, server: str, directory: Path, streams: int, per_commit: int, rounds: int
) -> dict[str, tuple[list[float], list[float]]]:
    """ROUNDS rounds on ``kind``, ours then theirs in each: every round's rates per side."""
    per_side: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in WORKLOADS}
    for round_ in range(1, rounds + 1):
        print(f"  {kind}, round {round_} of {rounds}")
        events = make_events(2 * streams)
        sides: tuple[SideFactory, ...] = (OurSide, TheirSide)
        for index, factory in enumerate(sides):
            async with stores(kind, server, directory) as urls:
                name, rates = await one_round(factory, urls, events, per_commit)
            print(_line(name, rates), flush=True)
            for workload, rate in rates.items():
                per_side[workload][index].append(rate)
    return per_side


def table(results: dict[str, dict[str, tuple[list[float], list[float]]]], per_commit: int) -> None:
    """Medians per side, and the median and range of the rounds' ratios (each round's pair
    ran back to back, so its ratio is the fairest single figure on a machine that drifts)."""
    print()
    print("| database | workload | this log, events/s | eventsourcing 9.5.6 | ratio | rounds |")
    print("|---|---|---:|---:|---:|---:|")
    for kind, per_workload in results.items():
        for workload, (ours, theirs) in per_workload.items():
            what = WORKLOADS[workload].format(per_commit=per_commit)
            ratios = sorted(mine / peer for mine, peer in zip(ours, theirs, strict=True))
            print(
                f"| {kind} | {what} | {statistics.median(ours):,.0f} | "
                f"{statistics.median(theirs):,.0f} | {statistics.median(ratios):.2f} | "
                f"{ratios[0]:.2f}–{ratios[-1]:.2f} |"
            )
    print()
    print(
        "events/s: medians of the rounds; ratio: this log / eventsourcing, median of the "
        "rounds' ratios (above 1: faster here); rounds: their lowest and highest ratio"
    )


async def server_version(server: str) -> str:
    conn = await asyncpg.connect(**_pg_args(server))
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--streams", type=int, default=10_000)
    parser.add_argument("--per-commit", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--server", default=os.environ.get("FQ_TEST_DATABASE_URL"))
    parser.add_argument("--directory", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    server = args.server or DEFAULT_SERVER
    args.per_commit = min(args.per_commit, args.streams)
    kinds = [k.strip() for k in args.databases.split(",") if k.strip()]
    print(
        f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, PostgreSQL "
        f"{await server_version(server)}, eventsourcing {metadata.version('eventsourcing')}"
    )
    print(
        f"{args.streams:,} streams of one event per append workload, "
        f"{args.per_commit:,} per batched commit, {args.rounds} rounds per database, one client"
    )
    thresholds = tune_gc(young_threshold=CommonSettings().gc_young_threshold)
    print(f"garbage collection as in a served process: thresholds {thresholds}, start-up frozen")
    results = {}
    started = time.perf_counter()
    for kind in kinds:
        results[kind] = await compare(
            kind, server, args.directory, args.streams, args.per_commit, args.rounds
        )
    table(results, args.per_commit)
    print(f"{time.perf_counter() - started:.0f} s in all; load at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
