"""Under the simulated clock every event of a case occurs at the simulated time: the
report, and what triage, escalation and notify write after it, and a deadline's firing
when the clock is moved past it. (They used to carry the machine's time: a timeline that
jumped from the simulated day to today and back.)"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx

from services.all_in_one import SERVICES
from tests.integration.api_client import embedded_settings, running_app
from tests.integration.conftest import START
from tests.integration.test_escalation_service import case_when
from tests.integration.test_intake_api import report

DAY = timedelta(days=1)


def occurred(events: list[dict[str, Any]]) -> dict[str, datetime]:
    return {e["type"]: datetime.fromisoformat(e["occurred_at"]) for e in events}


async def events_of(api: httpx.AsyncClient, case_id: str) -> list[dict[str, Any]]:
    answer: list[dict[str, Any]] = (await api.get(f"/v1/cases/{case_id}/events")).json()
    return answer


async def until_written(
    api: httpx.AsyncClient, case_id: str, wanted: set[str]
) -> dict[str, datetime]:
    deadline = time.monotonic() + 30
    while not wanted <= set(written := occurred(await events_of(api, case_id))):
        assert time.monotonic() < deadline, f"only {sorted(written)} were written"
        await anyio.sleep(0.05)
    return written


ATTEMPTED = {"DeliveryAttemptFailed", "DispatchOrderDelivered", "DeliveryFailed"}


async def until_attempted(api: httpx.AsyncClient, case_id: str) -> None:
    """Until each delivery of the case's orders has had its first attempt: notify makes it
    on the clock of then, and may write it after the order."""
    deadline = time.monotonic() + 30
    while True:
        events = await events_of(api, case_id)
        issued = {
            d["delivery_id"]
            for e in events
            if e["type"] == "DispatchOrderIssued"
            for d in e["payload"]["deliveries"]
        }
        tried = {e["payload"]["delivery_id"] for e in events if e["type"] in ATTEMPTED}
        if issued <= tried:
            return
        assert time.monotonic() < deadline, f"not attempted: {sorted(issued - tried)}"
        await anyio.sleep(0.05)


async def test_every_event_occurs_on_the_simulated_clock(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path, clock="simulated", clock_start=START)
    async with running_app(settings, SERVICES) as api:
        case_id = (await api.post("/v1/cases", json=report())).json()["id"]
        await case_when(api, case_id, lambda c: c["order_id"])
        wanted = {"CaseReported", "CaseTriaged", "CaseAssigned", "DispatchOrderIssued"}
        written = await until_written(api, case_id, wanted)
        assert all(at == START for at in written.values()), written
        await until_attempted(api, case_id)

        seen = len(await events_of(api, case_id))
        later = START + 2 * DAY
        moved = await api.post("/v1/admin/clock", json={"now": later.isoformat()})
        assert moved.status_code == 200, moved.text
        fired = {"DeadlineReached", "AcknowledgementLapsed"}  # a firing occurs when written
        deadline = time.monotonic() + 30
        while True:
            after = (await events_of(api, case_id))[seen:]
            if fired & {e["type"] for e in after}:
                break
            assert time.monotonic() < deadline, f"nothing fired: {after}"
            await anyio.sleep(0.05)
        assert all(datetime.fromisoformat(e["occurred_at"]) == later for e in after), after
