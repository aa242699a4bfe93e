"""A reactor's batch as one Kafka transaction: its output events and its input offsets.

Behind ``FQ_KAFKA_TRANSACTIONS`` (off by default). With it on, a reactor's subscription
makes a transactional producer for its first batch, with ``transactional.id`` = this
instance's ``transactional_id`` + "." + the reactor's group: the same again after a restart,
so the broker aborts at once what the crashed instance left open. (Projections have none:
their rows and positions commit together in the database, and their offsets go to Kafka as
without transactions.) While a batch is handled, every event the process appends in that
task is produced inside the batch's transaction; the input offsets join it
(``send_offsets_to_transaction``) and one commit makes both visible to ``read_committed``
readers. A crash between produce and commit
leaves the outputs aborted (a restart with the same ``transactional.id`` aborts them at once,
otherwise the coordinator does after ``transaction_timeout_ms``) and the input uncommitted;
the restarted reactor handles the input again, and the event store's idempotency keys give
back the same events, produced once more in the new transaction. So a reader of the topic
sees every output once.

Nothing here is needed for correctness: without transactions the outputs of a crashed batch
may appear twice in the topic, and every consumer drops the second copy (case sequence and
event id). The store marks events as published only once their transaction committed, and
its relay waits longer than a crashed member takes to be replaced
(``KafkaConfig.relay_after_s``) before it publishes rows nobody produced again.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field

import structlog
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from shared.log.kafka_config import KafkaConfig
from shared.log.port import Delivery

log = structlog.get_logger(__name__)


@dataclass
class OpenTransaction:
    """The transaction of the batch in hand: where its task's appends are produced."""

    topic: str
    producer: AIOKafkaProducer
    after_commit: list[Callable[[], None]] = field(default_factory=list)


OPEN: ContextVar[OpenTransaction | None] = ContextVar("open_kafka_transaction", default=None)
"""Set while a transactional batch is handled (the reactor's tasks inherit it)."""


def next_offsets(
    topic: str, deliveries: Sequence[Delivery]
) -> dict[TopicPartition, OffsetAndMetadata]:
    """Per partition, the offset after the last delivery (what a group commits)."""
    offsets: dict[TopicPartition, OffsetAndMetadata] = {}
    for delivery in deliveries:
        tp = TopicPartition(topic, delivery.position.partition)
        offset = delivery.position.offset + 1
        if tp not in offsets or offsets[tp].offset < offset:
            offsets[tp] = OffsetAndMetadata(offset, "")
    return offsets


class BatchTransactions:
    """One group member's transactional producer: a transaction per batch."""

    def __init__(self, config: KafkaConfig, *, group: str) -> None:
        self._config = config
        self._group_id = config.group_prefix + group
        self.transactional_id = f"{config.transactional_id}.{group}"
        self._producer: AIOKafkaProducer | None = None

    @property
    def started(self) -> bool:
        return self._producer is not None

    async def start(self) -> None:
        """Register the ``transactional.id``: the broker aborts what a crashed holder left open."""
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self._config.bootstrap,
            acks="all",
            enable_idempotence=True,
            transactional_id=self.transactional_id,
            transaction_timeout_ms=self._config.transaction_timeout_ms,
            linger_ms=2,
        )
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    @contextlib.asynccontextmanager
    async def batch(self, deliveries: Sequence[Delivery]) -> AsyncIterator[None]:
        """Handle ``deliveries`` in a transaction; leaving the block without an error commits
        the outputs with the input offsets, an error aborts both."""
        producer = self._producer
        if producer is None:
            raise RuntimeError("BatchTransactions.start() was not called")
        await producer.begin_transaction()
        open_ = OpenTransaction(self._config.topic, producer)
        token = OPEN.set(open_)
        try:
            yield
            offsets = next_offsets(self._config.topic, deliveries)
            await producer.send_offsets_to_transaction(offsets, self._group_id)
            await producer.commit_transaction()
        except BaseException as exc:
            log.warning("transaction_aborted", group=self._group_id, error=type(exc).__name__)
            with contextlib.suppress(Exception):
                await producer.abort_transaction()
            raise
        finally:
            OPEN.reset(token)
        for done in open_.after_commit:
            done()
