"""A live system with a dozen assigned cases, for the rebuild tests."""

from __future__ import annotations

from sqlalchemy import func, select

from services.intake.runtime import IntakeRuntime
from shared.consumers.progress import Progress
from shared.db.schema import cases, escalation_timers
from shared.runtime.context import AppContext
from tests.integration.test_intake_api import OTHER_GRID, report

CASES = 12


async def _assigned_with_timers(context: AppContext, expected: int) -> bool:
    assigned = select(func.count()).select_from(cases).where(cases.c.status == "assigned")
    timed = select(func.count(func.distinct(escalation_timers.c.case_id)))
    async with context.engine.connect() as conn:
        return (await conn.execute(assigned)).scalar() == expected and (
            await conn.execute(timed)
        ).scalar() == expected


async def wait_until_assigned(context: AppContext, expected: int) -> None:
    """Until ``expected`` cases are assigned, each with its timers."""
    progress: Progress = context.runtimes.require(IntakeRuntime).cases
    await progress.wait_until(lambda: _assigned_with_timers(context, expected), within=60)


async def report_assigned_cases(api: object) -> AppContext:
    """Report ``CASES`` cases over two grids and wait until each is assigned with its
    timers; the running system's context."""
    context: AppContext = api.app.state.context  # type: ignore[attr-defined]
    for i in range(CASES):
        body = report(title=f"案件{i}", unit_code=OTHER_GRID.code) if i % 2 else report()
        assert (await api.post("/v1/cases", json=body)).status_code == 201  # type: ignore[attr-defined]
    await wait_until_assigned(context, CASES)
    return context
