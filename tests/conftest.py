"""Shared fixtures: the embedded log, the Kafka log (real broker + PostgreSQL), databases."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.engine import make_engine
from shared.db.migrate import upgrade_to_head
from shared.log.embedded import EmbeddedLog
from shared.log.kafka import KafkaLog
from shared.log.kafka_config import KafkaConfig
from shared.log.port import EventLog
from shared.runtime.logging import MOBILE, RESIDENT_ID

# Property tests judge what a function returns, not how fast: a per-example deadline fails
# them on a busy machine (one example took 508 ms against the 200 ms default).
hypothesis_settings.register_profile("project", deadline=None)
hypothesis_settings.load_profile("project")

KAFKA = os.environ.get("FQ_TEST_KAFKA_BOOTSTRAP")
PG_URL = os.environ.get("FQ_TEST_DATABASE_URL")
REQUIRED = os.environ.get("FQ_REQUIRE_INTEGRATION") == "1"
# Which broker FQ_TEST_KAFKA_BOOTSTRAP is (noida, tansu; "" unknown): a test skips only a
# known quirk of one broker, and names it (docs/local-broker.md).
BROKER = os.environ.get("FQ_TEST_BROKER", "")
NOIDA_REJOIN = pytest.mark.skipif(
    BROKER == "noida",
    reason="noida-db 0.2.3 quirk: after one member of a two-member group restarts, its "
    "SyncGroup answer can carry an empty assignment (which aiokafka cannot decode) or fence "
    "the survivor's commits (IllegalGeneration), and the group is not assigned again",
)
# The idempotent producer, on in production: on where the test broker has InitProducerId.
IDEMPOTENCE = os.environ.get("FQ_TEST_KAFKA_IDEMPOTENCE", "false") == "true"
# Reactors commit their outputs and input offsets in Kafka transactions (needs idempotence).
TRANSACTIONS = os.environ.get("FQ_TEST_KAFKA_TRANSACTIONS", "false") == "true"


def integration_available() -> bool:
    if KAFKA and PG_URL:
        return True
    if REQUIRED:
        pytest.fail("FQ_TEST_KAFKA_BOOTSTRAP and FQ_TEST_DATABASE_URL must be set")
    return False


@dataclass
class LogUnderTest:
    """A log adapter plus the database its consumers store their positions in."""

    kind: str
    log: EventLog
    engine: AsyncEngine


async def _migrated_engine(url: str) -> AsyncEngine:
    await asyncio.to_thread(upgrade_to_head, url)
    return make_engine(url, durable=False)


@contextlib.asynccontextmanager
async def open_embedded(directory: Path) -> AsyncIterator[LogUnderTest]:
    log = EmbeddedLog(f"sqlite+aiosqlite:///{directory}/log.db", batch_size=16)
    await log.start()
    engine = await _migrated_engine(f"sqlite+aiosqlite:///{directory}/app.db")
    try:
        yield LogUnderTest("embedded", log, engine)
    finally:
        await log.close()
        await engine.dispose()


# Consumer-group timing valid under Apache Kafka's default broker configuration
# (group.min.session.timeout.ms=6000). Members leave the group when they close, so no test
# waits for a session to expire; the short heartbeat lets the others notice a rebalance soon.
GROUP_TIMING = {
    "session_timeout_ms": 6000,
    "heartbeat_interval_ms": 300,
    "rebalance_timeout_ms": 6000,
}


def kafka_config(**overrides: object) -> KafkaConfig:
    assert KAFKA and PG_URL
    values: dict[str, object] = {
        "bootstrap": KAFKA,
        "database_url": PG_URL,
        "topic": f"test-{uuid.uuid4().hex[:12]}",
        "partitions": 3,
        "enable_idempotence": IDEMPOTENCE,
        "transactions": TRANSACTIONS,
        "relay_interval_s": 0.5,
        **GROUP_TIMING,
        "max_batch": 16,
    }
    values.update(overrides)
    return KafkaConfig(**values)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def open_kafka(config: KafkaConfig | None = None) -> AsyncIterator[LogUnderTest]:
    assert PG_URL
    engine = await _migrated_engine(PG_URL)  # the event store's tables too
    log = KafkaLog(config or kafka_config())
    await log.start()
    try:
        yield LogUnderTest("kafka", log, engine)
    finally:
        await log.close()
        await engine.dispose()


@pytest.fixture
def bootstrap() -> str:
    """The test broker's address (skips without the real broker and PostgreSQL)."""
    if not integration_available():
        pytest.skip("needs the real broker and PostgreSQL (see .ci/run)")
    assert KAFKA
    return KAFKA


@pytest.fixture(params=["embedded", "kafka"])
async def any_log(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[LogUnderTest]:
    if request.param == "kafka":
        if not integration_available():
            pytest.skip("needs the real broker and PostgreSQL (see .ci/run)")
        marker = request.node.get_closest_marker("kafka_config")
        async with open_kafka(kafka_config(**(marker.kwargs if marker else {}))) as under_test:
            yield under_test
    else:
        async with open_embedded(tmp_path) as under_test:
            yield under_test


# Personal data must never reach the logs: every test's captured output goes through this
# detector (mobile and resident ID numbers, and the party names the tests use).
PII_IN_LOGS = re.compile(rf"(?<!\d)(?:{MOBILE}|{RESIDENT_ID})(?!\d)|张三|李四|王五")


@pytest.fixture(autouse=True)
def folding_only_where_asked(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Most tests post the same sample report many times as separate cases, which folding
    duplicates (合并工单) would fold into one: it is off for them, on for tests marked
    ``folding`` (docs/duplicates.md)."""
    if request.node.get_closest_marker("folding") is None:
        monkeypatch.setenv("FQ_DUPLICATES_ENABLED", "false")


@pytest.fixture(autouse=True)
def no_personal_data_in_logs(capsys: pytest.CaptureFixture[str]) -> Iterator[None]:
    yield
    captured = capsys.readouterr()
    sys.stdout.write(captured.out)
    sys.stderr.write(captured.err)
    leaks = PII_IN_LOGS.findall(captured.out + captured.err)
    assert not leaks, f"personal data in log output: {leaks[:3]}"


@contextlib.asynccontextmanager
async def fresh_pg_database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    import asyncpg
    from sqlalchemy.engine import make_url

    assert PG_URL
    url = make_url(PG_URL)
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(
        user=url.username,
        password=url.password,
        host=url.host,
        port=url.port or 5432,
        database=url.database,
    )
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(hide_password=False)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
