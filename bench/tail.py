"""Where the latency tail of report -> dispatch order comes from: one steady rate on the
embedded system with probes (``bench/tail_probe.py``), then the cases' latencies beside the
server's event-loop stalls and garbage collections, and this (client and receiver) process's
own loop lateness, which would count in the latencies too.

    .venv/bin/python bench/tail.py [--rate 100] [--seconds 8] [--runs 1] [--profile PREFIX]

Runs follow each other on one server, as ``bench/capacity.py``'s steps do. ``--profile``
records each run with py-spy (installed by hand: not a dependency of the project).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.capacity import quiet
from bench.common import Served, cpu_seconds, percentile, served
from bench.notify import SECRET, arrivals, embedded_env, orders, report_paced, webhook_grids
from services.sandbox.receiver import Receiver
from shared.config import CommonSettings
from shared.runtime.collection import tune_gc


async def lateness(into: list[float]) -> None:
    while True:
        before = time.monotonic()
        await asyncio.sleep(0.010)
        into.append((time.monotonic() - before - 0.010) * 1000)


def jiffies(stat: str) -> list[int]:
    """The counters of a /proc stat file: the machine's (its first line) or a thread's."""
    text = Path(stat).read_text()
    if stat == "/proc/stat":
        return [int(n) for n in text.split("\n")[0].split()[1:9]]
    fields = text.rsplit(")", 1)[1].split()
    return [int(fields[11]) + int(fields[12])]


def machine_line(before: list[int], after: list[int]) -> str:
    used = [b - a for a, b in zip(before, after, strict=True)]
    names = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]
    return "  ".join(f"{n} {u / sum(used):.0%}" for n, u in zip(names, used, strict=True))


async def one_run(app: Served, tmp: Path, receiver: Receiver, args: argparse.Namespace) -> None:
    """One steady rate; then what the probes saw during it."""
    await quiet(app.pid)
    spy = None
    if args.profile:  # py-spy, installed by hand
        out = f"{args.profile}-{time.monotonic():.0f}.txt"
        command = ["py-spy", "record", "-p", str(app.pid), "-r", "100", "-f", "raw", "-o", out]
        spy = await asyncio.create_subprocess_exec(
            *command, "-d", str(int(args.seconds) + 1), stdout=subprocess.DEVNULL
        )
    mine: list[float] = []
    ticker = asyncio.create_task(lateness(mine))
    start, cpu = time.monotonic(), cpu_seconds(app.pid)
    loop_thread = f"/proc/{app.pid}/task/{app.pid}/stat"
    machine, thread = jiffies("/proc/stat"), jiffies(loop_thread)
    before = len(orders(receiver))
    sent = await report_paced(app.base, webhook_grids(), rate=args.rate, seconds=args.seconds)
    await receiver.wait_for(lambda r: len(orders(r)) >= before + 2 * len(sent), within=300)
    wall = time.monotonic() - start
    busy = (jiffies(loop_thread)[0] - thread[0]) / os.sysconf("SC_CLK_TCK") / wall
    ticker.cancel()
    print("machine:", machine_line(machine, jiffies("/proc/stat")))
    if spy is not None:
        await spy.wait()
    await quiet(app.pid)
    per_case = (cpu_seconds(app.pid) - cpu) / len(sent) * 1000
    print(f"server CPU per case {per_case:.2f} ms; the loop's thread busy {busy:.0%}")
    await asyncio.sleep(1.5)  # the probe writes its figures every second
    probe = json.loads((tmp / "probe.json").read_text())
    got = arrivals(receiver)
    cases = sorted((at, got[case] - at) for case, at in sent.items())
    report(cases, probe, mine, start)
    breakdown(sent, got, stages(tmp / "log.db"))


def report(
    cases: list[tuple[float, float]], probe: dict[str, Any], mine: list[float], t0: float
) -> None:
    latencies = [lat for _, lat in cases]
    p99 = percentile(latencies, 99)
    print(
        f"cases {len(cases)}  p50 {percentile(latencies, 50) * 1000:.0f} ms"
        f"  p99 {p99 * 1000:.0f} ms  max {max(latencies) * 1000:.0f} ms"
    )
    late = [ms for at, ms in probe["lateness"] if at >= t0]
    print(
        f"server loop lateness of a 10 ms sleep: p50 {percentile(late, 50):.1f} ms  "
        f"p99 {percentile(late, 99):.1f}  max {max(late):.0f} ms ({len(late)} ticks)"
    )
    print(
        f"client loop lateness: p50 {percentile(mine, 50):.1f} ms  p99 {percentile(mine, 99):.1f}"
        f"  max {max(mine):.0f} ms"
    )
    gcs = [g for g in probe["gcs"] if g["at"] >= t0]
    for gen in (0, 1, 2):
        ms = [g["ms"] for g in gcs if g["gen"] == gen]
        if ms:
            print(f"  gc gen {gen}: {len(ms)} runs, total {sum(ms):.0f} ms, max {max(ms):.1f} ms")
    calls = [c for c in probe["calls"] if c["at"] >= t0]
    for what in sorted({c["what"] for c in calls}):
        ms = sorted(c["ms"] for c in calls if c["what"] == what)
        longest = sorted((c for c in calls if c["what"] == what), key=lambda c: -c["ms"])[:4]
        print(
            f"  {what}: {len(ms)}, p50 {percentile(ms, 50):.1f} ms, p99 {percentile(ms, 99):.1f},"
            f" total {sum(ms):.0f} ms; longest (ended at s, ms): "
            f"{[(round(c['at'] - t0, 2), round(c['ms'])) for c in longest]}"
        )
    held = sorted((c for c in calls if "where" in c), key=lambda c: -c["ms"])
    places = collections.Counter(c["where"] for c in held)
    for where, count in places.most_common(3):
        ms = [c["ms"] for c in held if c["where"] == where]
        print(f"  held > 30 ms {count} times (max {max(ms):.0f} ms), taken at:")
        print("    " + "\n    ".join(where.splitlines()[-7:]))
    stalls = sorted((s for s in probe["stalls"] if s["start"] >= t0), key=lambda s: -s["ms"])
    print(
        f"server loop stalls > 40 ms: {len(stalls)}, {sum(s['ms'] for s in stalls):.0f} ms in all"
    )
    slow = [(round(at - t0, 2), round(lat * 1000)) for at, lat in cases if lat >= p99]
    print("slowest cases (sent at s, latency ms):", slow[:12])
    for s in stalls[:8]:
        print(f"--- stall at {s['start'] - t0:.2f} s, {s['ms']:.0f} ms")
        for stack, count in s["stacks"][:2]:
            print(f"  [{count} samples]")
            print("    " + "\n    ".join(stack.splitlines()[-9:]))


def stages(database: Path) -> dict[str, dict[str, float]]:
    """Case id -> event type -> when it was recorded (monotonic seconds)."""
    shift = time.time() - time.monotonic()
    found: dict[str, dict[str, float]] = {}
    with sqlite3.connect(database) as db:
        for case, kind, at in db.execute("SELECT case_id, event_type, recorded_at FROM event_log"):
            when = datetime.fromisoformat(at).replace(tzinfo=UTC).timestamp() - shift
            found.setdefault(case, {}).setdefault(kind, when)
    return found


def breakdown(
    sent: dict[str, float], got: dict[str, float], recorded: dict[str, dict[str, float]]
) -> None:
    """Mean time from the report to each event, for the slowest 2 % and the middle cases."""
    ordered = sorted(sent, key=lambda c: got[c] - sent[c])
    groups = {
        "middle": ordered[len(ordered) // 4 : 3 * len(ordered) // 4],
        "slowest 2%": ordered[-max(1, len(ordered) // 50) :],
    }
    kinds = sorted(
        {k for c in sent for k in recorded.get(c, {})},
        key=lambda k: statistics.median(
            recorded[c][k] - sent[c] for c in sent if k in recorded.get(c, {})
        ),
    )
    for name, group in groups.items():
        parts = []
        for kind in kinds:
            ms = [
                (recorded[c][kind] - sent[c]) * 1000 for c in group if kind in recorded.get(c, {})
            ]
            if ms:
                parts.append(f"{kind} {statistics.mean(ms):.0f}")
        parts.append(
            f"order at webhook {statistics.mean((got[c] - sent[c]) * 1000 for c in group):.0f}"
        )
        print(f"  {name}: " + ", ".join(parts))


async def main(args: argparse.Namespace) -> None:
    tune_gc(young_threshold=CommonSettings().gc_young_threshold)
    receiver = await Receiver(secret=SECRET).start()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        env = {**embedded_env(tmp, receiver), "FQ_BENCH_PROBE_OUT": str(tmp / "probe.json")}
        with served(env, module="bench.tail_probe") as app:
            for _ in range(args.runs):
                await one_run(app, tmp, receiver, args)
    await receiver.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--profile", default="", help="py-spy's raw stacks to PREFIX-*.txt")
    asyncio.run(main(parser.parse_args()))
