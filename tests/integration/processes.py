"""Helpers of tests that run services as processes: a broker of their own, ports, polling."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.config import CommonSettings
from shared.log.sql_schema import event_log
from tests.conftest import GROUP_TIMING, IDEMPOTENCE, TRANSACTIONS
from tests.integration.test_notify_crash import free_port, poll

__all__ = ["free_port", "poll"]

ROOT = Path(__file__).resolve().parents[2]
KAFKA_SH = ROOT / "deploy" / "local" / "kafka.sh"


@dataclass
class OwnBroker:
    """A Kafka-protocol broker started for one test, so pausing it disturbs nobody else."""

    port: int
    pid: int

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def pause(self) -> None:
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.pid, signal.SIGCONT)


@contextlib.contextmanager
def own_broker() -> Iterator[OwnBroker]:
    port = free_port()
    env = {**os.environ, "FQ_KAFKA_PORT": str(port), "PYTHON": str(ROOT / ".venv/bin/python")}
    subprocess.run([str(KAFKA_SH), "start"], env=env, check=True, capture_output=True)
    pid = int((ROOT / ".local" / "run" / f"kafka-{port}.pid").read_text())
    try:
        yield OwnBroker(port, pid)
    finally:
        subprocess.run([str(KAFKA_SH), "stop"], env=env, check=False, capture_output=True)


def kafka_process_env(settings: CommonSettings, port: int, **extra: str) -> dict[str, str]:
    """The environment of a service process on the same broker, topic and database."""
    return {
        **os.environ,
        "PORT": str(port),
        "FQ_LOG_BACKEND": "kafka",
        "FQ_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "FQ_DATABASE_URL": settings.database_url,
        "FQ_KAFKA_TOPIC": settings.kafka_topic,
        "FQ_KAFKA_PARTITIONS": str(settings.kafka_partitions),
        "FQ_KAFKA_GROUP_PREFIX": settings.kafka_group_prefix,
        "FQ_KAFKA_IDEMPOTENCE": str(IDEMPOTENCE).lower(),
        "FQ_KAFKA_TRANSACTIONS": str(TRANSACTIONS).lower(),
        **{f"FQ_KAFKA_{name.upper()}": str(value) for name, value in GROUP_TIMING.items()},
        "FQ_ORG_FILE": str(settings.org_file),
        "FQ_JSON_LOGS": "true",
        **extra,
    }


async def ready(url: str) -> bool:
    try:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"{url}/readyz", timeout=5)).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.asynccontextmanager
async def service_process(
    module: str, env: dict[str, str], *, log_file: Path, args: tuple[str, ...] = ()
) -> AsyncIterator[subprocess.Popen[bytes]]:
    """``python -m services.<module> *args`` on ``env['PORT']``, once its /readyz answers 200."""
    with log_file.open("ab") as output:
        process = subprocess.Popen(  # noqa: ASYNC220 - started once, watched by polling
            [str(ROOT / ".venv/bin/python"), "-m", f"services.{module}", *args],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        await poll(lambda: ready(f"http://127.0.0.1:{env['PORT']}"), within=60)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


async def count_events(engine: AsyncEngine, event_type: str) -> int:
    async with engine.connect() as conn:
        query = select(func.count()).where(event_log.c.event_type == event_type)
        return int((await conn.execute(query)).scalar_one())
