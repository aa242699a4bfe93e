"""Whoever prepares a new database at the same time (the migrations of every service, the
embedded log's own tables) queues on one schema lock: all succeed and the schema is made
once. A database whose event store tables were made the old way (by each process at
start-up) upgrades in place, its events kept."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select, text

from shared.db.engine import make_engine
from shared.db.migrate import alembic_config, head_revision, upgrade_to_head
from shared.log.embedded import EmbeddedLog
from shared.log.sql_schema import event_log, log_metadata
from shared.log.sql_store import SqlEventStore
from tests.conftest import fresh_pg_database, integration_available
from tests.contract.events import new_case, noted
from tests.integration.processes import ROOT

pytestmark = pytest.mark.alone

MIGRATORS = 6


async def revision_and_events(url: str) -> tuple[str, int]:
    engine = make_engine(url, durable=False)
    try:
        async with engine.connect() as conn:
            revision = (await conn.execute(text("SELECT version_num FROM alembic_version"))).one()
            events = (await conn.execute(select(func.count()).select_from(event_log))).scalar()
        return str(revision[0]), int(events or 0)
    finally:
        await engine.dispose()


@pytest.fixture
async def pg_url() -> object:
    if not integration_available():
        pytest.skip("needs PostgreSQL (see .ci/run)")
    async with fresh_pg_database() as url:
        yield url


async def test_concurrent_migrators_on_an_empty_postgresql_database_all_succeed(
    pg_url: str,
) -> None:
    results = await asyncio.to_thread(migrate_together, pg_url, MIGRATORS)

    assert [code for code, _ in results] == [0] * MIGRATORS, results
    assert await revision_and_events(pg_url) == (head_revision(), 0)


async def test_embedded_logs_opened_together_on_an_empty_database_all_start(
    pg_url: str,
) -> None:
    logs = [EmbeddedLog(pg_url) for _ in range(MIGRATORS)]
    outcomes = await asyncio.gather(*(log.start() for log in logs), return_exceptions=True)
    for log in logs:
        await log.close()

    assert [o for o in outcomes if o is not None] == []


async def test_event_store_tables_made_at_start_up_upgrade_in_place(pg_url: str) -> None:
    await asyncio.to_thread(command.upgrade, alembic_config(pg_url), "0006")
    engine = make_engine(pg_url, durable=False)
    try:
        async with engine.begin() as conn:  # as every process did before revision 0007
            await conn.run_sync(log_metadata.create_all)
        store = SqlEventStore(engine)
        await store.start(create_schema=False)
        case = new_case()
        await store.append(
            case,
            [noted(case, "before the upgrade")],
            expected_version=None,
            idempotency_key=None,
            fingerprint=None,
        )
        await store.close()
    finally:
        await engine.dispose()

    await asyncio.to_thread(upgrade_to_head, pg_url)

    assert await revision_and_events(pg_url) == (head_revision(), 1)


def migrate_together(url: str, count: int) -> list[tuple[int, str]]:
    """``python -m services.migrate`` in ``count`` processes at once (as services starting
    together each migrate): their exit codes and output."""
    env = {**os.environ, "FQ_DATABASE_URL": url}
    env.pop("FQ_ENVIRONMENT", None)
    commands = [
        subprocess.Popen(
            [sys.executable, "-m", "services.migrate"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(count)
    ]
    return [(c.wait(timeout=120), c.stdout.read() if c.stdout else "") for c in commands]


async def test_concurrent_migrate_commands_on_an_empty_sqlite_database_all_succeed(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/app.db"
    results = await asyncio.to_thread(migrate_together, url, 4)

    assert [code for code, _ in results] == [0] * 4, results
    assert await revision_and_events(url) == (head_revision(), 0)
