"""Two notify instances in one consumer group on the real broker and PostgreSQL; one is
stopped (SIGTERM) and started again while reports keep coming. Every planned delivery
reaches the receiver exactly once by its idempotency key."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

import pytest

from services.escalation.main import SERVICE as ESCALATION
from services.intake.main import SERVICE as INTAKE
from services.sandbox.receiver import Receiver
from services.triage.main import SERVICE as TRIAGE
from tests.conftest import NOIDA_REJOIN, fresh_pg_database, integration_available
from tests.integration.api_client import kafka_settings, running_app
from tests.integration.notify_support import SECRET, org_file_for, started_receiver
from tests.integration.processes import free_port, kafka_process_env, poll, service_process
from tests.integration.test_intake_api import report

pytestmark = pytest.mark.alone

CASES = 24
NOTIFY = ("notify", "serve")
"""The notify process, as the stack and the manifests start it."""


def notify_env(receiver: Receiver, **values: str) -> dict[str, str]:
    return {
        "FQ_NOTIFY_SIGNING_SECRET": SECRET,
        "FQ_NOTIFY_SMS_GATEWAY_URL": f"{receiver.url}/sms",
        "FQ_NOTIFY_HOTLINE_CALLBACK_URL": f"{receiver.url}/hotline/feedback",
        "FQ_NOTIFY_RETRY_INITIAL_SECONDS": "0.05",
        "FQ_NOTIFY_LEASE_SECONDS": "10",  # only an instance that dies keeps its leases
        "FQ_SHUTDOWN_GRACE_SECONDS": "10",
        **values,
    }


def planned(history: list[dict[str, Any]]) -> set[str]:
    return {
        d["delivery_id"]
        for e in history
        if e["type"] == "DispatchOrderIssued"
        for d in e["payload"]["deliveries"]
    }


@NOIDA_REJOIN
async def test_each_delivery_once_while_one_of_two_instances_restarts(tmp_path: Path) -> None:
    if not integration_available():
        pytest.skip("needs the real broker and PostgreSQL (see .ci/run)")
    async with fresh_pg_database() as url, started_receiver() as receiver:
        settings = kafka_settings(url, org_file=org_file_for(receiver, tmp_path))
        ports = [free_port(), free_port()]
        envs = [kafka_process_env(settings, port, **notify_env(receiver)) for port in ports]
        logs = [tmp_path / "notify-a.log", tmp_path / "notify-b.log"]
        async with (
            running_app(settings, [INTAKE, TRIAGE, ESCALATION]) as api,
            service_process("processes", envs[0], log_file=logs[0], args=NOTIFY) as first,
            service_process("processes", envs[1], log_file=logs[1], args=NOTIFY),
        ):
            case_ids: list[str] = []

            async def report_some(count: int) -> None:
                for _ in range(count):
                    answer = await api.post("/v1/cases", json=report())
                    assert answer.status_code == 201
                    case_ids.append(answer.json()["id"])
                    await asyncio.sleep(0.05)  # a trickle, so the stop lands mid-stream

            await report_some(CASES // 3)
            first.send_signal(signal.SIGTERM)
            await asyncio.gather(report_some(CASES // 3), asyncio.to_thread(first.wait, 15))
            assert first.returncode == 0
            async with service_process("processes", envs[0], log_file=logs[0], args=NOTIFY):
                await report_some(CASES - 2 * (CASES // 3))
                expected: set[str] = set()

                async def all_delivered() -> bool:
                    expected.clear()
                    for case_id in case_ids:
                        history = (await api.get(f"/v1/cases/{case_id}/events")).json()
                        if not planned(history):
                            return False
                        expected.update(planned(history))
                    return expected <= set(receiver.unique())

                await poll(all_delivered, within=90)

        counts = receiver.count_by_key()
        assert set(counts) == expected, "only planned deliveries arrived"
        twice = {key: n for key, n in counts.items() if n != 1}
        assert not twice, f"delivered more than once: {twice}"
        assert len(expected) == 2 * CASES, "a webhook and an SMS per case"
