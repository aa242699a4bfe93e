"""Consumer groups on every adapter: resume after a restart without loss or duplicates,
and park poison records with their reason while processing goes on."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

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
    """Counts how often each event was applied; signals once ``target`` are committed."""

    def __init__(self, group: str, *, cases: set[str], target: int) -> None:
        self.group = group
        self._cases = cases
        self._target = target
        self.seen = 0
        self.committed = 0
        self.reached = asyncio.Event()

    def on_committed(self, batch: Sequence[Delivery]) -> None:
        self.committed += sum(1 for d in batch if d.event and d.event.case_id in self._cases)
        if self.committed >= self._target:
            self.reached.set()

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
        self.seen += 1


async def _counts(engine: AsyncEngine, group: str) -> Counter[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(applied.c.event_id, applied.c.times).where(applied.c.group_name == group)
        )
        return Counter({event_id: times for event_id, times in rows.all()})


async def _run_until(runner: ProjectionRunner, reached: asyncio.Event) -> None:
    task = asyncio.create_task(runner.run())
    waiter = asyncio.create_task(reached.wait())
    done, _ = await asyncio.wait({task, waiter}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()  # surface the worker's failure
    assert waiter in done, "the consumer did not reach its target in time"
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_restarted_consumer_resumes_without_loss_or_duplicates(
    any_log: LogUnderTest,
) -> None:
    async with any_log.engine.begin() as conn:
        await conn.run_sync(test_metadata.create_all)
    group = f"contract-{uuid.uuid4().hex[:8]}"
    cases = {new_case() for _ in range(20)}
    for round_ in range(10):
        await asyncio.gather(*(any_log.log.append(c, [noted(c, str(round_))]) for c in cases))

    first = CountingProjection(group, cases=cases, target=80)
    await _run_until(first.runner(any_log), first.reached)
    done_before = sum((await _counts(any_log.engine, group)).values())
    second = CountingProjection(group, cases=cases, target=200 - done_before)
    await _run_until(second.runner(any_log), second.reached)

    counts = await _counts(any_log.engine, group)
    assert 0 < done_before < 200, "the first consumer should stop mid-stream"
    assert second.committed == 200 - done_before, "the restarted consumer resumes where it stopped"
    assert len(counts) == 200
    assert set(counts.values()) == {1}


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

    projection = CountingProjection(group, cases={case}, target=2)
    await _run_until(projection.runner(any_log), projection.reached)

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
        one = CountingProjection(group, cases=cases, target=200)
        other = CountingProjection(group, cases=cases, target=200)
        runners = [
            asyncio.create_task(_run_until(one.runner(under_test), one.reached)),
            asyncio.create_task(_run_until(other.runner(under_test), other.reached)),
        ]
        for round_ in range(10):
            await asyncio.gather(
                *(under_test.log.append(c, [noted(c, str(round_))]) for c in cases)
            )
        await asyncio.gather(*runners)

        counts = await _counts(under_test.engine, group)
        assert len(counts) == 200
        assert set(counts.values()) == {1}
