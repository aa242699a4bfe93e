"""A sandbox receiver the tests start, and the settings that point notify at it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.notify.dispatcher import Dispatcher
from services.notify.runtime import NotifyRuntime
from services.sandbox.receiver import Receiver
from shared.config import CommonSettings
from shared.org.loader import sample_county_path

SECRET = "test-signing-secret"


def org_file_for(receiver: Receiver, directory: Path) -> Path:
    """The sample county with every webhook pointing at the receiver."""
    text = sample_county_path().read_text(encoding="utf-8")
    path = directory / "org.json"
    path.write_text(text.replace("http://127.0.0.1:8900", receiver.url), encoding="utf-8")
    return path


def point_notify_at(
    monkeypatch: pytest.MonkeyPatch, receiver: Receiver, **settings: object
) -> None:
    values: dict[str, object] = {
        "signing_secret": SECRET,
        "sms_gateway_url": f"{receiver.url}/sms",
        "hotline_callback_url": f"{receiver.url}/hotline/feedback",
        "retry_initial_seconds": 0.05,
        "retry_max_seconds": 0.2,
        "retry_total_seconds": 30,
        "http_timeout_seconds": 2,
        "lease_seconds": 1,
    }
    values.update(settings)
    for name, value in values.items():
        monkeypatch.setenv(f"FQ_NOTIFY_{name.upper()}", str(value))


@contextlib.asynccontextmanager
async def started_receiver() -> AsyncIterator[Receiver]:
    receiver = await Receiver(secret=SECRET.encode()).start()
    try:
        yield receiver
    finally:
        await receiver.stop()


def with_org(settings: CommonSettings, receiver: Receiver, directory: Path) -> CommonSettings:
    return settings.model_copy(update={"org_file": org_file_for(receiver, directory)})


def dispatcher_of(api: httpx.AsyncClient) -> Dispatcher:
    runtimes = api.app.state.context.runtimes  # type: ignore[attr-defined]
    dispatcher = runtimes.require(NotifyRuntime).dispatcher
    assert isinstance(dispatcher, Dispatcher)
    return dispatcher


async def events_when(
    api: httpx.AsyncClient,
    case_id: str,
    check: Callable[[list[dict[str, Any]]], bool],
    *,
    within: float = 30.0,
) -> list[dict[str, Any]]:
    """The case's history once ``check`` holds, awaiting the dispatcher's outcomes."""
    dispatcher = dispatcher_of(api)
    history: list[dict[str, Any]] = []
    try:
        async with asyncio.timeout(within):
            while True:
                mark = dispatcher.mark()
                history = (await api.get(f"/v1/cases/{case_id}/events")).json()
                if check(history):
                    return history
                await mark.wait()
    except TimeoutError:
        raise AssertionError(f"never held; history={[e['type'] for e in history]}") from None


def of_type(history: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in history if e["type"] == kind]


async def until(check: Callable[[], Awaitable[bool]], api: httpx.AsyncClient) -> None:
    dispatcher = dispatcher_of(api)
    async with asyncio.timeout(30):
        while True:
            mark = dispatcher.mark()
            if await check():
                return
            await mark.wait()


def delivered(history: list[dict[str, Any]], count: int) -> bool:
    return len(of_type(history, "DispatchOrderDelivered")) >= count


def all_delivered(history: list[dict[str, Any]], purpose: str) -> bool:
    """A notice of ``purpose`` was issued, and every delivery planned so far was delivered."""
    notices = [e["payload"] for e in of_type(history, "DispatchOrderIssued")]
    if not any(n["purpose"] == purpose for n in notices):
        return False
    return delivered(history, sum(len(n["deliveries"]) for n in notices))


def warned_and_delivered(history: list[dict[str, Any]]) -> bool:
    return all_delivered(history, "pre_breach_warning")


def notices_to(receiver: Receiver, unit_code: str, purpose: str) -> list[dict[str, Any]]:
    """The notices of one purpose that reached a unit's webhook, one per idempotency key."""
    hook = f"/hooks/{unit_code}"
    return [
        r.body
        for r in receiver.unique(hook).values()
        if r.path == hook and r.body.get("purpose") == purpose
    ]
