"""Notify benchmark: dispatch orders delivered per second to a local receiver, and the time
from reporting a case to its dispatch order arriving there, at a steady report rate.

    .venv/bin/python bench/notify.py [--rate 200] [--seconds 15] [--burst 2000]

The whole system runs in one process on the embedded log (as ``make run``); the receiver
(the sandbox receiver: webhooks and SMS gateway) runs in this benchmark's process. The
ceiling is what the receiver takes from a plain client in the same run: signed POSTs at the
dispatcher's concurrency through the channels' HTTP client, without the log, the outbox or
the planning.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import open_loop, percentile, server
from services.notify.config import NotifySettings
from services.notify.http_client import make_http_client
from services.sandbox.receiver import Receiver
from shared.api.signing import signed_headers
from shared.config import CommonSettings
from shared.org.levels import Level
from shared.org.loader import load_org_tree, sample_county_path
from shared.runtime.collection import tune_gc

HEADERS = {"Authorization": "Bearer dev"}
SECRET = b"bench-secret"
CONCURRENCY = 64


def webhook_grids() -> list[str]:
    """Grids whose primary contact, and their village's, take both webhook and SMS. A report
    raised a tier (the third dispute of one kind at one place is a repeat, RULES.md §2)
    starts at the village: its order must still make the two deliveries counted here."""
    tree = load_org_tree(sample_county_path())
    both = {"webhook", "sms"}
    return [
        g.code
        for g in tree.units(level=Level.GRID)
        if both <= set(g.primary.channels)
        and both <= set(tree.ancestors(g.code)[0].primary.channels)
    ]


def embedded_env(directory: Path, receiver: Receiver) -> dict[str, str]:
    """The whole system on the embedded log in ``directory``, the sample county's webhooks
    and SMS gateway pointed at ``receiver``."""
    org = directory / "org.json"
    text = sample_county_path().read_text(encoding="utf-8")
    org.write_text(text.replace("http://127.0.0.1:8900", receiver.url), encoding="utf-8")
    return {
        "FQ_LOG_URL": f"sqlite+aiosqlite:///{directory}/log.db",
        "FQ_DATABASE_URL": f"sqlite+aiosqlite:///{directory}/app.db",
        "FQ_ORG_FILE": str(org),
        "FQ_NOTIFY_SIGNING_SECRET": SECRET.decode(),
        "FQ_NOTIFY_SMS_GATEWAY_URL": f"{receiver.url}/sms",
        "FQ_LOG_LEVEL": "WARNING",
        # Each report is checked for duplicates (合并工单) as in production: its
        # neighbourhood's open cases are looked up and scored. The reports here tell one
        # incident many times, so nothing may fold or be proposed (or most would get no
        # order of their own): the check's cost is paid, its decision is "a new incident".
        "FQ_DUPLICATES_ENABLED": "true",
        "FQ_DUPLICATES_FOLD_THRESHOLD": "1.0",
        "FQ_DUPLICATES_PROPOSE_THRESHOLD": "1.0",
    }


def body(grid: str, i: int) -> dict[str, object]:
    return {
        "title": f"邻里纠纷 {i}",
        "description": "楼上住户夜间装修，噪音很大。",
        "unit_code": grid,
        "parties_count": 2,
    }


async def report_paced(
    base: str, grids: list[str], *, rate: int, seconds: float
) -> dict[str, float]:
    """Open loop at ``rate``: case id -> monotonic time its report was sent."""
    sent: dict[str, float] = {}
    total = int(rate * seconds)
    connector = aiohttp.TCPConnector(limit=256)
    async with aiohttp.ClientSession(base, headers=HEADERS, connector=connector) as client:

        async def one(i: int) -> None:
            started = time.monotonic()
            async with client.post("/v1/cases", json=body(grids[i % len(grids)], i)) as answer:
                assert answer.status == 201, await answer.text()
                sent[(await answer.json())["id"]] = started

        await open_loop(one, rate=rate, total=total)
    return sent


def orders(receiver: Receiver) -> list[float]:
    """When each dispatch order delivery (webhook or SMS) first arrived: the hotspot warnings
    (研判) that a burst of like reports raises are other deliveries, not counted here."""
    return [
        r.at
        for r in receiver.first.values()
        if r.body.get("purpose") == "order" or r.body.get("template_id") == "FQ_ORDER_V1"
    ]


def arrivals(receiver: Receiver) -> dict[str, float]:
    """Case id -> when its first dispatch order reached a webhook."""
    seen: dict[str, float] = {}
    for r in receiver.unique("/hooks/").values():
        if r.body.get("purpose") == "order":
            seen.setdefault(str(r.body["case_id"]), r.at)
    return seen


async def latency_run(
    base: str, receiver: Receiver, grids: list[str], rate: int, seconds: float
) -> list[float]:
    before = len(orders(receiver))
    sent = await report_paced(base, grids, rate=rate, seconds=seconds)
    expected = before + 2 * len(sent)  # webhook and SMS per case
    await receiver.wait_for(lambda r: len(orders(r)) >= expected, within=300)
    got = arrivals(receiver)
    return [got[case] - at for case, at in sent.items()]


async def burst_run(base: str, receiver: Receiver, grids: list[str], n: int) -> tuple[int, float]:
    """Report ``n`` cases as fast as possible; deliveries per second as they arrive."""
    before = len(orders(receiver))
    start = time.monotonic()
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(base, headers=HEADERS, connector=connector) as client:
        queue = list(range(n))

        async def worker() -> None:
            while queue:
                i = queue.pop()
                async with client.post("/v1/cases", json=body(grids[i % len(grids)], i)) as a:
                    assert a.status == 201
                    await a.read()

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    # Each blue case at a webhook grid gets two deliveries (webhook and SMS).
    expected = before + 2 * n
    await receiver.wait_for(lambda r: len(orders(r)) >= expected, within=600)
    last = max(orders(receiver))
    return expected - before, last - start


async def ceiling(receiver: Receiver, n: int) -> float:
    """The receiver's own capacity: signed JSON POSTs at the same concurrency, through the
    HTTP client the channels use."""
    async with make_http_client(NotifySettings(http_connections=CONCURRENCY)) as client:
        queue = list(range(n))

        async def worker() -> None:
            while queue:
                i = queue.pop()
                raw = orjson.dumps({"type": "dispatch_order", "case_id": f"ceiling-{i}"})
                headers = {
                    "Idempotency-Key": f"ceiling-{i}",
                    "Content-Type": "application/json",
                    **signed_headers(SECRET, timestamp=str(int(time.time())), body=raw),
                }
                status = await client.post(
                    f"{receiver.url}/hooks/ceiling", content=raw, headers=headers
                )
                assert status == 200

        start = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return n / (time.monotonic() - start)


async def main(rate: int, seconds: float, burst: int) -> None:
    # This process sends the reports and is the receiver: tuned as the system's process is,
    # so its own pauses are not counted as the system's latency.
    tune_gc(young_threshold=CommonSettings().gc_young_threshold)
    receiver = await Receiver(secret=SECRET).start()
    grids = webhook_grids()
    with tempfile.TemporaryDirectory() as tmp, server(embedded_env(Path(tmp), receiver)) as base:
        latencies = await latency_run(base, receiver, grids, rate, seconds)
        delivered, took = await burst_run(base, receiver, grids, burst)
    top = await ceiling(receiver, burst * 2)
    await receiver.stop()
    per_second = delivered / took
    print(f"report -> dispatch order at the receiver, at {rate} cases/s for {seconds:.0f} s:")
    print(
        f"  p50 {percentile(latencies, 50) * 1000:.0f} ms,"
        f" p90 {percentile(latencies, 90) * 1000:.0f} ms,"
        f" p99 {percentile(latencies, 99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        f" ({len(latencies)} cases)"
    )
    print(
        f"deliveries/s ({burst} cases reported at once, {delivered} deliveries): {per_second:,.0f}"
    )
    print(f"receiver ceiling (plain signed POSTs, concurrency {CONCURRENCY}): {top:,.0f}/s")
    print(f"notify / ceiling: {per_second / top:.0%}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--burst", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(main(args.rate, args.seconds, args.burst))
