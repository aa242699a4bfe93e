"""One case through every state, with a reopen, on the simulated clock: after each step
the unit work queues and GET /v1/stats show what a county centre would expect."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from services.escalation.main import SERVICE as ESCALATION
from services.intake.main import SERVICE as INTAKE
from services.measures.main import SERVICE as LIFECYCLE
from services.triage.main import SERVICE as TRIAGE
from shared.config import CommonSettings
from tests.integration.api_client import running_app
from tests.integration.conftest import START
from tests.integration.lifecycle_support import Seen, until
from tests.integration.test_escalation_service import move_clock
from tests.integration.test_intake_api import MY_GRID, report

SERVICES = [INTAKE, TRIAGE, ESCALATION, LIFECYCLE]
GRID, VILLAGE = MY_GRID.code, MY_GRID.code[:12]
UNITS = [GRID, VILLAGE]
HOUR = 3600.0


async def step(api: httpx.AsyncClient, path: str, body: dict[str, Any] | None = None) -> None:
    answer = await api.post(path, json=body or {})
    assert answer.status_code == 201, answer.text


async def refused(api: httpx.AsyncClient, path: str, body: dict[str, Any], slug: str) -> None:
    answer = await api.post(path, json=body)
    assert answer.status_code == 409, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["type"].endswith(slug), answer.json()


def total(seen: Seen) -> dict[str, Any]:
    return seen.stats["total"]


async def test_one_case_through_every_state_with_a_reopen(settings_for: CommonSettings) -> None:
    async with running_app(settings_for, SERVICES) as api:
        case_id = (await api.post("/v1/cases", json=report())).json()["id"]
        cases = f"/v1/cases/{case_id}"

        # reported -> triaged (blue) -> assigned to the grid, acknowledgement due.
        seen = await until(api, UNITS, lambda s: s.item(GRID) is not None)
        item = seen.item(GRID)
        assert item and item["step"] == "acknowledge" and item["tier"] == "blue"
        assert item["bucket"] == "open" and item["due_at"].startswith("2026-03-03T01:00")
        assert total(seen)["cases"] == 1 and total(seen)["assignments"] == 1
        assert total(seen)["resolved"] == 0 and seen.queue(VILLAGE)["counts"]["open"] == 0
        history = [e["type"] for e in (await api.get(f"{cases}/events")).json()]
        assert history[:3] == ["CaseReported", "CaseTriaged", "CaseAssigned"]
        await refused(api, f"{cases}/follow-up", {"satisfied": True}, "not-resolved")

        # Acknowledged two hours in (签收), then a failed mediation attempt.
        await move_clock(api, START + timedelta(hours=2))
        await step(api, f"{cases}/acknowledgement")
        await step(api, f"{cases}/attempts", {"result": "failed", "note": "双方未达成一致"})
        seen = await until(
            api,
            UNITS,
            lambda s: (
                total(s)["time_to_acknowledge"]["count"] == 1
                and s.item(GRID)["status"] == "in_mediation"
            ),  # type: ignore[index]
        )
        assert total(seen)["time_to_acknowledge"]["p50_seconds"] == 2 * HOUR
        assert seen.item(GRID)["step"] == "mediate"  # type: ignore[index]

        # Twenty hours in, four hours before the grid's deadline: due soon.
        await move_clock(api, START + timedelta(hours=20))
        seen = await until(api, UNITS, lambda s: s.queue(GRID)["counts"]["due_soon"] == 1)

        # Resolved at the grid (调解成功): the follow-up visit is due in 7 days.
        await step(api, f"{cases}/resolution", {"outcome": "mediated", "result_text": "达成协议"})
        seen = await until(api, UNITS, lambda s: total(s)["resolved"] == 1)
        measures = total(seen)
        assert measures["resolved_by_level"]["grid"] == 1
        assert measures["within_village_rate"] == 1.0 and measures["within_township_rate"] == 1.0
        assert measures["mediation_success_rate"] == 1.0
        assert measures["time_to_resolve"]["p50_seconds"] == 20 * HOUR
        item = seen.item(GRID)
        assert item and item["step"] == "follow_up" and item["bucket"] == "open"
        assert item["due_at"].startswith("2026-03-09T21:00")
        await refused(api, f"{cases}/attempts", {"result": "failed", "note": "x"}, "resolved")

        # Nobody visited in 7 days: FollowUpDue, the visit is overdue in the queue.
        await move_clock(api, START + timedelta(days=7, hours=20, minutes=1))
        seen = await until(api, UNITS, lambda s: total(s)["follow_ups_overdue"] == 1)
        assert seen.item(GRID)["bucket"] == "overdue"  # type: ignore[index]

        # Unsatisfied (回访不满意): reopened at the grid, one tier up, a new dispatch order.
        await step(api, f"{cases}/follow-up", {"satisfied": False, "note": "对方未履行"})
        seen = await until(api, UNITS, lambda s: total(s)["reopened"] == 1)
        measures = total(seen)
        assert measures["resolved"] == 0 and measures["assignments"] == 2
        assert measures["follow_ups"] == 1 and measures["satisfaction_rate"] == 0.0
        item = seen.item(GRID)
        assert item and item["tier"] == "yellow" and item["step"] == "acknowledge"

        # The grid misses its new deadline: escalated to the village, overdue at the grid.
        await move_clock(api, START + timedelta(days=8, hours=20, minutes=2))
        seen = await until(api, UNITS, lambda s: s.item(VILLAGE) is not None)
        assert seen.item(GRID) is None
        measures = total(seen)
        assert measures["assignments"] == 3 and measures["overdue_assignments"] == 1
        assert measures["overdue_rate_by_level"] == {
            "grid": 0.5,
            "village": 0.0,
            "township": None,
            "county": None,
        }

        # The village acknowledges, resolves, and the parties are satisfied: closed (结案).
        await step(api, f"{cases}/acknowledgement")
        await step(api, f"{cases}/resolution", {"outcome": "mediated", "result_text": "再次调解"})
        await step(api, f"{cases}/follow-up", {"satisfied": True, "note": "满意"})
        seen = await until(api, UNITS, lambda s: total(s)["closed"] == 1)
        measures = total(seen)
        assert measures["resolved"] == 1 and measures["resolved_by_level"]["village"] == 1
        assert measures["within_village_rate"] == 1.0
        assert measures["follow_ups"] == 2 and measures["satisfaction_rate"] == 0.5
        assert measures["time_to_acknowledge"]["count"] == 2
        assert seen.queue(VILLAGE)["counts"] == {"open": 0, "due_soon": 0, "overdue": 0}
        await refused(api, f"{cases}/acknowledgement", {}, "closed")
        await refused(
            api, f"{cases}/resolution", {"outcome": "withdrawn", "result_text": "x"}, "closed"
        )

        by_level = (await api.get("/v1/stats", params={"group_by": "level"})).json()["groups"]
        assert [g["key"] for g in by_level] == ["grid", "village"]
        assert by_level[1]["resolved"] == 1 and by_level[0]["assignments"] == 2
