"""The case events of a running system read with kcat (librdkafka, not a Python client): each
record has the case id as key, no headers and the event envelope as JSON; a record no
consumer could use is in the dead-letter topic with its reason, group and source headers,
as docs/operations.md (Topics and keys) describes."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.intake.main import SERVICE as INTAKE
from services.triage.main import SERVICE as TRIAGE
from shared.config import CommonSettings
from tests.conftest import BROKER, REQUIRED, fresh_pg_database, integration_available
from tests.integration.api_client import kafka_settings, running_app
from tests.integration.processes import poll
from tests.integration.test_intake_api import MY_GRID, report
from tests.integration.test_triage_service import wait_for_tier

ENVELOPE = {  # docs/operations.md, Topics and keys
    "event_id",
    "event_type",
    "schema_version",
    "case_id",
    "sequence",
    "occurred_at",
    "recorded_at",
    "correlation_id",
    "causation_id",
    "producer",
    "idempotency_key",
    "payload",
}
POISON = b'{"event_type": "CaseReported", "not": "an envelope"'


@pytest.fixture
async def system() -> AsyncIterator[tuple[httpx.AsyncClient, CommonSettings]]:
    if not integration_available():
        pytest.skip("needs the real broker and PostgreSQL (see .ci/run)")
    if BROKER == "tansu":
        pytest.skip("Tansu 0.6 answers librdkafka's ApiVersionRequest short (Read underflow)")
    if shutil.which("kcat") is None:
        if REQUIRED:
            pytest.fail("kcat is not installed (apt-get install kcat; .ci/run does)")
        pytest.skip("kcat is not installed")
    async with fresh_pg_database() as url:
        settings = kafka_settings(url)
        async with running_app(settings, [INTAKE, TRIAGE]) as client:
            yield client, settings


async def kcat(bootstrap: str, topic: str) -> list[dict[str, Any]]:
    """Every record of ``topic`` as kcat's JSON envelope (-J): key, headers, payload, ..."""
    process = await asyncio.create_subprocess_exec(
        *("kcat", "-C", "-b", bootstrap, "-t", topic, "-J", "-e", "-q"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    return [json.loads(line) for line in out.decode().splitlines() if line]


def headers_of(record: dict[str, Any]) -> dict[str, str]:
    flat = record.get("headers") or []
    return dict(zip(flat[::2], flat[1::2], strict=True))


async def test_kcat_reads_each_case_event_with_its_key_and_json_body(
    system: tuple[httpx.AsyncClient, CommonSettings],
) -> None:
    api, settings = system
    body = report(title="邻里噪音", description="楼上装修噪音扰民。", unit_code=MY_GRID.code)
    case = (await api.post("/v1/cases", json=body)).json()
    await wait_for_tier(api, case["id"], version=2)
    history = (await api.get(f"/v1/cases/{case['id']}/events")).json()

    records = await kcat(settings.kafka_bootstrap, settings.kafka_topic)

    mine = [r for r in records if r["key"] == case["id"]]
    assert [headers_of(r) for r in mine] == [{}, {}]
    events = [json.loads(r["payload"]) for r in mine]
    assert [(e["event_type"], e["sequence"], e["case_id"]) for e in events] == [
        ("CaseReported", 1, case["id"]),
        ("CaseTriaged", 2, case["id"]),
    ]
    assert all(set(e) <= ENVELOPE and "payload" in e for e in events)
    assert [e["event_id"] for e in events] == [e["event_id"] for e in history]
    assert events[1]["causation_id"] == events[0]["event_id"]
    assert len({r["partition"] for r in mine}) == 1, "one case's events share a partition"


async def test_kcat_reads_a_dead_letter_with_its_reason_group_and_source(
    system: tuple[httpx.AsyncClient, CommonSettings],
) -> None:
    _, settings = system
    bootstrap, dead_letters = settings.kafka_bootstrap, f"{settings.kafka_topic}.dlq"
    key = "poison-case"
    kcat_produce = await asyncio.create_subprocess_exec(
        *("kcat", "-P", "-b", bootstrap, "-t", settings.kafka_topic, "-k", key),
        stdin=asyncio.subprocess.PIPE,
    )
    await kcat_produce.communicate(POISON)
    assert kcat_produce.returncode == 0

    async def parked() -> bool:
        found = [r for r in await kcat(bootstrap, dead_letters) if r["key"] == key]
        return {headers_of(r)["group"] for r in found} >= {"triage", "projection.cases"}

    await poll(parked, within=60)
    for record in [r for r in await kcat(bootstrap, dead_letters) if r["key"] == key]:
        headers = headers_of(record)
        assert record["payload"] == POISON.decode()
        assert headers["reason"].startswith("not a valid event envelope"), headers
        assert re.fullmatch(r"\d+:\d+", headers["source"]), headers
