"""The transactions check of ``make kafka-smoke``, run when ``FQ_KAFKA_TRANSACTIONS`` is on:
a producer with this instance's ``transactional.id`` commits one record and aborts another,
and a ``read_committed`` reader finds the first only (docs/operations.md, Reactors in Kafka
transactions)."""

from __future__ import annotations

from typing import Protocol

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.config import CommonSettings


class Checks(Protocol):
    def check(self, ok: bool, what: str, found: str) -> None: ...


async def check_transactions(
    bootstrap: str, topic: str, settings: CommonSettings, run: str, report: Checks
) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        transactional_id=f"{settings.kafka_transactional_id}.smoke-{run}",
        transaction_timeout_ms=settings.kafka_transaction_timeout_ms,
    )
    await producer.start()
    try:
        async with producer.transaction():
            await producer.send_and_wait(topic, b"committed", key=run.encode())
        await producer.begin_transaction()
        await producer.send_and_wait(topic, b"aborted", key=run.encode())
        await producer.abort_transaction()
    finally:
        await producer.stop()
    seen = await read_committed(bootstrap, topic, run)
    report.check(
        seen == [b"committed"],
        "transactions (commit, abort, read_committed)",
        f"read_committed found {[value.decode() for value in seen]}",
    )


async def read_committed(bootstrap: str, topic: str, run: str) -> list[bytes]:
    """The values of this run's records, read_committed, up to the last stable offset."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, isolation_level="read_committed")
    await consumer.start()
    try:
        assigned = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or {0}]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        end = await consumer.end_offsets(assigned)
        seen: list[bytes] = []
        while [tp for tp in assigned if await consumer.position(tp) < end[tp]]:
            for messages in (await consumer.getmany(timeout_ms=500)).values():
                seen += [m.value or b"" for m in messages if m.key == run.encode()]
        return seen
    finally:
        await consumer.stop()
