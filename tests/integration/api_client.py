"""Start the application in-process (lifespan included) and talk to it over HTTP/ASGI."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx
from pydantic import SecretStr

from shared.config import ROLES, ApiKeySetting, CommonSettings
from shared.runtime.app import create_app
from shared.runtime.service import ServiceModule
from tests.conftest import GROUP_TIMING, IDEMPOTENCE, TRANSACTIONS

TOWNSHIP_CLIENT_KEY = "township-key"
NO_PII_KEY = "no-pii-key"
HANDLER_KEY = "handler-key"


def api_keys_for_tests(*, township_region: str) -> list[ApiKeySetting]:
    return [
        ApiKeySetting(key=SecretStr("dev"), client="development", regions=[""], roles=list(ROLES)),
        ApiKeySetting(
            key=SecretStr(NO_PII_KEY),
            client="county-system",
            regions=[""],
            roles=["reader", "reporter"],
        ),
        ApiKeySetting(
            key=SecretStr(HANDLER_KEY),
            client="village-handler",
            regions=[""],
            roles=["reader", "handler"],
        ),
        ApiKeySetting(
            key=SecretStr(TOWNSHIP_CLIENT_KEY),
            client="township-system",
            regions=[township_region],
            roles=["reader", "reporter", "pii"],
        ),
    ]


def embedded_settings(directory: Path, **overrides: object) -> CommonSettings:
    values: dict[str, object] = {
        "log_backend": "embedded",
        "log_url": f"sqlite+aiosqlite:///{directory}/log.db",
        "database_url": f"sqlite+aiosqlite:///{directory}/app.db",
        # Tests wait for the read models after each command: a short gathering time keeps
        # each wait short (the default's bigger batches are tested in test_escalation_service).
        "read_model_linger_ms": 20,
    }
    values.update(overrides)
    return CommonSettings(**values)  # type: ignore[arg-type]


def kafka_settings(database_url: str, **overrides: object) -> CommonSettings:
    """Kafka + PostgreSQL, a topic of its own, group timing valid on Kafka's defaults."""
    values: dict[str, object] = {
        "log_backend": "kafka",
        "kafka_bootstrap": os.environ["FQ_TEST_KAFKA_BOOTSTRAP"],
        "database_url": database_url,
        "kafka_topic": f"test-{uuid.uuid4().hex[:12]}",
        "kafka_partitions": 3,
        "kafka_group_prefix": f"test-{uuid.uuid4().hex[:8]}.",
        "kafka_idempotence": IDEMPOTENCE,
        "kafka_transactions": TRANSACTIONS,
        **{f"kafka_{name}": value for name, value in GROUP_TIMING.items()},
    }
    values.update(overrides)
    return CommonSettings(**values)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def running_app(
    settings: CommonSettings, services: Sequence[ServiceModule]
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings=settings, services=services)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://testserver",
            headers={"Authorization": "Bearer dev"},
        ) as client:
            client.app = app  # type: ignore[attr-defined]
            yield client
