"""Rebuilding the case read model from the log gives the same rows as the live projection."""

from __future__ import annotations

from pathlib import Path

from services.intake.main import CASES_PROGRESS
from services.intake.main import SERVICE as INTAKE
from services.intake.projections import CaseListProjection
from shared.consumers.progress import Progress
from shared.consumers.rebuild import rebuild, table_checksum
from shared.db.schema import cases
from shared.runtime.build import open_database
from tests.integration.api_client import embedded_settings, running_app
from tests.integration.test_intake_api import OTHER_GRID, report


async def test_rebuilt_case_list_equals_the_live_one(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path)
    async with running_app(settings, [INTAKE]) as api:
        for i in range(30):
            body = report(title=f"案件{i}", unit_code=OTHER_GRID.code) if i % 3 else report()
            assert (await api.post("/v1/cases", json=body)).status_code == 201
        await api.post("/v1/cases", json=report(unit_code="110105001001001"))  # rejected
        context = api.app.state.context  # type: ignore[attr-defined]
        progress: Progress = context.extras[CASES_PROGRESS]
        total = 31

        async def all_projected() -> bool:
            async with context.engine.connect() as conn:
                return len((await conn.execute(cases.select())).all()) == total

        await progress.wait_until(all_projected, within=30)
        live = await table_checksum(context.engine, cases)

        fresh_settings = embedded_settings(tmp_path / "fresh", log_url=settings.log_url)
        (tmp_path / "fresh").mkdir()
        fresh = await open_database(fresh_settings)
        report_ = await rebuild(
            log=context.log, engine=fresh, projection=CaseListProjection(log=context.log)
        )
        await fresh.dispose()

    assert report_.events == total
    assert report_.checksums["cases"] == live
