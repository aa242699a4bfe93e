"""The Kafka log: Apache Kafka carries every event; PostgreSQL fences stream versions.

An append is first committed to the SQL event store (the version check, the idempotency
key and the per-case index Kafka cannot give), then produced with the case id as key
(``acks=all``) and only reported as done once the broker confirmed it. A crash between the
two leaves the rows unpublished; the relay publishes them again. Consumers deduplicate by
case sequence and event id, so a record published twice does no harm.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import timedelta

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.partitioner import DefaultPartitioner

from shared.db.engine import make_engine
from shared.events.codec import decode, encode
from shared.events.envelope import EventEnvelope, utc_now
from shared.log.kafka_config import KafkaConfig, to_delivery
from shared.log.kafka_subscription import KafkaSubscription
from shared.log.kafka_transaction import OPEN
from shared.log.port import (
    ANY_VERSION,
    AppendRequest,
    AppendResult,
    BatchOutcome,
    Delivery,
    EventLog,
    LogUnavailable,
    PositionLoader,
    Shard,
    Subscription,
)
from shared.log.sql_store import SqlEventStore
from shared.log.topics import dead_letter_topic, ensure_topics, event_topic

log = structlog.get_logger(__name__)


class KafkaLog(EventLog):
    def __init__(self, config: KafkaConfig) -> None:
        self.config = config
        self._engine = make_engine(config.database_url)
        self.store = SqlEventStore(self._engine, published_on_insert=False)
        self._producer: AIOKafkaProducer | None = None
        self._relay: asyncio.Task[None] | None = None
        self._marker: asyncio.Task[None] | None = None
        self._published: list[str] = []
        self._publish_noted = asyncio.Event()
        self._partitions: list[int] = []

    async def start(self) -> None:
        await ensure_topics(
            bootstrap=self.config.bootstrap,
            specs=[
                event_topic(
                    self.config.topic, self.config.partitions, self.config.replication_factor
                ),
                dead_letter_topic(
                    self.config.dead_letter_topic,
                    self.config.replication_factor,
                    self.config.dead_letter_retention_ms,
                ),
            ],
            mode=self.config.topics_mode,
        )
        await self.store.start(create_schema=False)  # the migrations made its tables
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self.config.bootstrap,
            acks="all",
            enable_idempotence=self.config.enable_idempotence,
            linger_ms=2,
        )
        await self._producer.start()
        self._partitions = sorted(await self._producer.partitions_for(self.config.topic))
        self._relay = asyncio.create_task(self._relay_forever(), name="kafka-relay")
        self._marker = asyncio.create_task(self._mark_forever(), name="kafka-mark-published")

    async def close(self) -> None:
        for task in (self._relay, self._marker):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._flush_published()
        if self._producer is not None:
            await self._producer.stop()
        await self.store.close()
        await self._engine.dispose()

    async def append(
        self,
        case_id: str,
        events: Sequence[EventEnvelope],
        *,
        expected_version: int | None = ANY_VERSION,
        idempotency_key: str | None = None,
        fingerprint: str | None = None,
    ) -> AppendResult:
        result = await self.store.append(
            case_id,
            events,
            expected_version=expected_version,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
        )
        await self._publish([encode(event) for event in result.events], result.events)
        return result

    async def append_batch(self, requests: Sequence[AppendRequest]) -> list[BatchOutcome]:
        outcomes = await self.store.append_batch(requests)
        events = [e for o in outcomes if isinstance(o, AppendResult) for e in o.events]
        if events:
            await self._publish([encode(event) for event in events], events)
        return outcomes

    def partition_of(self, case_id: str) -> int:
        """Where the producer's (default) partitioner sends the case's key."""
        if not self._partitions:
            raise RuntimeError("KafkaLog.start() was not called")
        return int(DefaultPartitioner()(case_id.encode(), self._partitions, self._partitions))

    async def _publish(self, bodies: list[bytes], events: Sequence[EventEnvelope]) -> None:
        """Produce and await the acknowledgements; inside a reactor's transaction
        (kafka_transaction.py) the events count as published once it commits."""
        producer = self._require_producer()
        open_ = OPEN.get()
        if open_ is not None and open_.topic == self.config.topic:
            producer = open_.producer
        try:
            sent = [
                await producer.send(self.config.topic, value=body, key=event.case_id.encode())
                for body, event in zip(bodies, events, strict=True)
            ]
            async with asyncio.timeout(self.config.publish_timeout_s):
                await asyncio.gather(*sent)
        except (TimeoutError, Exception) as exc:
            log.warning("publish_failed", error=type(exc).__name__, events=len(bodies))
            raise LogUnavailable("the broker did not confirm the events in time") from exc
        ids = [str(event.event_id) for event in events]
        if producer is self._producer:
            self._note_published(ids)
        else:
            open_.after_commit.append(lambda: self._note_published(ids))  # type: ignore[union-attr]

    def _note_published(self, ids: list[str]) -> None:
        self._published.extend(ids)
        self._publish_noted.set()

    async def _mark_forever(self) -> None:
        """Mark acknowledged rows as published, many per transaction."""
        while True:
            await self._publish_noted.wait()
            await asyncio.sleep(0.05)  # gather the acknowledgements of this moment
            try:
                await self._flush_published()
            except Exception as exc:  # the relay republishes what stays unmarked
                log.warning("mark_published_failed", error=type(exc).__name__)

    async def _flush_published(self) -> None:
        """Mark what the broker acknowledged; kept for the next flush when this one fails or
        is cancelled (the close's last flush then marks it: not left to the relay, which
        would publish it again)."""
        ids, self._published = self._published, []
        self._publish_noted.clear()
        try:
            await self.store.mark_published(ids)
        except BaseException:
            self._published[:0] = ids
            raise

    async def _relay_forever(self) -> None:
        """Publish rows whose writer died between the database commit and the broker ack."""
        while True:
            await asyncio.sleep(self.config.relay_interval_s)
            try:
                before = utc_now() - timedelta(seconds=self.config.relay_after_s)
                bodies = await self.store.unpublished(recorded_before=before, limit=1000)
                if bodies:
                    events = [decode(body) for body in bodies]
                    await self._publish(bodies, events)
                    log.info("relay_published", events=len(events))
            except Exception as exc:
                log.warning("relay_failed", error=type(exc).__name__)

    async def read_stream(self, case_id: str, *, after: int = 0) -> list[EventEnvelope]:
        return await self.store.read_stream(case_id, after=after)

    async def read_streams(self, case_ids: Sequence[str]) -> dict[str, list[EventEnvelope]]:
        return await self.store.read_streams(case_ids)

    def subscribe(
        self, group: str, *, positions: PositionLoader, linger_seconds: float | None = None
    ) -> Subscription:
        subscription = KafkaSubscription(
            self.config, group=group, positions=positions, tracker=self.consumers
        )
        self.consumers.opened(subscription)
        return subscription

    async def probe(self) -> None:
        """Ask the broker for its metadata: a paused or unreachable broker does not answer."""
        await self._require_producer().client.fetch_all_metadata()

    async def end_offsets(self) -> dict[int, int]:
        consumer = AIOKafkaConsumer(bootstrap_servers=self.config.bootstrap)
        await consumer.start()
        try:
            partitions = consumer.partitions_for_topic(self.config.topic) or set()
            assigned = [TopicPartition(self.config.topic, p) for p in sorted(partitions)]
            ends = await consumer.end_offsets(assigned) if assigned else {}
            return {tp.partition: int(offset) for tp, offset in ends.items()}
        finally:
            await consumer.stop()

    async def replay(
        self, start: Mapping[int, int] | None = None, *, shard: Shard | None = None
    ) -> AsyncIterator[list[Delivery]]:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.config.bootstrap,
            enable_auto_commit=False,
            fetch_max_wait_ms=self.config.fetch_max_wait_ms,
            isolation_level=self.config.isolation_level,
        )
        await consumer.start()
        try:
            partitions = consumer.partitions_for_topic(self.config.topic) or set()
            assigned = [TopicPartition(self.config.topic, p) for p in sorted(partitions)]
            consumer.assign(assigned)
            await consumer.seek_to_beginning(*assigned)
            for tp in assigned:
                if start and tp.partition in start:
                    consumer.seek(tp, start[tp.partition])
            end = await consumer.end_offsets(assigned)
            remaining = set(assigned)
            quiet = 0
            # Read until every partition has gone quiet at or past its end offset. End offsets
            # are only a lower bound: the development broker under-reports them.
            while remaining and quiet < 10:
                records = await consumer.getmany(*remaining, timeout_ms=300, max_records=1000)
                if records:
                    quiet = 0
                    batch = [
                        to_delivery(tp.partition, m.offset, m.value or b"", m.key)
                        for tp, messages in records.items()
                        for m in messages
                        if shard is None or shard.holds(m.key.decode() if m.key else "")
                    ]
                    if batch:
                        yield batch
                    continue
                quiet += 1
                for tp in list(remaining):
                    if await consumer.position(tp) >= end[tp]:
                        remaining.discard(tp)
        finally:
            await consumer.stop()

    async def dead_letter(self, delivery: Delivery, *, group: str, reason: str) -> None:
        if not await self.store.park(delivery, group=group, reason=reason):
            return  # parked already
        headers = [
            ("reason", reason.encode()),
            ("group", group.encode()),
            ("source", f"{delivery.position.partition}:{delivery.position.offset}".encode()),
        ]
        producer = self._require_producer()
        await producer.send_and_wait(
            self.config.dead_letter_topic,
            value=delivery.raw,
            key=delivery.key.encode() if delivery.key else None,
            headers=headers,
        )

    def _require_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            raise RuntimeError("KafkaLog.start() was not called")
        return self._producer
