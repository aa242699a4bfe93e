"""``make run`` with the sandbox on a port of its own: the sample county's contacts, the SMS
gateway and 12345 follow it, so deliveries succeed; on SQLite the deliveries are served with
their UTC offset as on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from services.all_in_one import SERVICES
from services.notify.config import NotifySettings
from tests.integration.api_client import embedded_settings, running_app
from tests.integration.processes import free_port, poll
from tests.integration.test_intake_api import MY_GRID, report


@pytest.fixture
async def delivered_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[httpx.AsyncClient, str, int]]:
    """A case reported on ``make run``'s setup (the sample county as shipped, the sandbox on
    a port other than 8900), once none of its deliveries is pending any more."""
    port = free_port()
    monkeypatch.setenv("FQ_NOTIFY_SANDBOX_PORT", str(port))
    monkeypatch.setenv("FQ_NOTIFY_RETRY_INITIAL_SECONDS", "0.05")
    monkeypatch.setenv("FQ_NOTIFY_RETRY_MAX_SECONDS", "0.2")
    monkeypatch.setenv("FQ_NOTIFY_RETRY_TOTAL_SECONDS", "10")
    async with running_app(embedded_settings(tmp_path), SERVICES) as api:
        case_id = (await api.post("/v1/cases", json=report())).json()["id"]

        async def settled() -> bool:
            rows = (await api.get("/v1/admin/deliveries", params={"case_id": case_id})).json()
            return bool(rows) and "pending" not in {r["status"] for r in rows}

        await poll(settled, within=30)
        yield api, case_id, port


def test_the_sandbox_port_moves_the_default_gateways_and_leaves_real_ones() -> None:
    moved = NotifySettings(sandbox_port=8931)
    assert moved.sms_gateway_url == "http://127.0.0.1:8931/sms"
    assert moved.hotline_callback_url == "http://127.0.0.1:8931/hotline/feedback"
    assert moved.to_sandbox("http://127.0.0.1:8900/hooks/330681") == (
        "http://127.0.0.1:8931/hooks/330681"
    )
    real = NotifySettings(sandbox_port=8931, sms_gateway_url="https://sms.example.cn/send")
    assert real.sms_gateway_url == "https://sms.example.cn/send"
    assert real.to_sandbox("https://hooks.example.cn/a") == "https://hooks.example.cn/a"
    assert NotifySettings().sms_gateway_url == "http://127.0.0.1:8900/sms"


async def test_deliveries_reach_a_sandbox_on_its_own_port(
    delivered_case: tuple[httpx.AsyncClient, str, int],
) -> None:
    api, case_id, port = delivered_case
    rows = (await api.get("/v1/admin/deliveries", params={"case_id": case_id})).json()
    assert rows and {r["status"] for r in rows} == {"delivered"}, rows
    async with httpx.AsyncClient() as client:
        inbox = (await client.get(f"http://127.0.0.1:{port}/inbox")).json()["received"]
    arrived = {item["path"] for item in inbox if item["body"].get("case_id") == case_id}
    assert f"/hooks/{MY_GRID.code}" in arrived, arrived
    assert any(item["path"] == "/sms" for item in inbox), inbox


async def test_deliveries_are_served_with_their_utc_offset_on_sqlite(
    delivered_case: tuple[httpx.AsyncClient, str, int],
) -> None:
    api, case_id, _ = delivered_case
    rows = (await api.get("/v1/admin/deliveries", params={"case_id": case_id})).json()
    assert rows
    for row in rows:
        for field in ("issued_at", "delivered_at"):
            value = row[field]
            assert value is not None and datetime.fromisoformat(value).utcoffset() is not None, (
                f"{field}={value!r} carries no UTC offset"
            )
