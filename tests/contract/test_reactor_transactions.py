"""What Kafka transactions add to a reactor, shown with a crash between produce and commit.

A reactor in its own process answers each input note with an output event, and kills itself
(SIGKILL) right after one answer was produced, before its batch committed. A second process
takes over. With ``transactions=True`` a reader of the topic (read_committed) finds every
answer exactly once; the crashed batch's copies are there only for read_uncommitted (aborted).
Without transactions every answer is still there and the event store holds each once, but
the topic carries the crashed batch's answers twice: consumers drop them by case sequence and
event id (test_consumer_contract.py), which is why the design is correct either way.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from shared.consumers.reactor import ReactorRunner
from shared.events.codec import PoisonEvent, decode
from shared.log.kafka import KafkaLog
from shared.log.kafka_config import KafkaConfig
from tests.conftest import IDEMPOTENCE, integration_available, kafka_config, open_kafka
from tests.contract.events import new_case, noted
from tests.contract.test_consumer_contract import CountingProjection
from tests.contract.transactional_child import Echo

ROOT = Path(__file__).resolve().parents[2]
CASES, NOTES, CRASH_AT = 8, 4, 12
EXPECTED = CASES * NOTES


async def read_topic(config: KafkaConfig, isolation: str) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of the topic up to its end (for read_committed: its last stable offset)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=config.bootstrap, enable_auto_commit=False, isolation_level=isolation
    )
    await consumer.start()
    try:
        assigned = [TopicPartition(config.topic, p) for p in range(config.partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        end = await consumer.end_offsets(assigned)
        records: list[ConsumerRecord[bytes, bytes]] = []
        while [tp for tp in assigned if await consumer.position(tp) < end[tp]]:
            for messages in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(messages)
        return records
    finally:
        await consumer.stop()


async def topic_answers(config: KafkaConfig, cases: set[str], isolation: str) -> Counter[str]:
    """Every answer to ``cases`` in the topic, counted."""
    answers: Counter[str] = Counter()
    for record in await read_topic(config, isolation):
        try:
            event = decode(record.value or b"")
        except PoisonEvent:
            continue
        note = str(event.payload.get("note", ""))
        if event.case_id in cases and note.startswith("out-"):
            answers[f"{event.case_id}/{note}"] += 1
    return answers


async def start_child(config: KafkaConfig, group: str, crash_at: int) -> asyncio.subprocess.Process:
    settings = {**dataclasses.asdict(config), "group": group, "crash_at": crash_at}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.contract.transactional_child",
        cwd=ROOT,
        env={**os.environ, "FQ_TX_CHILD": json.dumps(settings)},
    )


async def answers_in_store(under_test: object, cases: set[str]) -> int:
    streams = await under_test.log.read_streams(sorted(cases))  # type: ignore[attr-defined]
    return sum(
        str(e.payload.get("note", "")).startswith("out-") for s in streams.values() for e in s
    )


@pytest.mark.parametrize("transactions", [True, False], ids=["transactions", "without"])
async def test_a_kafka_reactor_crashing_between_produce_and_commit(transactions: bool) -> None:
    if not integration_available():
        pytest.skip("needs the real broker and PostgreSQL (see .ci/run)")
    if transactions and not IDEMPOTENCE:
        pytest.skip("the test broker has no idempotent producer, so no transactions")
    config = kafka_config(transactions=transactions, transactional_id=f"t-{uuid.uuid4().hex[:8]}")
    group = f"contract-tx-{uuid.uuid4().hex[:8]}"
    cases = {new_case() for _ in range(CASES)}
    # The writer of the inputs runs no relay: only the reactor's processes publish answers.
    async with open_kafka(dataclasses.replace(config, relay_interval_s=3600)) as under_test:
        for n in range(NOTES):
            for case in sorted(cases):
                await under_test.log.append(case, [noted(case, f"in-{n}")])

        crashing = await start_child(config, group, crash_at=CRASH_AT)
        assert await asyncio.wait_for(crashing.wait(), 60) == -signal.SIGKILL

        # The successor has the crashed one's transactional.id and stored positions. It joins
        # under another consumer-group name because noida-db never removes a crashed member
        # from its group (docs/local-broker.md); the group's position is the one stored with
        # its effects in PostgreSQL, so nothing else differs.
        successor_config = dataclasses.replace(config, group_prefix="successor-")
        successor = await start_child(successor_config, group, crash_at=0)
        try:
            async with asyncio.timeout(90):
                while len(await topic_answers(config, cases, "read_committed")) < EXPECTED:
                    assert successor.returncode is None, "the successor reactor died"
                    await asyncio.sleep(0.5)
        finally:
            successor.terminate()
            await successor.wait()

        committed = await topic_answers(config, cases, "read_committed")
        everything = await topic_answers(config, cases, "read_uncommitted")
        assert len(committed) == EXPECTED  # no gaps
        assert await answers_in_store(under_test, cases) == EXPECTED
        # The crashed batch's answers were produced before it died: read_uncommitted sees them.
        assert sum(everything.values()) > EXPECTED
        if transactions:
            assert set(committed.values()) == {1}, "a reader sees an answer twice"
        else:
            assert sum(committed.values()) > EXPECTED  # what transactions take away


async def committed_offsets(config: KafkaConfig, group: str) -> dict[int, int]:
    """The offsets the broker holds for ``group`` (what its lag tools show)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=config.bootstrap, group_id=group)
    await consumer.start()
    try:
        found = {}
        for partition in range(config.partitions):
            offset = await consumer.committed(TopicPartition(config.topic, partition))
            found[partition] = offset or 0
        return found
    finally:
        await consumer.stop()


async def test_with_kafka_transactions_projections_and_reactors_commit_their_offsets() -> None:
    """A reactor's offsets go to Kafka in its transactions, a projection's as without them:
    the broker's lag tools see both groups at the end of the topic."""
    if not integration_available():
        pytest.skip("needs the real broker and PostgreSQL (see .ci/run)")
    if not IDEMPOTENCE:
        pytest.skip("the test broker has no idempotent producer, so no transactions")
    config = kafka_config(transactions=True, transactional_id=f"t-{uuid.uuid4().hex[:8]}")
    reactor_group, projection_group = (f"contract-tx-{uuid.uuid4().hex[:8]}" for _ in "ab")
    cases = {new_case() for _ in range(CASES)}
    async with open_kafka(config) as under_test:
        log = under_test.log
        assert isinstance(log, KafkaLog)
        for case in sorted(cases):
            await log.append(case, [noted(case, "in-0")])
        reactor = ReactorRunner(
            log=log, engine=under_test.engine, reactor=Echo(log, group=reactor_group, crash_at=0)
        )
        projection = CountingProjection(projection_group, cases=cases).runner(under_test)
        tasks = [asyncio.create_task(reactor.run()), asyncio.create_task(projection.run())]
        try:
            async with asyncio.timeout(60):
                while True:  # the answers are in, then both groups are past every record
                    answered = await answers_in_store(under_test, cases) == CASES
                    past = {}  # per partition, the offset after its last record
                    for record in await read_topic(config, "read_committed"):
                        past[record.partition] = max(
                            past.get(record.partition, 0), record.offset + 1
                        )
                    groups = [await committed_offsets(config, g) for g in (reactor_group,)]
                    groups.append(await committed_offsets(config, projection_group))
                    # (the end offsets are one further: a transaction's commit marker)
                    if answered and all(
                        offsets[p] >= past.get(p, 0) for offsets in groups for p in offsets
                    ):
                        break
                    await asyncio.sleep(0.5)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
