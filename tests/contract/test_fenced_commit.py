"""A member of a consumer group that stalls past its session timeout is fenced by the broker:
its offset commit is refused (UnknownMemberId / IllegalGeneration), the other member takes
its partitions, and it joins again and goes on: no event lost, none applied twice."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import MutableMapping, Sequence
from typing import Any

import pytest
import structlog
from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.consumers.projection import ProjectionRunner
from shared.events.envelope import EventEnvelope
from shared.log.kafka import KafkaLog
from shared.log.kafka_config import KafkaConfig
from shared.log.port import Delivery
from tests.conftest import NOIDA_REJOIN, integration_available, kafka_config, open_kafka
from tests.contract.events import new_case, noted
from tests.integration.processes import poll

ROUNDS = ("first", "second", "third")
metadata = MetaData()
applied = Table(
    "contract_fenced_applied",
    metadata,
    Column("group_name", String(100), primary_key=True),
    Column("event_id", String(36), primary_key=True),
    Column("note", String(10), nullable=False),
    Column("times", Integer, nullable=False),
    Column("member", String(10), nullable=False),
)


class MemberProjection:
    """Counts each application of an event, noting the member that applied it. With
    ``stall`` it blocks its event loop, heartbeats included, that many seconds after it
    stored its first batch with a "second" event, before the runner commits the batch's
    offsets to the broker: a long pause at the worst moment, as the broker sees it."""

    def __init__(self, group: str, member: str, *, stall: float = 0) -> None:
        self.group, self.member, self._stall = group, member, stall
        self.stalled = False

    def on_committed(self, batch: Sequence[Delivery]) -> None:
        notes = {d.event.payload["note"] for d in batch if d.event is not None}
        if self._stall and "second" in notes and not self.stalled:
            self.stalled = True
            time.sleep(self._stall)

    async def apply(self, event: EventEnvelope, conn: AsyncConnection) -> None:
        row = {"group_name": self.group, "event_id": str(event.event_id)}
        await conn.execute(
            insert(applied)
            .values(**row, note=event.payload["note"], times=1, member=self.member)
            .on_conflict_do_update(
                index_elements=["group_name", "event_id"],
                set_={"times": applied.c.times + 1, "member": self.member},
            )
        )


class Member:
    """One member of the group on an event loop of its own (a thread), as in a process of
    its own: a stall of one does not stop the other's heartbeats, nor the publishing of the
    log the test appends to."""

    def __init__(self, config: KafkaConfig, projection: MemberProjection) -> None:
        self.error: BaseException | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=asyncio.run, args=(self._run(config, projection),))
        self._thread.start()

    async def stop(self) -> None:
        self._done.set()
        await asyncio.to_thread(self._thread.join, 60)

    async def _run(self, config: KafkaConfig, projection: MemberProjection) -> None:
        structlog.contextvars.bind_contextvars(member=projection.member)  # its tasks keep it
        async with open_kafka(config) as under_test:
            runner = ProjectionRunner(
                log=under_test.log,
                engine=under_test.engine,
                projection=projection,
                on_committed=projection.on_committed,
            )
            task = asyncio.create_task(runner.run())
            await asyncio.to_thread(self._done.wait)
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception as exc:
                self.error = exc


def cases_on_every_partition(log: KafkaLog, each: int) -> list[str]:
    by_partition: dict[int, list[str]] = {p: [] for p in range(log.config.partitions)}
    while min(len(found) for found in by_partition.values()) < each:
        case = new_case()
        by_partition[log.partition_of(case)].append(case)
    return [case for found in by_partition.values() for case in found[:each]]


def events_of_b(logs: list[MutableMapping[str, Any]]) -> list[MutableMapping[str, Any]]:
    return [e for e in logs if e.get("member") == "b"]


def assigned_to_b(logs: list[MutableMapping[str, Any]], *, after_fence: bool) -> bool:
    """The group gave member b partitions (after one of its commits was refused)."""
    mine = events_of_b(logs)
    if after_fence:
        fenced = [i for i, e in enumerate(mine) if e["event"] == "offset_commit_failed"]
        mine = mine[fenced[0] :] if fenced else []
    return any(e["event"] == "partitions_assigned" and e["partitions"] for e in mine)


@NOIDA_REJOIN
async def test_a_fenced_member_rejoins_and_processing_goes_on_exactly_once() -> None:
    if not integration_available():
        pytest.skip("needs the real broker and PostgreSQL (see .ci/run)")
    config = kafka_config(relay_interval_s=3600)  # no republished record: times counted
    group = f"contract-{uuid.uuid4().hex[:8]}"
    with structlog.testing.capture_logs([structlog.contextvars.merge_contextvars]) as logs:
        async with open_kafka(config) as under_test:
            engine = under_test.engine
            async with engine.begin() as conn:
                await conn.run_sync(metadata.create_all)

            async def applied_rows() -> list[Any]:
                async with engine.connect() as conn:
                    query = select(applied).where(applied.c.group_name == group)
                    return list((await conn.execute(query)).mappings().all())

            assert isinstance(under_test.log, KafkaLog)
            cases = cases_on_every_partition(under_test.log, each=4)
            stalling = MemberProjection(group, "b", stall=config.session_timeout_ms / 1000 + 4)
            members = [Member(config, MemberProjection(group, "c"))]
            try:
                for number, note in enumerate(ROUNDS, start=1):
                    await asyncio.gather(
                        *(under_test.log.append(c, [noted(c, note)]) for c in cases)
                    )

                    async def applied_so_far(count: int = number * len(cases)) -> bool:
                        return len(await applied_rows()) >= count

                    await poll(applied_so_far, within=90)
                    if note == "first":  # c had every partition; b joins
                        members.append(Member(config, stalling))
                    if note != "third":  # b is assigned; after "second", assigned again

                        async def b_assigned(fence: bool = note == "second") -> bool:
                            return assigned_to_b(logs, after_fence=fence)

                        try:
                            await poll(b_assigned, within=60)
                        except TimeoutError:
                            pytest.fail(f"b not assigned after {note}: {events_of_b(logs)}")
            finally:
                for member in members:
                    await member.stop()
            found = await applied_rows()

    assert [member.error for member in members] == [None, None]
    assert stalling.stalled
    assert len(found) == len(ROUNDS) * len(cases), "every event applied"
    assert {row["times"] for row in found} == {1}, "no event applied twice"
    assert {row["member"] for row in found if row["note"] == "third"} == {"b", "c"}, (
        "the fenced member joined again and took its share"
    )
