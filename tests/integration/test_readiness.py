"""/readyz answers 503 problem+json naming what is wrong, and 200 again once it is fixed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from services.intake.main import SERVICE as INTAKE
from shared.db.engine import make_engine
from shared.db.migrate import MigrationsBehind
from shared.runtime.app import create_app
from tests.conftest import fresh_pg_database
from tests.integration.api_client import embedded_settings, kafka_settings, running_app
from tests.integration.processes import OwnBroker, poll

pytestmark = pytest.mark.alone


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    async with fresh_pg_database() as url:
        yield url


async def readiness(api: httpx.AsyncClient) -> tuple[int, dict[str, Any], str]:
    answer = await api.get("/readyz")
    return answer.status_code, answer.json(), answer.headers["content-type"]


async def test_readyz_fails_while_the_broker_is_paused_and_recovers(
    broker: OwnBroker, pg_url: str
) -> None:
    settings = kafka_settings(
        pg_url, kafka_bootstrap=broker.bootstrap, readiness_timeout_seconds=1.0
    )
    async with running_app(settings, [INTAKE]) as api:

        async def is_ready() -> bool:
            return (await api.get("/readyz")).status_code == 200

        await poll(is_ready, within=60)  # the consumer group's first join takes seconds
        assert (await api.get("/healthz")).status_code == 200

        broker.pause()

        async def is_not_ready() -> bool:
            return (await api.get("/readyz")).status_code == 503

        await poll(is_not_ready, within=10)
        status, body, content_type = await readiness(api)
        assert status == 503 and content_type == "application/problem+json", body
        assert body["failed"] == ["log"], body
        assert body["checks"]["log"] in {"no answer within 1 s", "unreachable (KafkaError)"}
        assert body["checks"]["database"] == "ok"
        assert (await api.get("/healthz")).status_code == 200, "alive, only not ready"

        broker.resume()
        await poll(is_ready, within=30)


async def test_readyz_fails_when_the_database_is_behind_the_code(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path)
    async with running_app(settings, [INTAKE]) as api:
        assert (await api.get("/readyz")).status_code == 200
        engine = make_engine(settings.database_url, durable=False)
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        await engine.dispose()

        status, body, _ = await readiness(api)
        assert status == 503 and body["failed"] == ["migrations"]
        assert "revision 0001" in body["checks"]["migrations"]
        assert "python -m services.migrate" in body["detail"]


async def test_check_mode_refuses_to_start_on_an_unmigrated_database(tmp_path: Path) -> None:
    app = create_app(settings=embedded_settings(tmp_path, migrations="check"), services=[INTAKE])
    with pytest.raises(MigrationsBehind, match=r"at revision \(none\).*services.migrate"):
        async with app.router.lifespan_context(app):
            pass
