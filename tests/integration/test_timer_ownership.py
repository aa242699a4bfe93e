"""Two escalation instances in one consumer group on Kafka + PostgreSQL: every deadline
fires exactly once, whoever owns its partition, across a stop and a restart of one of them."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from services.escalation.runtime import EscalationRuntime
from shared.config import CommonSettings
from shared.db.schema import escalation_timers
from tests.conftest import NOIDA_REJOIN, fresh_pg_database, integration_available
from tests.integration.api_client import kafka_settings, running_app
from tests.integration.conftest import START
from tests.integration.test_escalation_service import RED, SERVICES, case_when, move_clock
from tests.integration.test_intake_api import report

CASES = 9


@pytest.fixture
async def shared_settings() -> AsyncIterator[CommonSettings]:
    if not integration_available():
        pytest.skip("needs the real broker and PostgreSQL (see .ci/run)")
    async with fresh_pg_database() as url:
        yield kafka_settings(url, clock="simulated", clock_start=START)


@contextlib.asynccontextmanager
async def instance(settings: CommonSettings, at: datetime) -> AsyncIterator[httpx.AsyncClient]:
    """One instance of the system (intake, triage, escalation) with its clock at ``at``."""
    async with running_app(settings.model_copy(update={"clock_start": at}), SERVICES) as api:
        yield api


def owned(api: httpx.AsyncClient) -> frozenset[int] | None:
    runtimes = api.app.state.context.runtimes  # type: ignore[attr-defined]
    result: frozenset[int] | None = runtimes.require(EscalationRuntime).owned_partitions()
    return result


async def until(check: Any, *, within: float = 30) -> None:
    """Poll a condition on the group's state (rebalances are not events we can await)."""
    async with asyncio.timeout(within):
        while not check():  # noqa: ASYNC110 (no event tells of a rebalance)
            await asyncio.sleep(0.1)


async def timer_partitions(engine: Any, ids: list[str], *, within: float = 30) -> int:
    """How many partitions the cases' timers lie in, once every case has a timer indexed."""
    t = escalation_timers.c
    async with asyncio.timeout(within):
        while True:
            async with engine.connect() as conn:
                row = (
                    await conn.execute(
                        select(
                            func.count(t.case_id.distinct()), func.count(t.partition.distinct())
                        ).where(t.case_id.in_(ids))
                    )
                ).one()
            if row[0] == len(ids):
                return int(row[1])
            await asyncio.sleep(0.1)  # the index writes no event a test could await


async def all_at(api: httpx.AsyncClient, ids: list[str], check: Any) -> None:
    for case_id in ids:
        await case_when(api, case_id, check)


@NOIDA_REJOIN
async def test_two_instances_fire_every_deadline_once_across_a_restart(
    shared_settings: CommonSettings,
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        first = await stack.enter_async_context(instance(shared_settings, START))
        second_instance = instance(shared_settings, START)
        second = await second_instance.__aenter__()
        try:
            ids = [
                (await first.post("/v1/cases", json=report(**RED))).json()["id"]
                for _ in range(CASES)
            ]
            await all_at(first, ids, lambda c: c["level"] == "township")
            await until(
                lambda: (
                    bool(owned(first))
                    and bool(owned(second))
                    and (owned(first) or frozenset()) | (owned(second) or frozenset()) == {0, 1, 2}
                )
            )
            assert not (owned(first) or frozenset()) & (owned(second) or frozenset())
            engine = first.app.state.context.engine  # type: ignore[attr-defined]
            # The timer index is its own consumer group: it may trail the case view.
            partitions = await timer_partitions(engine, ids)
            assert partitions >= 2, "the pending timers span partitions"

            # The township deadline (day 5) passes with both instances running.
            for api in (first, second):
                await move_clock(api, START + timedelta(days=5, minutes=5))
            await all_at(first, ids, lambda c: c["level"] == "county")
        finally:
            await second_instance.__aexit__(None, None, None)

        # One instance alone while the county deadline (day 12) passes: it takes over.
        await until(lambda: owned(first) == {0, 1, 2})
        await move_clock(first, START + timedelta(days=12, minutes=5))
        await all_at(first, ids, lambda c: c["supervision_count"] == 1)

        # The other comes back; the next supervision (day 19) fires once, on either of them.
        later = START + timedelta(days=12, minutes=5)
        second = await stack.enter_async_context(instance(shared_settings, later))
        await until(lambda: bool(owned(second)))
        for api in (first, second):
            await move_clock(api, START + timedelta(days=19, minutes=5))
        await all_at(first, ids, lambda c: c["supervision_count"] == 2)

        log = first.app.state.context.log  # type: ignore[attr-defined]
        for case_id in ids:
            stream = await log.read_stream(case_id)
            reached = Counter(
                e.payload["timer_id"] for e in stream if e.event_type == "DeadlineReached"
            )
            assert len(reached) == 2 and set(reached.values()) == {1}, reached
            types = Counter(e.event_type for e in stream)
            assert types["CaseEscalated"] == 1 and types["SupervisionRaised"] == 2, types
            assert types["AcknowledgementLapsed"] == 2, types
            assert len({e.event_id for e in stream}) == len(stream)
        async with engine.connect() as conn:
            unfired = (
                await conn.execute(
                    select(func.count()).where(
                        escalation_timers.c.case_id.in_(ids),
                        escalation_timers.c.fired_at.is_(None),
                        escalation_timers.c.due_at <= START + timedelta(days=19, minutes=5),
                    )
                )
            ).scalar()
        assert unfired == 0, "no timer due by then was missed"
