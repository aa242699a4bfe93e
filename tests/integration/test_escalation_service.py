"""The ladder in the running system, with the simulated clock: nobody watches the clock."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.escalation.main import SERVICE as ESCALATION
from services.intake.cases.queries import CaseQueries
from services.intake.main import SERVICE as INTAKE
from services.intake.runtime import IntakeRuntime
from services.triage.main import SERVICE as TRIAGE
from shared.config import CommonSettings
from shared.consumers.progress import Progress
from shared.db.schema import escalation_timers
from shared.runtime.clock import SimulatedClock
from tests.integration.api_client import embedded_settings, running_app
from tests.integration.conftest import START
from tests.integration.processes import poll
from tests.integration.test_intake_api import report

SERVICES = [INTAKE, TRIAGE, ESCALATION]
RED = {"title": "煽动聚集", "description": "有人煽动拆迁户明天集体到镇政府聚集。"}


@contextlib.asynccontextmanager
async def system_at(settings: CommonSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(settings, SERVICES) as client:
        assert isinstance(client.app.state.context.clock, SimulatedClock)  # type: ignore[attr-defined]
        yield client


async def case_when(api: httpx.AsyncClient, case_id: str, check: Any) -> dict[str, Any]:
    """Await projection commits until the case satisfies ``check``."""
    context = api.app.state.context  # type: ignore[attr-defined]
    queries = CaseQueries(context.engine)
    progress: Progress = context.runtimes.require(IntakeRuntime).cases
    seen: dict[str, Any] = {}

    async def holds() -> bool:
        if await queries.get(case_id) is None:
            return False
        seen.update((await api.get(f"/v1/cases/{case_id}")).json())
        return bool(check(seen))

    try:
        await progress.wait_until(holds, within=30)
    except TimeoutError:
        history = [e["type"] for e in (await api.get(f"/v1/cases/{case_id}/events")).json()]
        async with context.engine.connect() as conn:
            timers = (await conn.execute(select(escalation_timers))).all()
        workers = api.app.state.workers  # type: ignore[attr-defined]
        raise AssertionError(
            f"case never satisfied the check; now={context.clock.now()} seen={seen} "
            f"history={history} timers={timers} workers={workers}"
        ) from None
    return seen


async def move_clock(api: httpx.AsyncClient, to: datetime) -> None:
    answer = await api.post("/v1/admin/clock", json={"now": to.isoformat()})
    assert answer.status_code == 200, answer.text


async def test_a_red_case_climbs_to_the_county_and_is_supervised(
    settings_for: CommonSettings,
) -> None:
    async with system_at(settings_for) as api:
        case_id = (await api.post("/v1/cases", json=report(**RED))).json()["id"]
        at_township = await case_when(api, case_id, lambda c: c["level"] == "township")
        assert at_township["tier"] == "red"
        assert at_township["deadline_at"].startswith("2026-03-07T01:00")

        await move_clock(api, START + timedelta(days=5, minutes=1))
        at_county = await case_when(api, case_id, lambda c: c["level"] == "county")
        assert at_county["overdue_levels"] == ["township"]

        advanced = await api.post("/v1/admin/clock/advance", json={"seconds": 7 * 86_400})
        assert advanced.status_code == 200, advanced.text
        await case_when(api, case_id, lambda c: c["supervision_count"] == 1)
        await move_clock(api, START + timedelta(days=19, minutes=1))
        final = await case_when(api, case_id, lambda c: c["supervision_count"] == 2)

        assert final["level"] == "county"
        history = (await api.get(f"/v1/cases/{case_id}/events")).json()
        types = [e["type"] for e in history]
        assert types.count("CaseEscalated") == 1 and types.count("SupervisionRaised") == 2
        by_id = {e["event_id"]: e for e in history}
        for event in history[1:]:
            assert event["causation_id"] in by_id, f"{event['type']} names its cause"


async def test_deadlines_missed_while_escalation_was_down_fire_once_after_restart(
    settings_for: CommonSettings,
) -> None:
    async with system_at(settings_for) as api:
        ids = [(await api.post("/v1/cases", json=report(**RED))).json()["id"] for _ in range(3)]
        for case_id in ids:
            await case_when(api, case_id, lambda c: c["level"] == "township")

    # Down for twelve days: the township deadline (day 5) and the county one (day 12) pass.
    later = settings_for.model_copy(update={"clock_start": START + timedelta(days=12, minutes=5)})
    async with running_app(later, SERVICES) as api:
        for case_id in ids:
            await case_when(api, case_id, lambda c: c["supervision_count"] == 1)
        engine = api.app.state.context.engine  # type: ignore[attr-defined]
        for case_id in ids:
            history = (await api.get(f"/v1/cases/{case_id}/events")).json()
            types = [e["type"] for e in history]
            assert types.count("DeadlineReached") == 2, types
            assert types.count("CaseEscalated") == 1 and types.count("SupervisionRaised") == 1
        outcomes: list[str | None] = []

        async def all_marked() -> bool:
            """The scheduler marks its timers just after it appends what they fired."""
            async with engine.connect() as conn:
                rows = await conn.execute(
                    select(escalation_timers.c.outcome).where(
                        escalation_timers.c.case_id.in_(ids), escalation_timers.c.kind == "deadline"
                    )
                )
                outcomes[:] = [outcome for (outcome,) in rows.all()]
            return None not in outcomes

        await poll(all_marked, within=30)
        assert sorted(o or "" for o in outcomes) == ["fired"] * 6


async def test_handlers_pause_attempt_escalate_and_acknowledge(
    settings_for: CommonSettings,
) -> None:
    async with system_at(settings_for) as api:
        case_id = (await api.post("/v1/cases", json=report())).json()["id"]
        grid = await case_when(api, case_id, lambda c: c["level"] == "grid")

        early = await api.post(f"/v1/cases/{case_id}/escalation-requests")
        assert early.status_code == 409 and "3 failed mediation attempts" in early.json()["detail"]
        ack = await api.post(f"/v1/dispatch-orders/{grid['order_id']}/ack")
        assert ack.status_code == 201 and ack.json()[0]["type"] == "OrderAcknowledged"
        paused = await api.post(f"/v1/cases/{case_id}/pause", json={"reason": "等待当事人返乡"})
        assert paused.status_code == 201
        await move_clock(api, START + timedelta(days=2))
        resumed = await api.post(f"/v1/cases/{case_id}/resume", json={"reason": "当事人已返回"})
        assert resumed.status_code == 201
        seen = await case_when(api, case_id, lambda c: c["paused_seconds"] > 0)
        assert seen["paused_seconds"] == 2 * 86_400 and seen["level"] == "grid"
        for _ in range(3):
            attempt = await api.post(
                f"/v1/cases/{case_id}/attempts", json={"result": "failed", "note": "调解未成"}
            )
            assert attempt.status_code == 201
        moved = await api.post(f"/v1/cases/{case_id}/escalation-requests")
        assert moved.status_code == 201
        assert [e["type"] for e in moved.json()] == ["CaseEscalated", "CaseAssigned"]
        village = await case_when(api, case_id, lambda c: c["level"] == "village")
        assert village["overdue_levels"] == []


async def test_the_walk_in_working_days_across_national_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FQ_LADDER_DAY_MODE", "working")
    friday = datetime(2025, 9, 26, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    settings = embedded_settings(tmp_path, clock="simulated", clock_start=friday)
    async with running_app(settings, SERVICES) as api:
        case_id = (await api.post("/v1/cases", json=report(**RED))).json()["id"]
        township = await case_when(api, case_id, lambda c: c["level"] == "township")
        # 5 working days: Sep 28 (调休 Sunday), 29, 30, then Oct 9 and 10 after the holiday.
        assert township["deadline_at"].startswith("2025-10-10T01:00")
        await move_clock(api, datetime(2025, 10, 10, 1, 1, tzinfo=UTC))
        county = await case_when(api, case_id, lambda c: c["level"] == "county")
        # 7 working days later: Oct 11 (调休 Saturday), 13, 14, 15, 16, 17, 20.
        assert county["deadline_at"].startswith("2025-10-20T01:00")


async def test_a_case_read_right_after_a_command_shows_it(tmp_path: Path) -> None:
    """The case list takes its batches a while after the writes (here 2 s); the case's own
    page still shows a command the moment it is accepted."""
    settings = embedded_settings(
        tmp_path, clock="simulated", clock_start=START, read_model_linger_ms=2000
    )
    async with system_at(settings) as api:
        case_id = (await api.post("/v1/cases", json=report())).json()["id"]
        await case_when(api, case_id, lambda c: c["level"] == "grid")
        paused = await api.post(f"/v1/cases/{case_id}/pause", json={"reason": "等待当事人返乡"})
        assert paused.status_code == 201
        context = api.app.state.context  # type: ignore[attr-defined]
        listed = await CaseQueries(context.engine).get(case_id)
        assert listed is not None, "the list has the case"
        assert not (listed["details"] or {}).get("paused"), "the list has not caught up yet"
        shown = (await api.get(f"/v1/cases/{case_id}")).json()
        assert shown["paused"] is True
