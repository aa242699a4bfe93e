"""``python -m services.kafka_smoke [BOOTSTRAP]`` (``make kafka-smoke BOOTSTRAP=host:port``):
check that a Kafka cluster gives the services what they rely on.

It checks the project's topics as docs/operations.md (Topics and keys) describes them:
partitions, replication factor, ``min.insync.replicas`` where the broker reports it,
``cleanup.policy=delete`` and retention (the event topic never expires); then the
idempotent producer, a consumer group join with the services' session timeout, and a
produce/consume round trip (key, headers, body) on a throwaway topic it deletes afterwards,
and with ``FQ_KAFKA_TRANSACTIONS`` on, a committed and an aborted transaction there.
Topic names, partitions and group timing come from the services' settings (``FQ_KAFKA_*``).
It prints one line per check and exits 1 when any check failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from services.kafka_smoke_transactions import check_transactions
from shared.config import CommonSettings
from shared.log.topics import topic_configs

ROUND_TRIP_RECORDS = 3


@dataclass
class Report:
    """The checks done so far: one printed line each."""

    failed: list[str] = field(default_factory=list)

    def check(self, ok: bool, what: str, found: str) -> None:
        print(f"{'ok  ' if ok else 'FAIL'}  {what}: {found}", flush=True)
        if not ok:
            self.failed.append(what)

    def note(self, what: str, found: str) -> None:
        print(f"info  {what}: {found}", flush=True)


@dataclass(frozen=True)
class Expected:
    topic: str
    partitions: int
    replication_factor: int
    retention_ms: str
    """``retention.ms`` the topic must have; ``""`` accepts any (reported only)."""


def expected_topics(settings: CommonSettings) -> list[Expected]:
    """The event topic must never expire; the dead letters' retention is only reported (each
    one is parked in PostgreSQL too), as the services themselves only warn about it."""
    return [
        Expected(
            settings.kafka_topic, settings.kafka_partitions, settings.kafka_replication_factor, "-1"
        ),
        Expected(f"{settings.kafka_topic}.dlq", 1, settings.kafka_replication_factor, ""),
    ]


async def check_topic(admin: AIOKafkaAdminClient, expected: Expected, report: Report) -> None:
    name = f"topic {expected.topic}"
    if expected.topic not in await admin.list_topics():  # describing it could auto-create it
        report.check(False, name, "missing (create it as docs/operations.md shows)")
        return
    described = await admin.describe_topics([expected.topic])
    partitions = described[0].get("partitions", []) if described else []
    if not partitions:
        report.check(False, name, "missing (create it as docs/operations.md shows)")
        return
    count, replicas = len(partitions), min(len(p.get("replicas", [])) for p in partitions)
    report.check(
        count == expected.partitions,
        f"{name} partitions",
        f"{count} (expected {expected.partitions})",
    )
    report.check(
        replicas >= expected.replication_factor,
        f"{name} replication factor",
        f"{replicas} (expected at least {expected.replication_factor})",
    )
    configs = await topic_configs(admin, expected.topic)
    isr = configs.get("min.insync.replicas")
    if isr is None:
        report.note(f"{name} min.insync.replicas", "not reported by the broker: check it there")
    else:
        floor = min(2, replicas)
        report.check(
            floor <= int(isr) <= replicas,
            f"{name} min.insync.replicas",
            f"{isr} (expected {floor}..{replicas} with {replicas} replicas)",
        )
    policy = configs.get("cleanup.policy", "delete")
    report.check(
        policy == "delete", f"{name} cleanup.policy", f"{policy} (expected delete, never compact)"
    )
    retention = configs.get("retention.ms", "(not reported)")
    if expected.retention_ms:
        report.check(
            retention == expected.retention_ms,
            f"{name} retention.ms",
            f"{retention} (expected {expected.retention_ms})",
        )
    else:
        report.note(f"{name} retention.ms", retention)


@contextlib.asynccontextmanager
async def throwaway_topic(
    admin: AIOKafkaAdminClient, replication_factor: int, report: Report
) -> AsyncIterator[str]:
    topic = f"fengqiao-smoke-{uuid.uuid4().hex[:10]}"
    await admin.create_topics([NewTopic(topic, 3, replication_factor)])
    report.note(
        "throwaway topic", f"{topic} (3 partitions, replication factor {replication_factor})"
    )
    try:
        yield topic
    finally:
        try:
            await admin.delete_topics([topic])
            report.note("throwaway topic", "deleted")
        except Exception as exc:  # the checks stand; only the clean-up failed
            report.note("throwaway topic", f"not deleted ({type(exc).__name__}): delete it by hand")


async def produce(
    bootstrap: str, topic: str, run: str, *, idempotent: bool
) -> list[tuple[bytes, bytes]]:
    """Send the round-trip records with ``acks=all``, idempotently or not."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=idempotent, acks="all"
    )
    try:
        await producer.start()
        sent = [
            (f"case-{run}-{n}".encode(), f'{{"n": {n}}}'.encode())
            for n in range(ROUND_TRIP_RECORDS)
        ]
        for key, value in sent:
            await producer.send_and_wait(topic, value, key=key, headers=[("smoke", run.encode())])
        return sent
    finally:
        await producer.stop()


async def join_and_consume(
    bootstrap: str, topic: str, settings: CommonSettings, run: str, count: int, report: Report
) -> list[tuple[bytes, bytes, bytes]]:
    """Join a new group with the services' timing and read ``count`` records back."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"fengqiao-smoke-{run}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
        rebalance_timeout_ms=settings.kafka_rebalance_timeout_ms,
    )
    started, joined_in = time.monotonic(), None
    await consumer.start()
    try:
        received: list[tuple[bytes, bytes, bytes]] = []
        while len(received) < count:
            batches = await consumer.getmany(timeout_ms=500)
            if joined_in is None and consumer.assignment():
                joined_in = time.monotonic() - started
            for message in (m for messages in batches.values() for m in messages):
                smoke_header = dict(message.headers).get("smoke", b"")
                received.append((message.key or b"", message.value or b"", smoke_header))
        await consumer.commit()
        timing = f"session timeout {settings.kafka_session_timeout_ms} ms"
        report.check(
            True, "consumer group join", f"{timing}, assigned after {joined_in or 0.0:.1f} s"
        )
        return received
    finally:
        await consumer.stop()  # leaves the group


async def round_trip(bootstrap: str, topic: str, settings: CommonSettings, report: Report) -> None:
    run = uuid.uuid4().hex[:8]
    try:
        sent = await produce(bootstrap, topic, run, idempotent=True)
        report.check(True, "idempotent produce (acks=all)", f"{len(sent)} records acknowledged")
    except Exception as exc:
        report.check(False, "idempotent produce (acks=all)", f"{type(exc).__name__}: {exc}")
        sent = await produce(bootstrap, topic, run, idempotent=False)  # the rest still tells
        report.note("produce without idempotence", f"{len(sent)} records acknowledged")
    reading = join_and_consume(bootstrap, topic, settings, run, len(sent), report)
    try:
        received = await asyncio.wait_for(
            reading, timeout=settings.kafka_rebalance_timeout_ms / 1000 + 30
        )
    except Exception as exc:
        report.check(False, "consumer group join and read back", f"{type(exc).__name__}: {exc}")
        return
    wanted = sorted((key, value, run.encode()) for key, value in sent)
    report.check(
        sorted(received) == wanted,
        "round trip (key, headers, body)",
        f"{len(received)} of {len(sent)} records read back as sent",
    )
    if settings.kafka_transactions:
        await step(
            report,
            "transactions",
            functools.partial(check_transactions, bootstrap, topic, settings, run, report),
        )


async def step(report: Report, what: str, action: Callable[[], Awaitable[None]]) -> None:
    try:
        await action()
    except Exception as exc:
        report.check(False, what, f"{type(exc).__name__}: {exc}")


async def smoke(bootstrap: str, settings: CommonSettings) -> Report:
    report = Report()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    try:
        await admin.start()
    except Exception as exc:
        report.check(False, f"broker {bootstrap}", f"unreachable ({type(exc).__name__})")
        return report
    try:
        cluster = await admin.describe_cluster()
        report.note(f"cluster at {bootstrap}", f"{len(cluster['brokers'])} broker(s)")
        for expected in expected_topics(settings):
            await step(
                report,
                f"topic {expected.topic}",
                functools.partial(check_topic, admin, expected, report),
            )

        async def trip() -> None:
            async with throwaway_topic(admin, settings.kafka_replication_factor, report) as topic:
                await round_trip(bootstrap, topic, settings, report)

        await step(report, "throwaway topic", trip)
    finally:
        await admin.close()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.kafka_smoke", description=__doc__)
    parser.add_argument("bootstrap", nargs="?", help="host:port (default: FQ_KAFKA_BOOTSTRAP)")
    args = parser.parse_args(argv)
    settings = CommonSettings()
    bootstrap = args.bootstrap or settings.kafka_bootstrap
    report = asyncio.run(smoke(bootstrap, settings))
    if report.failed:
        print(f"{len(report.failed)} check(s) failed: " + "; ".join(report.failed))
        return 1
    print("every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
