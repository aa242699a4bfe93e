"""Create or check the Kafka topics the system needs, with their partitions and retention.

The case-events topic is the system of record and must never expire (``retention.ms=-1``).
It is not compacted either: compaction keeps only the newest record per key, and the key
is the case id, so a compacted topic would keep one event per case and lose its history.
A topic whose settings would lose events refuses the start; a partition count that differs
from the configured one is kept as it is (adding partitions would move cases to other
partitions and break the order of their events) and reported.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any, Literal

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError

log = structlog.get_logger(__name__)

TopicsMode = Literal["create", "check"]


class TopicMisconfigured(RuntimeError):
    """A topic is missing (in check mode) or set up in a way that would lose events."""


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    replication_factor: int
    configs: dict[str, str]
    required: frozenset[str] = field(default_factory=frozenset)
    """Configs whose value must match exactly, or the start is refused."""


def event_topic(name: str, partitions: int, replication_factor: int) -> TopicSpec:
    return TopicSpec(
        name,
        partitions,
        replication_factor,
        {"retention.ms": "-1", "cleanup.policy": "delete"},
        required=frozenset({"retention.ms", "cleanup.policy"}),
    )


def dead_letter_topic(name: str, replication_factor: int, retention_ms: int) -> TopicSpec:
    return TopicSpec(name, 1, replication_factor, {"retention.ms": str(retention_ms)})


async def ensure_topics(
    *, bootstrap: str, specs: list[TopicSpec], mode: TopicsMode = "create"
) -> None:
    """Create missing topics (``create``) or refuse without them (``check``), then verify."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [spec for spec in specs if spec.name not in existing]
        if missing and mode == "check":
            names = ", ".join(spec.name for spec in missing)
            raise TopicMisconfigured(
                f"topics missing: {names} (FQ_KAFKA_TOPICS=check; create them or use create)"
            )
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another instance was first
                await admin.create_topics([_new_topic(spec) for spec in missing])
            for spec in missing:
                log.info("topic_created", topic=spec.name, partitions=spec.partitions)
        for spec in specs:
            await _verify(admin, spec)
    finally:
        await admin.close()


def _new_topic(spec: TopicSpec) -> NewTopic:
    return NewTopic(
        name=spec.name,
        num_partitions=spec.partitions,
        replication_factor=spec.replication_factor,
        topic_configs=spec.configs,
    )


async def _verify(admin: AIOKafkaAdminClient, spec: TopicSpec) -> None:
    described = await admin.describe_topics([spec.name])
    partitions = described[0].get("partitions", []) if described else []
    if partitions and len(partitions) != spec.partitions:
        log.warning(
            "topic_partitions_differ",
            topic=spec.name,
            partitions=len(partitions),
            configured=spec.partitions,
            kept="existing count (changing it would move cases between partitions)",
        )
    replicas = len(partitions[0].get("replicas", [])) if partitions else spec.replication_factor
    if replicas < spec.replication_factor:
        log.warning(
            "topic_replication_below_configured",
            topic=spec.name,
            replicas=replicas,
            configured=spec.replication_factor,
        )
    actual = await topic_configs(admin, spec.name)
    wrong = [
        f"{name}={actual.get(name, '(broker default)')} (needs {spec.configs[name]})"
        for name in sorted(spec.required)
        if actual.get(name, _default(name)) != spec.configs[name]
    ]
    if wrong:
        raise TopicMisconfigured(
            f"topic {spec.name} would lose events: " + ", ".join(wrong) + "; fix it with "
            "kafka-configs --alter before starting"
        )
    for name, value in spec.configs.items():
        if name not in spec.required and name in actual and actual[name] != value:
            log.warning("topic_config_differs", topic=spec.name, config=name, value=actual[name])


def _default(name: str) -> str | None:
    """Kafka's defaults for configs a broker may leave out of its answer."""
    return {"cleanup.policy": "delete"}.get(name)


async def topic_configs(admin: AIOKafkaAdminClient, topic: str) -> dict[str, str]:
    responses: list[Any] = await admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, topic)]
    )
    found: dict[str, str] = {}
    for response in responses:
        for resource in response.resources:
            entries = resource[4] if isinstance(resource, tuple) else resource.config_entries
            for entry in entries:
                found[str(entry[0])] = str(entry[1])
    return found
