"""Put an undecodable record into a log, as a buggy or foreign producer would."""

from __future__ import annotations

import uuid

from aiokafka import AIOKafkaProducer
from sqlalchemy import insert

from shared.events.envelope import utc_now
from shared.log.embedded import EmbeddedLog
from shared.log.kafka import KafkaLog
from shared.log.sql_schema import event_log
from tests.conftest import LogUnderTest


async def inject_poison(under_test: LogUnderTest, *, key: str, raw: bytes) -> None:
    log = under_test.log
    if isinstance(log, EmbeddedLog):
        async with log.store.engine.begin() as conn:
            await conn.execute(
                insert(event_log).values(
                    event_id=str(uuid.uuid4()),
                    case_id=f"poison-{uuid.uuid4()}",
                    sequence=1,
                    event_type="?",
                    recorded_at=utc_now(),
                    body=raw,
                    published=True,
                )
            )
        log.wake_subscribers()
    elif isinstance(log, KafkaLog):
        producer = AIOKafkaProducer(bootstrap_servers=log.config.bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(log.config.topic, value=raw, key=key.encode())
        finally:
            await producer.stop()
    else:
        raise TypeError(type(log).__name__)
