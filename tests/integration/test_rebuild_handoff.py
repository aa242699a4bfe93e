"""A pass split over two processes where the first process has replayed part of the log
alone by the time the worker is ready: the worker carries on from the state stored so
far, and the rebuilt tables equal the live ones."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import pytest

from services.escalation.main import SERVICE as ESCALATION
from services.intake.main import SERVICE as INTAKE
from services.replay import ReplaySource, projections, sharded
from services.triage.main import SERVICE as TRIAGE
from shared.consumers.rebuild import rebuild_all, table_checksum
from shared.db.engine import make_engine
from shared.db.schema import cases, escalation_timers
from shared.log.embedded import EmbeddedLog
from shared.log.port import Delivery, Shard
from tests.conftest import fresh_pg_database, integration_available
from tests.integration.api_client import embedded_settings, running_app
from tests.integration.conftest import START
from tests.integration.rebuild_cases import report_assigned_cases


class SlowLog(EmbeddedLog):
    """Replays every case slowly (the worker, with its own log, is quick): the first
    process is still on its own when the worker becomes ready."""

    async def replay(
        self, start: Mapping[int, int] | None = None, *, shard: Shard | None = None
    ) -> AsyncIterator[list[Delivery]]:
        async for batch in super().replay(start, shard=shard):
            if shard is None:
                await asyncio.sleep(0.3)
            yield batch


async def test_the_worker_carries_on_from_what_the_first_process_stored(
    tmp_path: Path,
) -> None:
    if not integration_available():
        pytest.skip("needs PostgreSQL (see .ci/run)")
    async with fresh_pg_database() as url:
        settings = embedded_settings(
            tmp_path, log_url=url, database_url=url, clock="simulated", clock_start=START
        )
        async with running_app(settings, [INTAKE, TRIAGE, ESCALATION]) as api:
            context = await report_assigned_cases(api)
            live = {
                t.name: await table_checksum(context.engine, t) for t in (cases, escalation_timers)
            }
            log = SlowLog(url, replay_batch_size=4)
            await log.start()
            engine = make_engine(url, durable=False)
            applied: list[int] = []
            try:
                outcome = await rebuild_all(
                    log=log,
                    engine=engine,
                    projections=projections(log),
                    on_progress=lambda p: applied.append(p.events),
                    batch_events=4,
                    sharded=sharded(ReplaySource(settings), 2),
                )
            finally:
                await log.close()
                await engine.dispose()

    assert 0 < applied[0] < outcome.events  # the first process began on its own
    assert outcome.checksums["cases"] == live["cases"]
    assert outcome.checksums["escalation_timers"] == live["escalation_timers"]
