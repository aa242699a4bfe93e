"""Consumer groups on every adapter: resume after a restart without loss or duplicates,
and park poison records with their reason while processing goes on."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.consumers.projection import ProjectionRunner
from shared.events.envelope import EventEnvelope
from shared.log.port import Delivery
from shared.log.sql_schema import dead_letters
from tests.conftest import LogUnderTest, open_embedded
from tests.contract.events import new_case, noted
from tests.contract.poison import inject_poison

test_metadata = MetaData()
applied = Table(
    "contract_applied",
    test_metadata,
    Column("group_name", String(100), primary_key=True),
    Column("event_id", String(36), primary_key=True),
    Column("times", Integer, nullable=False),
)


class CountingProjection:
    """Counts how often each event of ``cases`` was applied, in the read model's own table;
    ``progress`` is set after each committed batch. The table, not the deliveries, is the
    truth: a record the log delivers again after a restart (its offset commit to the broker
    cut short) is passed over by the runner and applied nowhere. Other cases' events are
    passed over: the test database's event store is shared, and the Kafka log's relay
    publishes any unpublished row of it into the topic under test."""

    def __init__(
        self, group: str, *, cases: set[str], progress: asyncio.Event | None = None
    ) -> None:
        self.group = group
        self._cases = cases
        self.applied = 0
        self.progress = progress or asyncio.Event()

    def on_committed(self, batch: Sequence[Delivery]) -> None:
        self.progress.set()

    def runner(self, under_test: LogUnderTest) -> ProjectionRunner:
        return ProjectionRunner(
            log=under_test.log,
            engine=under_test.engine,
            projection=self,
            on_committed=self.on_committed,
        )

    async def apply(self, event: EventEnvelope, conn: AsyncConnection) -> None:
        if event.case_id not in self._cases:
            return
        key = {"group_name": self.group, "event_id": str(event.event_id)}
        found = (await conn.execute(select(applied.c.times).filter_by(**key))).scalar()
        if found is None:
            await conn.execute(insert(applied).values(**key, times=1))
        else:
            await conn.execute(update(applied).filter_by(**key).values(times=found + 1))
        self.applied += 1


async def _counts(engine: AsyncEngine, group: str) -> Counter[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(applied.c.event_id, applied.c.times).where(applied.c.group_name == group)
        )
        return Counter({event_id: times for event_id, times in rows.all()})


async def _applied_at_least(
    engine: AsyncEngine, group: str, total: int, progress: asyncio.Event
) -> None:
    while True:
        progress.clear()
        if sum((await _counts(engine, group)).values()) >= total:
            return
        await progress.wait()


async def _run_until(
    under_test: LogUnderTest, projections: Sequence[CountingProjection], total: int
) -> None:
    """Run the projections until ``total`` applications of their group are committed."""
    tasks = {asyncio.create_task(p.runner(under_test).run()) for p in projections}
    group, progress = projections[0].group, projections[0].progress
    waiter = asyncio.create_task(_applied_at_least(under_test.engine, group, total, progress))
    done, _ = await asyncio.wait({*tasks, waiter}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    for task in tasks & done:
        task.result()  # surface a worker's failure
    assert waiter in done, "the consumers did not reach their target in time"
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# The relay republishes a row still unmarked after its interval (at-least-once: a second
# record of the event at another offset, which real read models skip by case sequence). On
# a slow machine a healthy publish can take that long; this test counts applications per
# event, so the relay is kept out of its way.
@pytest.mark.kafka_config(relay_interval_s=3600)
async def test_restarted_consumer_resumes_without_loss_or_duplicates(
    any_log: LogUnderTest,
) -> None:
    async with any_log.engine.begin() as conn:
        await conn.run_sync(test_metadata.create_all)
    group = f"contract-{uuid.uuid4().hex[:8]}"
    cases = {new_case() for _ in range(20)}
    for round_ in range(10):
        await asyncio.gather(*(any_log.log.append(c, [noted(c, str(round_))]) for c in cases))

    await _run_until(any_log, [CountingProjection(group, cases=cases)], 80)
    done_before = sum((await _counts(any_log.engine, group)).values())
    second = CountingProjection(group, cases=cases)
    await _run_until(any_log, [second], 200)

    counts = await _counts(any_log.engine, group)
    assert 0 < done_before < 200, "the first consumer should stop mid-stream"
    assert second.applied == 200 - done_before, "the restarted consumer resumes where it stopped"
    assert len(counts) == 200
    assert set(counts.values()) == {1}


@pytest.mark.kafka_config(relay_interval_s=3600)  # counts applications per event: as above
async def test_poison_record_is_parked_with_its_reason_and_processing_continues(
    any_log: LogUnderTest,
) -> None:
    async with any_log.engine.begin() as conn:
        await conn.run_sync(test_metadata.create_all)
    group = f"contract-{uuid.uuid4().hex[:8]}"
    case = new_case()
    await any_log.log.append(case, [noted(case, "before")])
    raw = b'{"not": "an event"'
    await inject_poison(any_log, key=case, raw=raw)
    await any_log.log.append(case, [noted(case, "after")])

    await _run_until(any_log, [CountingProjection(group, cases={case})], 2)

    assert sum((await _counts(any_log.engine, group)).values()) == 2
    engine = any_log.log.store.engine  # type: ignore[attr-defined]
    async with engine.connect() as conn:
        parked = (
            (await conn.execute(select(dead_letters).where(dead_letters.c.consumer_group == group)))
            .mappings()
            .all()
        )
    assert len(parked) == 1
    assert parked[0]["raw"] == raw
    assert parked[0]["reason"].startswith("not a valid event envelope")


async def test_two_runners_of_one_group_apply_each_event_once(tmp_path: Path) -> None:
    """On the embedded log every member of a group reads every record, so the second one
    always finds its positions moved by the first: its fenced write refuses, it reads the
    stored positions again and skips what was applied."""
    async with open_embedded(tmp_path) as under_test:
        async with under_test.engine.begin() as conn:
            await conn.run_sync(test_metadata.create_all)
        group = f"contract-{uuid.uuid4().hex[:8]}"
        cases = {new_case() for _ in range(20)}
        progress = asyncio.Event()
        both = [CountingProjection(group, cases=cases, progress=progress) for _ in range(2)]
        runners = asyncio.create_task(_run_until(under_test, both, 200))
        for round_ in range(10):
            await asyncio.gather(
                *(under_test.log.append(c, [noted(c, str(round_))]) for c in cases)
            )
        await runners

        counts = await _counts(under_test.engine, group)
        assert len(counts) == 200
        assert set(counts.values()) == {1}
