"""A short outage drill: our own broker paused under a trickle of reports. Intake answers
201 or 503 problem+json, and every accepted case is triaged and assigned once."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from services.escalation.main import SERVICE as ESCALATION
from services.intake.main import SERVICE as INTAKE
from services.triage.main import SERVICE as TRIAGE
from tests.conftest import fresh_pg_database
from tests.integration.api_client import kafka_settings, running_app
from tests.integration.processes import OwnBroker, poll
from tests.integration.test_intake_api import report

pytestmark = pytest.mark.alone

RATE = 4  # reports per second
BEFORE, OUTAGE, AFTER = 2.0, 6.0, 2.0  # seconds; the publish timeout is 2 s


async def test_nothing_accepted_is_lost_while_the_broker_is_paused(broker: OwnBroker) -> None:
    async with fresh_pg_database() as url:
        settings = kafka_settings(
            url, kafka_bootstrap=broker.bootstrap, kafka_publish_timeout_seconds=2.0
        )
        async with running_app(settings, [INTAKE, TRIAGE, ESCALATION]) as api:
            answers: list[httpx.Response] = []

            async def send(n: int) -> None:
                await asyncio.sleep(n / RATE)
                answers.append(
                    await api.post(
                        "/v1/cases", json=report(), headers={"Idempotency-Key": f"drill-{n}"}
                    )
                )

            async def outage() -> None:
                await asyncio.sleep(BEFORE)
                broker.pause()
                await asyncio.sleep(OUTAGE)
                broker.resume()

            total = int(RATE * (BEFORE + OUTAGE + AFTER))
            await asyncio.gather(outage(), *(send(n) for n in range(total)))

            statuses = Counter(a.status_code for a in answers)
            assert set(statuses) <= {201, 503}, statuses
            refused = [a for a in answers if a.status_code == 503]
            assert refused, "the outage outlasted the publish timeout"
            assert {a.headers["content-type"] for a in refused} == {"application/problem+json"}
            accepted = [a.json()["id"] for a in answers if a.status_code == 201]
            assert accepted

            async def all_processed() -> bool:
                for case_id in accepted:
                    history = (await api.get(f"/v1/cases/{case_id}/events")).json()
                    kinds = Counter(e["type"] for e in history)
                    if not (kinds["CaseTriaged"] and kinds["CaseAssigned"]):
                        return False
                    assert kinds["CaseTriaged"] == 1 and kinds["CaseAssigned"] == 1
                return True

            await poll(all_processed, within=60)
