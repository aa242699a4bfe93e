"""Topics at start-up on the real broker: created with their retention, or checked; a
case-events topic that would lose events refuses the start."""

from __future__ import annotations

import uuid

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.log.topics import (
    TopicMisconfigured,
    dead_letter_topic,
    ensure_topics,
    event_topic,
    topic_configs,
)


def name() -> str:
    return f"test-topics-{uuid.uuid4().hex[:10]}"


async def configs_of(bootstrap: str, topic: str) -> dict[str, str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return await topic_configs(admin, topic)
    finally:
        await admin.close()


async def test_created_topics_keep_events_forever_and_dead_letters_as_configured(
    bootstrap: str,
) -> None:
    events, dead = name(), name()
    specs = [event_topic(events, 3, 1), dead_letter_topic(dead, 1, 86_400_000)]
    await ensure_topics(bootstrap=bootstrap, specs=specs)
    assert (await configs_of(bootstrap, events))["retention.ms"] == "-1"
    assert (await configs_of(bootstrap, dead))["retention.ms"] == "86400000"
    await ensure_topics(bootstrap=bootstrap, specs=specs, mode="check")  # now they exist


async def test_check_mode_refuses_a_missing_topic(bootstrap: str) -> None:
    missing = name()
    with pytest.raises(TopicMisconfigured, match=f"topics missing: {missing}"):
        await ensure_topics(bootstrap=bootstrap, specs=[event_topic(missing, 3, 1)], mode="check")


async def test_an_event_topic_that_expires_refuses_the_start(bootstrap: str) -> None:
    topic = name()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 3, 1, topic_configs={"retention.ms": "1000"})])
    finally:
        await admin.close()
    with pytest.raises(TopicMisconfigured, match=r"would lose events: retention\.ms=1000"):
        await ensure_topics(bootstrap=bootstrap, specs=[event_topic(topic, 3, 1)])
