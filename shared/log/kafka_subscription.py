"""A consumer group on the case-events topic, starting where the group's effects left off."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError

from shared.log.kafka_config import KafkaConfig, to_delivery
from shared.log.kafka_transaction import BatchTransactions, next_offsets
from shared.log.port import Delivery, PositionLoader, Subscription
from shared.log.subscriptions import OpenSubscriptions

log = structlog.get_logger(__name__)


class _SeekToStoredPositions(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, subscription: KafkaSubscription) -> None:
        self._subscription = subscription

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        return None

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        await self._subscription.seek_to_stored(assigned)


class KafkaSubscription(Subscription):
    def __init__(
        self,
        config: KafkaConfig,
        *,
        group: str,
        positions: PositionLoader,
        tracker: OpenSubscriptions | None = None,
    ) -> None:
        self._config = config
        self.group = self._group = group
        self._tracker = tracker
        self._joined = False
        self._positions = positions
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=config.bootstrap,
            group_id=config.group_prefix + group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=config.fetch_max_wait_ms,
            max_poll_records=config.max_batch,
            session_timeout_ms=config.session_timeout_ms,
            heartbeat_interval_ms=config.heartbeat_interval_ms,
            rebalance_timeout_ms=config.rebalance_timeout_ms,
            isolation_level=config.isolation_level,
        )
        self._transactions = BatchTransactions(config, group=group) if config.transactions else None
        self._transacted: Sequence[Delivery] | None = None
        """The batch whose offsets its transaction committed (``commit`` has nothing to do)."""
        self._started = False
        self._closed = False

    @property
    def joined(self) -> bool:
        return self._joined

    @property
    def assignment(self) -> set[TopicPartition]:
        return set(self._consumer.assignment())

    def owned_partitions(self) -> frozenset[int] | None:
        """Nothing before the group assigned partitions; then what it assigned to this member."""
        if not self._started:
            return frozenset()
        return frozenset(tp.partition for tp in self._consumer.assignment())

    async def seek_to_stored(self, assigned: list[TopicPartition]) -> None:
        stored = await self._positions.load(self._group)
        for tp in assigned:
            if tp.partition in stored:
                self._consumer.seek(tp, stored[tp.partition])
        self._joined = True  # an empty share counts: the group has more members than partitions
        log.info(
            "partitions_assigned",
            group=self._group,
            partitions=sorted(tp.partition for tp in assigned),
        )

    async def batches(self) -> AsyncIterator[list[Delivery]]:
        if not self._started:
            self._consumer.subscribe([self._config.topic], listener=_SeekToStoredPositions(self))
            await self._consumer.start()
            self._started = True
        while not self._closed:
            records = await self._consumer.getmany(
                timeout_ms=500, max_records=self._config.max_batch
            )
            batch = [
                to_delivery(tp.partition, message.offset, message.value or b"", message.key)
                for tp, messages in records.items()
                for message in messages
            ]
            if batch:
                yield batch

    @contextlib.asynccontextmanager
    async def atomic(self, deliveries: Sequence[Delivery]) -> AsyncIterator[bool]:
        if self._transactions is None:
            yield False
            return
        if not self._transactions.started:  # a reactor's: abort what a crashed holder left open
            await self._transactions.start()
        async with self._transactions.batch(deliveries):
            yield True
        self._transacted = deliveries

    async def commit(self, deliveries: Sequence[Delivery]) -> None:
        if deliveries is self._transacted:
            return  # committed with the batch's transaction
        try:
            await self._consumer.commit(next_offsets(self._config.topic, deliveries))
        except (CommitFailedError, KafkaError) as exc:
            # The group's positions are stored with its effects; the broker copy is advisory.
            log.warning("offset_commit_failed", group=self._group, error=type(exc).__name__)

    def stop(self) -> None:
        self._closed = True  # the poll in progress returns within its 500 ms timeout

    async def close(self) -> None:
        """Leave the consumer group (the others take over its partitions at once)."""
        self._closed = True
        try:
            if self._started:
                await self._consumer.stop()
                log.info("consumer_left_group", group=self._group)
        finally:
            if self._transactions is not None:
                await self._transactions.stop()
            if self._tracker is not None:
                self._tracker.closed(self)
