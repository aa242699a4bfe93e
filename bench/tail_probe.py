"""The embedded system (as ``services.all_in_one``) with probes for its latency tail: how late
the event loop runs (a 10 ms sleep's lateness), every stretch in which it did not run for
over ``STALL_MS`` with what the loop's thread was executing (sampled by a watchdog thread),
every garbage collection with its generation and duration, the durable commits, WAL
checkpoints and duplicate checks with their durations, and how long each pooled database
connection was held (where it was taken, for holds over 30 ms). Figures are written as JSON
to ``FQ_BENCH_PROBE_OUT`` every second and at exit; ``bench/tail.py`` reads them.

    FQ_BENCH_PROBE_OUT=/tmp/probe.json .venv/bin/python -m bench.tail_probe
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import gc
import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

import shared.runtime.serve as serving
from services.processes import ALL_IN_ONE
from shared.runtime.collection import tune_gc

STALL_MS = 40.0
TICK_S = 0.010
SAMPLE_S = 0.005
FRAMES = 14


class Probe:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.beat = time.monotonic()
        self.lateness: list[tuple[float, float]] = []
        self.gcs: list[dict[str, Any]] = []
        self.stalls: list[dict[str, Any]] = []
        self.calls: list[dict[str, Any]] = []
        self.task: asyncio.Task[None] | None = None
        self._gc_started = 0.0
        self._main = threading.main_thread().ident
        self._lock = threading.Lock()

    def on_gc(self, phase: str, info: dict[str, int]) -> None:
        now = time.monotonic()
        if phase == "start":
            self._gc_started = now
        else:
            took = (now - self._gc_started) * 1000
            self.gcs.append({"at": now, "gen": info["generation"], "ms": took})

    async def ticker(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(TICK_S)
            now = time.monotonic()
            self.lateness.append((now, (now - before - TICK_S) * 1000))
            self.beat = now

    def watch(self) -> None:
        stall: dict[str, Any] | None = None
        samples: collections.Counter[str] = collections.Counter()
        while True:
            time.sleep(SAMPLE_S)
            now = time.monotonic()
            late = (now - self.beat) * 1000 - TICK_S * 1000
            if late > STALL_MS:
                frame = sys._current_frames().get(self._main or 0)
                if frame is not None:
                    stack = traceback.extract_stack(frame)[-FRAMES:]
                    samples["\n".join(f"{f.filename}:{f.lineno} {f.name}" for f in stack)] += 1
                if stall is None:
                    stall = {"start": self.beat}
            elif stall is not None:
                stall["ms"] = (self.beat - stall["start"]) * 1000
                stall["stacks"] = samples.most_common(3)
                with self._lock:
                    self.stalls.append(stall)
                stall, samples = None, collections.Counter()

    def dump(self) -> None:
        with self._lock:
            data = {
                "lateness": self.lateness,
                "gcs": self.gcs,
                "stalls": self.stalls,
                "calls": self.calls,
            }
            self.out.write_text(json.dumps(data))

    def dumper(self) -> None:
        while True:
            time.sleep(1)
            self.dump()


def timed(probe: Probe, owner: Any, name: str, label: str) -> None:
    """Record each call of ``owner.name`` (sync or async): when it ended and how long it took."""
    original = getattr(owner, name)

    def note(started: float) -> None:
        now = time.monotonic()
        probe.calls.append({"at": now, "what": label, "ms": (now - started) * 1000})

    if asyncio.iscoroutinefunction(original):

        async def wrapped_async(*args: Any, **kwargs: Any) -> Any:
            started = time.monotonic()
            try:
                return await original(*args, **kwargs)
            finally:
                note(started)

        setattr(owner, name, wrapped_async)
    else:

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            started = time.monotonic()
            try:
                return original(*args, **kwargs)
            finally:
                note(started)

        setattr(owner, name, wrapped)


def instrument(probe: Probe) -> None:
    from services.triage.duplicates.index import DuplicateIndex
    from shared.db.inline_sqlite import InlineConnection
    from shared.log.checkpoint import WalCheckpointer
    from shared.log.sql_driver import StoreTransactions

    timed(probe, StoreTransactions, "checkpoint_wal", "writer checkpoint (awaited)")
    timed(probe, WalCheckpointer, "checkpoint", "periodic checkpoint (thread)")
    timed(probe, InlineConnection, "_timed_commit", "durable commit")
    timed(probe, InlineConnection, "_waiting", "locked: retried in thread")
    timed(probe, DuplicateIndex, "decide", "duplicate check (a report's decision)")


def holds(probe: Probe) -> None:
    """How long each pooled connection is held, and where the longest were taken."""
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    taken: dict[int, tuple[float, str]] = {}

    def checkout(dbapi: Any, record: Any, proxy: Any) -> None:
        stack = traceback.extract_stack()[-FRAMES:-2]
        where = "\n".join(f"{f.filename}:{f.lineno} {f.name}" for f in stack)
        taken[id(record)] = (time.monotonic(), where)

    def checkin(dbapi: Any, record: Any) -> None:
        started, where = taken.pop(id(record), (0.0, ""))
        if started:
            now = time.monotonic()
            ms = (now - started) * 1000
            entry: dict[str, Any] = {"at": now, "what": "pooled connection held", "ms": ms}
            if ms > 30:
                entry["where"] = where
            probe.calls.append(entry)

    event.listen(Pool, "checkout", checkout)
    event.listen(Pool, "checkin", checkin)


def start(probe: Probe) -> None:
    gc.callbacks.append(probe.on_gc)
    loop = asyncio.get_running_loop()
    probe.task = loop.create_task(probe.ticker())
    threading.Thread(target=probe.watch, daemon=True).start()
    threading.Thread(target=probe.dumper, daemon=True).start()
    atexit.register(probe.dump)


def main() -> None:
    probe = Probe(Path(os.environ["FQ_BENCH_PROBE_OUT"]))
    instrument(probe)
    holds(probe)

    def tune_and_probe(*, young_threshold: int) -> tuple[int, int, int]:
        # Called by the server once started, on its loop: the probes start there.
        thresholds = tune_gc(young_threshold=young_threshold)
        start(probe)
        return thresholds

    setattr(serving, "tune_gc", tune_and_probe)  # noqa: B010 (the server's own name for it)
    serving.serve(ALL_IN_ONE, default_port=8000)


if __name__ == "__main__":
    main()
