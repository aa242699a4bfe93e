"""SIGTERM to a service process: it exits within the grace period, having finished and
committed the events it held, and leaves its consumer group."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import pytest

from services.intake.main import SERVICE as INTAKE
from shared.config import CommonSettings
from shared.db.engine import make_engine
from shared.db.positions import load_positions
from shared.log.kafka import KafkaLog
from tests.conftest import fresh_pg_database, integration_available, kafka_config
from tests.integration.api_client import kafka_settings, running_app
from tests.integration.processes import (
    count_events,
    free_port,
    kafka_process_env,
    poll,
    service_process,
)
from tests.integration.test_intake_api import report

pytestmark = pytest.mark.alone

CASES = 600
GRACE_SECONDS = 10


async def reported_offsets(settings: CommonSettings) -> dict[str, tuple[int, int]]:
    """Where each case's CaseReported sits on the topic: (partition, offset)."""
    log = KafkaLog(kafka_config(topic=settings.kafka_topic, database_url=settings.database_url))
    await log.start()
    found: dict[str, tuple[int, int]] = {}
    try:
        async for batch in log.replay():
            for delivery in batch:
                event = delivery.event
                if event is not None and event.event_type == "CaseReported":
                    position = (delivery.position.partition, delivery.position.offset)
                    found.setdefault(event.case_id, position)
    finally:
        await log.close()
    return found


async def test_sigterm_drains_commits_and_exits_within_the_grace_period(tmp_path: Path) -> None:
    if not integration_available():
        pytest.skip("needs the real broker and PostgreSQL (see .ci/run)")
    async with fresh_pg_database() as url:
        settings = kafka_settings(url)
        async with running_app(settings, [INTAKE]) as api:
            for start in range(0, CASES, 50):
                answers = await asyncio.gather(
                    *(api.post("/v1/cases", json=report()) for _ in range(start, start + 50))
                )
                assert {a.status_code for a in answers} == {201}
        engine = make_engine(url, durable=False)
        port = free_port()
        log_file = tmp_path / "triage.log"
        try:
            env = kafka_process_env(
                settings,
                port,
                FQ_SHUTDOWN_GRACE_SECONDS=str(GRACE_SECONDS),
                FQ_KAFKA_MAX_BATCH="100",  # a batch well within the grace period
            )
            async with service_process(
                "processes", env, log_file=log_file, args=("triage", "serve")
            ) as triage:

                async def triaging() -> bool:
                    return await count_events(engine, "CaseTriaged") > 0

                await poll(triaging)
                sent = time.monotonic()
                triage.send_signal(signal.SIGTERM)
                returncode = await asyncio.to_thread(triage.wait, GRACE_SECONDS + 5)
                took = time.monotonic() - sent

            assert returncode == 0, log_file.read_text()[-2000:]
            assert took < GRACE_SECONDS, f"exit took {took:.1f} s"
            async with engine.connect() as conn:
                committed = await load_positions(conn, "triage")
            triaged = await count_events(engine, "CaseTriaged")
        finally:
            await engine.dispose()

        offsets = await reported_offsets(settings)
        assert len(offsets) == CASES
        covered = [c for c, (p, o) in offsets.items() if o < committed.get(p, 0)]
        figures = f"triaged {triaged} of {CASES}, committed {committed}, covered {len(covered)}"
        assert 0 < triaged < CASES, f"SIGTERM came while events were to be handled; {figures}"
        assert triaged == len(covered), f"every event handled is committed; {figures}"
        lines = log_file.read_text()
        assert '"consumer_left_group"' in lines and '"stopped"' in lines
        assert '"gc_tuned"' in lines  # the served process froze its startup objects
