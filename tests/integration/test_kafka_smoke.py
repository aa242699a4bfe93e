"""``make kafka-smoke`` on the test broker: it passes where the topics are as documented and
fails, naming the check, where the event topic would lose events."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.log.topics import dead_letter_topic, ensure_topics, event_topic
from tests.conftest import IDEMPOTENCE

ROOT = Path(__file__).resolve().parents[2]


def smoke(bootstrap: str, topic: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "FQ_KAFKA_TOPIC": topic,
        "FQ_KAFKA_PARTITIONS": "3",
        # Where the broker has the idempotent producer, the transactions check runs too.
        "FQ_KAFKA_TRANSACTIONS": str(IDEMPOTENCE).lower(),
    }
    return subprocess.run(
        ["make", "-s", "kafka-smoke", f"BOOTSTRAP={bootstrap}", f"PY={sys.executable}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def lines(output: str, start: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(start)]


async def test_smoke_passes_on_topics_set_up_as_documented(bootstrap: str) -> None:
    topic = f"test-smoke-{uuid.uuid4().hex[:10]}"
    specs = [event_topic(topic, 3, 1), dead_letter_topic(f"{topic}.dlq", 1, 30 * 86_400_000)]
    await ensure_topics(bootstrap=bootstrap, specs=specs)

    result = smoke(bootstrap, topic)

    failed = [line.split(":")[0] for line in lines(result.stdout, "FAIL")]
    # Tansu has no InitProducerId: there, and only there, the idempotence check fails.
    assert failed == ([] if IDEMPOTENCE else ["FAIL  idempotent produce (acks=all)"]), result.stdout
    assert (result.returncode == 0) == IDEMPOTENCE
    assert f"ok    topic {topic} retention.ms: -1 (expected -1)" in result.stdout
    assert (
        "ok    round trip (key, headers, body): 3 of 3 records read back as sent" in result.stdout
    )
    assert "consumer group join: session timeout 10000 ms" in result.stdout
    committed_only = "ok    transactions (commit, abort, read_committed): read_committed found"
    assert (committed_only in result.stdout) == IDEMPOTENCE, result.stdout


async def test_smoke_fails_on_a_compacted_event_topic_and_a_missing_one(bootstrap: str) -> None:
    topic = f"test-smoke-{uuid.uuid4().hex[:10]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        compacted = {"cleanup.policy": "compact", "retention.ms": "-1"}
        await admin.create_topics([NewTopic(topic, 3, 1, topic_configs=compacted)])
    finally:
        await admin.close()

    result = smoke(bootstrap, topic)

    assert result.returncode != 0, result.stdout
    assert f"FAIL  topic {topic} cleanup.policy: compact (expected delete" in result.stdout
    assert f"FAIL  topic {topic}.dlq: missing" in result.stdout
