"""A reactor in its own process, for the crash test of test_reactor_transactions.py.

It answers every "in-N" note of a case with an "out-N" note (an idempotency key derived
from the input event), and with ``crash_at`` set it kills itself with SIGKILL right after
the ``crash_at``-th answer was produced: after produce, before the batch commits.
Settings come as JSON in FQ_TX_CHILD: the KafkaConfig fields, ``group`` and ``crash_at``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal

from shared.consumers.reactor import ReactorRunner
from shared.db.engine import make_engine
from shared.events.envelope import EventEnvelope
from shared.log.kafka import KafkaLog
from shared.log.kafka_config import KafkaConfig
from tests.contract.events import noted


class Echo:
    def __init__(self, log: KafkaLog, *, group: str, crash_at: int) -> None:
        self.group = group
        self._log = log
        self._crash_at = crash_at
        self._answered = 0

    def wants(self, event: EventEnvelope) -> bool:
        return str(event.payload.get("note", "")).startswith("in-")

    async def react(self, event: EventEnvelope) -> None:
        note = str(event.payload["note"])
        key = f"echo:{event.event_id}"
        answer = noted(event.case_id, "out-" + note.removeprefix("in-"), key=key)
        await self._log.append(event.case_id, [answer], idempotency_key=key)
        self._answered += 1
        if self._answered == self._crash_at:
            os.kill(os.getpid(), signal.SIGKILL)


async def main() -> None:
    settings = json.loads(os.environ["FQ_TX_CHILD"])
    group, crash_at = settings.pop("group"), settings.pop("crash_at")
    config = KafkaConfig(**settings)
    log = KafkaLog(config)
    await log.start()
    engine = make_engine(config.database_url, durable=False)
    reactor = Echo(log, group=group, crash_at=crash_at)
    try:
        await ReactorRunner(log=log, engine=engine, reactor=reactor).run()
    finally:
        await log.close()
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
