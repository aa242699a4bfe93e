"""Settings of the Kafka log and the decoding of its records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.events.codec import PoisonEvent, decode
from shared.events.envelope import EventEnvelope
from shared.log.port import Delivery, Position


@dataclass(frozen=True)
class KafkaConfig:
    bootstrap: str
    database_url: str
    topic: str = "case-events"
    dead_letter_topic: str = "case-events.dlq"
    partitions: int = 12
    replication_factor: int = 1
    enable_idempotence: bool = True
    publish_timeout_s: float = 10.0
    relay_interval_s: float = 5.0
    fetch_max_wait_ms: int = 20
    session_timeout_ms: int = 10_000
    heartbeat_interval_ms: int = 1_000
    rebalance_timeout_ms: int = 30_000
    max_batch: int = 500
    group_prefix: str = ""
    topics_mode: Literal["create", "check"] = "create"
    dead_letter_retention_ms: int = 30 * 86_400_000
    transactions: bool = False
    """A reactor's outputs and input offsets commit in one transaction (kafka_transaction.py)."""
    transactional_id: str = "fengqiao"
    """This instance's part of each ``transactional.id``: stable across its restarts and
    unique among the running instances (the pod name of a StatefulSet, say)."""
    transaction_timeout_ms: int = 30_000

    @property
    def isolation_level(self) -> str:
        return "read_committed" if self.transactions else "read_uncommitted"

    @property
    def relay_after_s(self) -> float:
        """How old an unpublished row must be before the relay publishes it. With
        transactions, long enough for a crashed reactor's open transaction to be aborted and
        its input handled again by the member that replaces it (which produces the row in
        its own transaction): the relay then only publishes what nobody produced again."""
        if not self.transactions:
            return self.relay_interval_s
        waits_ms = self.session_timeout_ms + self.rebalance_timeout_ms + self.transaction_timeout_ms
        return self.relay_interval_s + waits_ms / 1000


def to_delivery(partition: int, offset: int, raw: bytes, key: bytes | None) -> Delivery:
    try:
        event: EventEnvelope | None = decode(raw)
        error = None
    except PoisonEvent as exc:
        event, error = None, str(exc)
    return Delivery(Position(partition, offset), raw, event, error, key.decode() if key else None)
