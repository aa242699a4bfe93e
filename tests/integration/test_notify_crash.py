"""Notify killed (SIGKILL) in the middle of a delivery: the restarted process delivers each
order once more with the same idempotency key, so the receiver accepts each exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.sandbox.receiver import Receiver
from tests.integration.notify_support import SECRET, org_file_for, started_receiver
from tests.integration.test_intake_api import report

pytestmark = pytest.mark.alone

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def environment(receiver: Receiver, directory: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "PORT": str(port),
        "FQ_LOG_BACKEND": "embedded",
        "FQ_LOG_URL": f"sqlite+aiosqlite:///{directory}/log.db",
        "FQ_DATABASE_URL": f"sqlite+aiosqlite:///{directory}/app.db",
        "FQ_ORG_FILE": str(org_file_for(receiver, directory)),
        "FQ_NOTIFY_SIGNING_SECRET": SECRET,
        "FQ_NOTIFY_SMS_GATEWAY_URL": f"{receiver.url}/sms",
        "FQ_NOTIFY_HOTLINE_CALLBACK_URL": f"{receiver.url}/hotline/feedback",
        "FQ_NOTIFY_HTTP_TIMEOUT_SECONDS": "30",
        "FQ_NOTIFY_LEASE_SECONDS": "1",
        "FQ_NOTIFY_RETRY_INITIAL_SECONDS": "0.05",
    }


async def poll(check: Callable[[], Awaitable[bool]], *, within: float = 30.0) -> None:
    """Another process's state can only be polled; the interval is short and bounded."""
    async with asyncio.timeout(within):
        while True:
            if await check():
                return
            await asyncio.sleep(0.1)


async def started(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(  # noqa: ASYNC220 - started once, watched by polling
        [sys.executable, "-m", "services.all_in_one"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    async def ready() -> bool:
        try:
            async with httpx.AsyncClient() as client:
                return (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200
        except httpx.HTTPError:
            return False

    await poll(ready, within=60)
    return process


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with started_receiver() as started_one:
        yield started_one


async def test_a_killed_notify_delivers_each_order_once_after_restart(
    receiver: Receiver, tmp_path: Path
) -> None:
    port = free_port()
    env = environment(receiver, tmp_path, port)
    api = httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": "Bearer dev"}
    )
    receiver.hang_next(2, seconds=60)  # both channels' first attempts hang
    process = await started(env, port)
    try:
        case_id = (await api.post("/v1/cases", json=report())).json()["id"]
        await receiver.wait_for(lambda r: r.arrivals >= 2)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert receiver.requests == [], "nothing was accepted before the crash"

    receiver.recover()
    process = await started(env, port)
    try:
        await receiver.wait_for(lambda r: len(r.unique()) == 2)
        history: list[dict[str, Any]] = []

        async def both_recorded() -> bool:
            history[:] = (await api.get(f"/v1/cases/{case_id}/events")).json()
            return sum(e["type"] == "DispatchOrderDelivered" for e in history) == 2

        await poll(both_recorded)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait()
        await api.aclose()

    counts = receiver.count_by_key()
    assert len(counts) == 2 and set(counts.values()) == {1}, counts
    issued = [e for e in history if e["type"] == "DispatchOrderIssued"]
    planned = {d["delivery_id"] for e in issued for d in e["payload"]["deliveries"]}
    assert planned == set(counts), "the keys after the restart are the planned ones"
