"""Build the adapters a process needs from its settings."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.api.auth import KeyRing
from shared.config import CommonSettings
from shared.db.engine import make_engine
from shared.db.migrate import (
    MigrationsBehind,
    behind_head,
    current_revision,
    head_revision,
    upgrade_to_head,
)
from shared.events.envelope import use_event_clock
from shared.log.embedded import EmbeddedLog
from shared.log.kafka import KafkaLog
from shared.log.kafka_config import KafkaConfig
from shared.log.port import EventLog
from shared.org.loader import load_org_tree
from shared.runtime.clock import SimulatedClock, make_clock
from shared.runtime.context import AppContext


def build_log(settings: CommonSettings) -> EventLog:
    if settings.log_backend == "embedded":
        return EmbeddedLog(
            settings.log_url,
            linger_seconds=settings.embedded_linger_ms / 1000,
            watch_seconds=settings.embedded_watch_ms / 1000,
        )
    return KafkaLog(
        KafkaConfig(
            bootstrap=settings.kafka_bootstrap,
            database_url=settings.database_url,
            topic=settings.kafka_topic,
            dead_letter_topic=f"{settings.kafka_topic}.dlq",
            partitions=settings.kafka_partitions,
            replication_factor=settings.kafka_replication_factor,
            enable_idempotence=settings.kafka_idempotence,
            group_prefix=settings.kafka_group_prefix,
            session_timeout_ms=settings.kafka_session_timeout_ms,
            heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
            rebalance_timeout_ms=settings.kafka_rebalance_timeout_ms,
            topics_mode=settings.kafka_topics,
            max_batch=settings.kafka_max_batch,
            publish_timeout_s=settings.kafka_publish_timeout_seconds,
            dead_letter_retention_ms=settings.kafka_dead_letter_retention_ms,
            transactions=settings.kafka_transactions,
            transactional_id=settings.kafka_transactional_id,
            transaction_timeout_ms=settings.kafka_transaction_timeout_ms,
        )
    )


async def open_database(settings: CommonSettings) -> AsyncEngine:
    """The read-model database, migrated (``FQ_MIGRATIONS=apply``) or checked (``check``)."""
    if settings.migrations == "apply":
        await asyncio.to_thread(upgrade_to_head, settings.database_url)
    engine = make_engine(settings.database_url, durable=False)
    if settings.migrations == "check":
        async with engine.connect() as conn:
            problem = behind_head(await current_revision(conn), head_revision())
        if problem is not None:
            await engine.dispose()
            raise MigrationsBehind(problem)
    return engine


async def open_context(settings: CommonSettings) -> AppContext:
    tree = load_org_tree(settings.org_file)
    engine = await open_database(settings)
    log = build_log(settings)
    await log.start()
    clock = make_clock(settings.clock, start=settings.clock_start)
    # Events occur on the simulated clock where there is one: a case's whole history, not
    # only the report, is in simulated time.
    use_event_clock(clock.now if isinstance(clock, SimulatedClock) else None)
    return AppContext(
        settings=settings,
        log=log,
        engine=engine,
        tree=tree,
        keys=KeyRing(settings.api_keys),
        clock=clock,
    )


async def close_context(context: AppContext) -> None:
    use_event_clock(None)
    await context.log.close()
    await context.engine.dispose()
