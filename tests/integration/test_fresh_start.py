"""All four services started at once, as separate processes, on one new empty PostgreSQL
database: the migrations (the event store's tables among them) are applied once under their
lock, every service becomes ready, and a report flows through triage, escalation and notify.

Before the event store's tables were in the migrations, each process created them at
start-up outside the lock, and one start in two lost a service to a UniqueViolation.
"""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.engine import make_engine
from shared.log.sql_schema import event_log
from tests.conftest import fresh_pg_database, integration_available
from tests.integration.api_client import kafka_settings
from tests.integration.processes import ROOT, free_port, kafka_process_env, poll
from tests.integration.test_intake_api import report

pytestmark = pytest.mark.alone

SERVICES = ("intake", "triage", "escalation", "notify")
ROUNDS = 3
"""Fresh starts in a row: the collision came in one start of two."""
FLOW = ("CaseReported", "CaseTriaged", "CaseAssigned", "DispatchOrderIssued")


def start_all(url: str, directory: Path) -> dict[str, tuple[subprocess.Popen[bytes], int]]:
    settings = kafka_settings(url)
    started: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
    for name in SERVICES:
        port = free_port()
        with (directory / f"{name}.log").open("wb") as output:
            started[name] = (
                subprocess.Popen(
                    [str(ROOT / ".venv/bin/python"), "-m", "services.processes", name, "serve"],
                    cwd=ROOT,
                    env=kafka_process_env(settings, port),
                    stdout=output,
                    stderr=subprocess.STDOUT,
                ),
                port,
            )
    return started


async def becomes_ready(name: str, process: subprocess.Popen[bytes], port: int, logs: Path) -> None:
    async def ready() -> bool:
        if process.poll() is not None:
            tail = (logs / f"{name}.log").read_text(errors="replace")[-3000:]
            raise AssertionError(f"{name} exited with {process.returncode} while starting:\n{tail}")
        try:
            async with httpx.AsyncClient() as client:
                answer = await client.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
                return answer.status_code == 200
        except httpx.HTTPError:
            return False

    await poll(ready, within=90)


async def flow_of(engine: AsyncEngine, case_id: str) -> set[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(event_log.c.event_type, func.count())
            .where(event_log.c.case_id == case_id)
            .group_by(event_log.c.event_type)
        )
        return {event_type for event_type, _count in rows.all()}


async def one_fresh_start(directory: Path) -> None:
    async with fresh_pg_database() as url:
        started = start_all(url, directory)
        engine = make_engine(url, durable=False)
        try:
            await asyncio.gather(
                *(becomes_ready(name, p, port, directory) for name, (p, port) in started.items())
            )
            intake = f"http://127.0.0.1:{started['intake'][1]}"
            async with httpx.AsyncClient(headers={"Authorization": "Bearer dev"}) as client:
                answer = await client.post(f"{intake}/v1/cases", json=report(), timeout=30)
            assert answer.status_code == 201, answer.text
            case_id = answer.json()["id"]

            async def flowed() -> bool:
                return set(FLOW) <= await flow_of(engine, case_id)

            await poll(flowed, within=60)
        finally:
            await engine.dispose()
            for process, _port in started.values():
                process.kill()
                process.wait()


async def test_the_four_services_start_together_on_a_new_database(tmp_path: Path) -> None:
    if not integration_available():
        pytest.skip("needs the real broker and PostgreSQL (see .ci/run)")
    for round_ in range(ROUNDS):
        directory = tmp_path / f"round-{round_}-{uuid.uuid4().hex[:6]}"
        directory.mkdir()
        await one_fresh_start(directory)
