"""Broker outage drill against a running ``make stack``: nothing accepted may be lost.

A trickle of reports goes to intake while the broker is paused (SIGSTOP) for a while and
resumed (SIGCONT). Intake must answer 201 or 503 problem+json, never anything else; every
case it accepted must then get CaseTriaged and CaseAssigned, once each. Reports refused with
503 are sent again afterwards with the same Idempotency-Key, as a client would.

    .venv/bin/python deploy/local/outage_drill.py [--outage 30] [--rate 4]
    (FQ_PORT_BASE and FQ_KAFKA_PORT as for deploy/local/stack.sh)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
PROBLEM = "application/problem+json"
EXAMPLE_PHONE = "17000000000"  # a made-up drill number, not a person's
REPORT: dict[str, Any] = {
    "title": "邻居装修噪音纠纷",
    "description": "楼上住户连续一周夜间装修，双方多次争吵。",
    "unit_code": "330681106001001",
    "parties": [{"name": "演练", "phone": EXAMPLE_PHONE}],
    "parties_count": 2,
}


@dataclass
class Tally:
    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    accepted: dict[str, str] = field(default_factory=dict)  # idempotency key -> case id
    refused: list[str] = field(default_factory=list)  # keys answered 503
    refused_not_problem: int = 0
    errors: Counter[str] = field(default_factory=Counter)


async def send(api: httpx.AsyncClient, key: str, tally: Tally) -> None:
    tally.sent += 1
    try:
        answer = await api.post("/v1/cases", json=REPORT, headers={"Idempotency-Key": key})
    except httpx.HTTPError as exc:
        tally.errors[type(exc).__name__] += 1
        return
    tally.statuses[answer.status_code] += 1
    if answer.status_code == 201:
        tally.accepted[key] = answer.json()["id"]
    elif answer.status_code == 503:
        tally.refused.append(key)
        if not answer.headers.get("content-type", "").startswith(PROBLEM):
            tally.refused_not_problem += 1


async def trickle(api: httpx.AsyncClient, *, rate: float, seconds: float, tally: Tally) -> None:
    run = uuid.uuid4().hex[:8]
    started = time.monotonic()
    tasks = []
    for n in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
        tasks.append(asyncio.create_task(send(api, f"drill-{run}-{n}", tally)))
    await asyncio.gather(*tasks)


async def processed(api: httpx.AsyncClient, case_id: str) -> Counter[str]:
    events = (await api.get(f"/v1/cases/{case_id}/events")).json()
    return Counter(e["type"] for e in events)


async def wait_processed(
    api: httpx.AsyncClient, case_ids: list[str], *, within: float
) -> tuple[bool, int]:
    """Poll until each case has CaseTriaged and CaseAssigned; (all done, duplicates)."""
    pending = set(case_ids)
    deadline = time.monotonic() + within
    duplicates = 0
    while pending and time.monotonic() < deadline:
        for case_id in list(pending):
            counts = await processed(api, case_id)
            if counts["CaseTriaged"] and counts["CaseAssigned"]:
                pending.discard(case_id)
                duplicates += counts["CaseTriaged"] - 1 + counts["CaseAssigned"] - 1
        if pending:
            await asyncio.sleep(0.5)
    return not pending, duplicates


async def drill(args: argparse.Namespace) -> int:
    pid = int((ROOT / ".local" / "run" / f"kafka-{args.kafka_port}.pid").read_text())
    base = f"http://127.0.0.1:{args.port}"
    headers = {"Authorization": f"Bearer {args.key}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as api:
        tally = Tally()
        load = asyncio.create_task(
            trickle(
                api, rate=args.rate, seconds=args.before + args.outage + args.after, tally=tally
            )
        )
        await asyncio.sleep(args.before)
        os.kill(pid, signal.SIGSTOP)
        print(f"broker paused (SIGSTOP pid {pid}) for {args.outage:g} s", flush=True)
        try:
            await asyncio.sleep(args.outage)
        finally:
            os.kill(pid, signal.SIGCONT)
        resumed = time.monotonic()
        print("broker resumed (SIGCONT)", flush=True)
        await load
        answered = time.monotonic() - resumed
        all_done, duplicates = await wait_processed(
            api, list(tally.accepted.values()), within=args.catch_up
        )
        caught_up = time.monotonic() - resumed

        retried = Tally()
        for key in tally.refused:
            await send(api, key, retried)
        retried_done, retried_duplicates = await wait_processed(
            api, list(retried.accepted.values()), within=args.catch_up
        )

    other = {s: n for s, n in tally.statuses.items() if s not in (201, 503)}
    print(
        f"requests sent:              {tally.sent} ({args.rate:g}/s for "
        f"{args.before + args.outage + args.after:g} s, outage {args.outage:g} s)"
    )
    print(f"accepted (201):             {len(tally.accepted)}")
    print(
        f"refused (503):              {len(tally.refused)} "
        f"(not problem+json: {tally.refused_not_problem})"
    )
    print(
        f"other answers:              {other or 'none'}; transport errors: "
        f"{dict(tally.errors) or 'none'}"
    )
    print(
        f"all accepted processed:     {'yes' if all_done else 'no'} "
        f"(CaseTriaged and CaseAssigned; duplicates: {duplicates})"
    )
    print(
        f"time to catch up:           {caught_up:.1f} s after SIGCONT (the last request was "
        f"answered {answered:.1f} s after SIGCONT)"
    )
    print(
        f"503s retried, same key:     {retried.sent} -> {len(retried.accepted)} accepted, "
        f"all processed: {'yes' if retried_done else 'no'} (duplicates: {retried_duplicates})"
    )
    ok = all_done and not other and not tally.errors and tally.refused_not_problem == 0
    ok = ok and duplicates == 0 and retried_done
    print(f"drill: {'passed' if ok else 'FAILED'}")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("FQ_PORT_BASE", "8000")))
    parser.add_argument(
        "--kafka-port", type=int, default=int(os.environ.get("FQ_KAFKA_PORT", "9092"))
    )
    parser.add_argument("--key", default="dev", help="an API key with the reporter role")
    parser.add_argument("--rate", type=float, default=4.0, help="reports per second")
    parser.add_argument("--before", type=float, default=10.0, help="seconds before the outage")
    parser.add_argument("--outage", type=float, default=30.0, help="seconds the broker is paused")
    parser.add_argument("--after", type=float, default=10.0, help="seconds after the outage")
    parser.add_argument("--catch-up", type=float, default=180.0, help="how long to wait")
    sys.exit(asyncio.run(drill(parser.parse_args())))


if __name__ == "__main__":
    main()
