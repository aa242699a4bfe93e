"""Rebuilding the case read model from the log gives the same rows as the live projection,
on the embedded log with SQLite and on Kafka with PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.intake.cases.projection import CaseListProjection
from services.intake.main import SERVICE as INTAKE
from services.intake.runtime import IntakeRuntime
from services.triage.main import SERVICE as TRIAGE
from shared.config import CommonSettings
from shared.consumers.progress import Progress
from shared.consumers.rebuild import rebuild, table_checksum
from shared.db.schema import cases
from shared.runtime.build import open_database
from tests.conftest import fresh_pg_database, integration_available
from tests.integration.api_client import embedded_settings, kafka_settings, running_app
from tests.integration.test_intake_api import OTHER_GRID, report


@contextlib.asynccontextmanager
async def two_databases(kind: str, tmp_path: Path) -> AsyncIterator[tuple[CommonSettings, str]]:
    """Settings of a live system, and the URL of an empty database to rebuild into."""
    if kind == "kafka":
        if not integration_available():
            pytest.skip("needs the real broker and PostgreSQL (see .ci/run)")
        async with fresh_pg_database() as live, fresh_pg_database() as fresh:
            yield kafka_settings(live), fresh
    else:
        (tmp_path / "fresh").mkdir()
        yield embedded_settings(tmp_path), f"sqlite+aiosqlite:///{tmp_path}/fresh/app.db"


@pytest.mark.parametrize("kind", ["embedded", "kafka"])
async def test_rebuilt_case_list_equals_the_live_one(kind: str, tmp_path: Path) -> None:
    async with (
        two_databases(kind, tmp_path) as (settings, fresh_url),
        running_app(settings, [INTAKE, TRIAGE]) as api,
    ):
        for i in range(30):
            body = report(title=f"案件{i}", unit_code=OTHER_GRID.code) if i % 3 else report()
            assert (await api.post("/v1/cases", json=body)).status_code == 201
        await api.post("/v1/cases", json=report(unit_code="110105001001001"))  # rejected
        context = api.app.state.context  # type: ignore[attr-defined]
        progress: Progress = context.runtimes.require(IntakeRuntime).cases

        async def all_triaged() -> bool:  # 31 cases; 30 of them reported and triaged
            async with context.engine.connect() as conn:
                query = select(func.count()).select_from(cases).where(cases.c.version >= 2)
                return (await conn.execute(query)).scalar() == 30

        await progress.wait_until(all_triaged, within=60)
        live = await table_checksum(context.engine, cases)
        fresh = await open_database(settings.model_copy(update={"database_url": fresh_url}))
        outcome = await rebuild(
            log=context.log, engine=fresh, projection=CaseListProjection(log=context.log)
        )
        await fresh.dispose()

    assert outcome.events == 61  # 30 reports, 30 triage results, 1 rejection
    assert outcome.checksums["cases"] == live
