"""The load of a chaos run: reports sent as a real client sends them.

Each report has its own Idempotency-Key and is sent again, with the same key and body, until
intake acknowledges it (200/201): after a refusal (503, 5xx), a connection refused or reset
by a killed process, or a timeout. Every answer is counted; a key acknowledged twice with two
different case ids is recorded (it would be a duplicate case).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.common import open_loop

EXAMPLE_PHONE = "17000000000"  # a made-up number, not a person's
RETRY_FIRST, RETRY_MAX = 0.2, 2.0  # seconds between attempts of one report
ACKNOWLEDGED = (200, 201)
IN_FLIGHT = 64  # requests at once; the client's connection pool has as many
# Permanent answers: the report itself is wrong, sending it again cannot help.
PERMANENT = (400, 401, 403, 404, 409, 413, 422)


def marker(run: str, n: int) -> str:
    """The title of report ``n`` of run ``run``: how the check finds the run's cases."""
    return f"chaos {run} #{n}"


def report_body(run: str, n: int, unit_code: str) -> dict[str, Any]:
    """Report ``n``: an incident of its own (another building); the drill runs with the
    duplicate thresholds at 1.0 (``chaos.py``), so triage folds none of the run's reports into
    another (合并工单) and each one runs its own clock and orders."""
    return {
        "title": marker(run, n),
        "description": (
            f"{n}号楼{n % 6 + 1}单元楼上住户连续一周夜间装修，双方多次争吵"
            f"（演练 {run} 第 {n} 件）。"
        ),
        "unit_code": unit_code,
        "parties": [{"name": "演练", "phone": EXAMPLE_PHONE}],
        "parties_count": 2,
    }


@dataclass
class Sent:
    """What the clients saw: acknowledged case ids by report number, and every answer."""

    run: str
    reports: int = 0
    attempts: int = 0
    acknowledged: dict[int, str] = field(default_factory=dict)
    conflicting_ids: dict[int, set[str]] = field(default_factory=dict)
    answers: Counter[str] = field(default_factory=Counter)
    """HTTP status codes and transport errors, by name."""
    refused_for_good: dict[int, int] = field(default_factory=dict)
    unacknowledged: set[int] = field(default_factory=set)
    """Reports still not acknowledged when the client gave up (its deadline passed)."""


async def send_until_acknowledged(
    api: httpx.AsyncClient,
    sent: Sent,
    n: int,
    *,
    unit_code: str,
    give_up_at: float,
    in_flight: asyncio.Semaphore,
) -> None:
    body = report_body(sent.run, n, unit_code)
    key = f"chaos-{sent.run}-{n}"
    pause = RETRY_FIRST
    sent.reports += 1
    while True:
        sent.attempts += 1
        try:
            async with in_flight:
                answer = await api.post("/v1/cases", json=body, headers={"Idempotency-Key": key})
        except httpx.HTTPError as exc:
            sent.answers[type(exc).__name__] += 1
        else:
            sent.answers[str(answer.status_code)] += 1
            if answer.status_code in ACKNOWLEDGED:
                _acknowledge(sent, n, answer.json()["id"])
                return
            if answer.status_code in PERMANENT:
                sent.refused_for_good[n] = answer.status_code
                return
        if time.monotonic() + pause > give_up_at:
            sent.unacknowledged.add(n)
            return
        await asyncio.sleep(pause)
        pause = min(RETRY_MAX, pause * 2)


def _acknowledge(sent: Sent, n: int, case_id: str) -> None:
    earlier = sent.acknowledged.setdefault(n, case_id)
    if earlier != case_id:
        sent.conflicting_ids.setdefault(n, {earlier}).add(case_id)


async def load(
    api: httpx.AsyncClient,
    sent: Sent,
    *,
    rate: float,
    seconds: float,
    unit_code: str,
    retry_for: float,
) -> None:
    """``rate`` new reports a second for ``seconds``, each retried for up to ``retry_for`` s
    after the load ends, then awaited."""
    give_up_at = time.monotonic() + seconds + retry_for
    # Waiting reports queue here, not in the HTTP client's pool: its queue costs CPU per
    # waiting request on every change, and thousands of them starve the event loop.
    in_flight = asyncio.Semaphore(IN_FLIGHT)

    async def one(n: int) -> None:
        await send_until_acknowledged(
            api, sent, n, unit_code=unit_code, give_up_at=give_up_at, in_flight=in_flight
        )

    await open_loop(one, rate=rate, total=int(rate * seconds))
