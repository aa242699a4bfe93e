"""Dispatch orders reach real HTTP receivers once per idempotency key, whatever fails."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from services.all_in_one import SERVICES
from services.sandbox.receiver import Receiver
from shared.api.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from shared.config import CommonSettings
from shared.events.envelope import EventEnvelope, utc_now
from shared.log.sql_schema import dead_letters
from tests.integration.api_client import embedded_settings, running_app
from tests.integration.conftest import START
from tests.integration.notify_support import (
    SECRET,
    delivered,
    events_when,
    of_type,
    point_notify_at,
    until,
    with_org,
)
from tests.integration.test_intake_api import MY_GRID, TREE, report

VILLAGE = TREE.ancestors(MY_GRID.code)[0]


async def test_a_report_sends_a_signed_dispatch_order_to_the_grid_worker(
    settings_for: CommonSettings,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    point_notify_at(monkeypatch, receiver)
    async with running_app(with_org(settings_for, receiver, tmp_path), SERVICES) as api:
        case_id = (await api.post("/v1/cases", json=report())).json()["id"]
        history = await events_when(api, case_id, lambda h: delivered(h, 2))

    issued = of_type(history, "DispatchOrderIssued")
    assert [(e["payload"]["purpose"], e["payload"]["unit_code"]) for e in issued] == [
        ("order", MY_GRID.code)
    ]
    hook = receiver.unique(f"/hooks/{MY_GRID.code}")
    assert len(hook) == 1
    (arrived,) = hook.values()
    assert arrived.signature_ok is True
    assert verify(
        SECRET.encode(),
        timestamp=arrived.headers[TIMESTAMP_HEADER],
        body=__import__("orjson").dumps(arrived.body),
        given=arrived.headers[SIGNATURE_HEADER],
    )
    order = arrived.body
    assert order["case_id"] == case_id and order["tier"] == "blue" and order["level"] == "grid"
    assert order["deadline_at"] and order["ack_due_at"] and order["case_number"]
    assert order["parties"][0]["name"] == "张三", "the holding team sees the parties"
    assert "1234" not in (order["parties"][0]["id_number"] or "")[:14]
    (sms,) = receiver.unique("/sms").values()
    assert sms.body["template_id"] == "FQ_ORDER_V1"
    assert sms.body["phone"] == MY_GRID.primary.phone
    assert "张三" not in str(sms.body["params"]), "no party data in an SMS"
    assert {d["payload"]["channel"] for d in of_type(history, "DispatchOrderDelivered")} == {
        "webhook",
        "sms",
    }


async def test_lapsed_ack_goes_to_the_backup_and_warns_the_village_then_escalation_orders_it(
    settings_for: CommonSettings,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    point_notify_at(monkeypatch, receiver)
    # This walk is about the acknowledgement window; warnings (预警) have their own test.
    monkeypatch.setenv("FQ_LADDER_WARNING_FRACTION", "0")
    async with running_app(with_org(settings_for, receiver, tmp_path), SERVICES) as api:
        case_id = (await api.post("/v1/cases", json=report())).json()["id"]
        await events_when(api, case_id, lambda h: delivered(h, 2))

        blue_ack_lapsed = START + timedelta(hours=13)
        await api.post("/v1/admin/clock", json={"now": blue_ack_lapsed.isoformat()})
        await events_when(api, case_id, lambda h: delivered(h, 2 + 3))  # backup: sms; village: 2

        grid_deadline_passed = START + timedelta(days=1, hours=1)
        await api.post("/v1/admin/clock", json={"now": grid_deadline_passed.isoformat()})
        history = await events_when(api, case_id, lambda h: delivered(h, 2 + 3 + 2))

    notices = of_type(history, "DispatchOrderIssued")
    assert [(e["payload"]["purpose"], e["payload"]["unit_code"]) for e in notices] == [
        ("order", MY_GRID.code),
        ("resend_backup", MY_GRID.code),
        ("warning", VILLAGE.code),
        ("order", VILLAGE.code),
    ]
    texts = sorted(
        (t.body["template_id"], t.body["phone"]) for t in receiver.unique("/sms").values()
    )
    assert texts == sorted(
        [
            ("FQ_ORDER_V1", MY_GRID.primary.phone),
            ("FQ_ORDER_BACKUP_V1", MY_GRID.backup.phone),
            ("FQ_ACK_WARNING_V1", VILLAGE.primary.phone),
            ("FQ_ORDER_V1", VILLAGE.primary.phone),
        ]
    )
    village_hooks = {
        r.body["purpose"]: r.body
        for r in receiver.unique("/hooks/").values()
        if r.path == f"/hooks/{VILLAGE.code}"
    }
    assert set(village_hooks) == {"warning", "order"}
    assert village_hooks["warning"]["parties"] == [], "a unit only warned sees no parties"
    assert village_hooks["order"]["parties"], "the unit that now holds the case sees them"


async def test_a_failing_receiver_gets_each_order_once_after_it_recovers(
    settings_for: CommonSettings,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    point_notify_at(monkeypatch, receiver)
    receiver.fail_next(6)  # every first attempts of both channels answer 500
    async with running_app(with_org(settings_for, receiver, tmp_path), SERVICES) as api:
        ids = [(await api.post("/v1/cases", json=report())).json()["id"] for _ in range(3)]
        histories = [await events_when(api, i, lambda h: delivered(h, 2)) for i in ids]

    counts = receiver.count_by_key()
    assert len(counts) == 6 and set(counts.values()) == {1}, counts
    assert receiver.refused == 6
    retries = [e for h in histories for e in of_type(h, "DeliveryAttemptFailed")]
    assert len(retries) == 6
    assert all("HTTP 500" in e["payload"]["reason"] for e in retries)
    by_delivery = {
        e["payload"]["delivery_id"]: e
        for h in histories
        for e in of_type(h, "DispatchOrderDelivered")
    }
    assert set(by_delivery) == set(counts)
    assert sum(e["payload"]["attempts"] for e in by_delivery.values()) == 6 + 6


async def test_a_timeout_is_retried_with_the_same_key(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    point_notify_at(monkeypatch, receiver, http_timeout_seconds=0.3)
    receiver.hang_next(1, seconds=1.0)
    settings = embedded_settings(tmp_path, clock="simulated", clock_start=START)
    async with running_app(with_org(settings, receiver, tmp_path), SERVICES) as api:
        case_id = (await api.post("/v1/cases", json=report())).json()["id"]
        history = await events_when(api, case_id, lambda h: delivered(h, 2))

    reasons = [e["payload"]["reason"] for e in of_type(history, "DeliveryAttemptFailed")]
    assert reasons and all(r.startswith("timed out") for r in reasons)
    counts = receiver.count_by_key()
    assert len(counts) == 2 and set(counts.values()) == {1}


async def test_a_given_up_delivery_is_an_event_and_a_supervisor_re_drives_it(
    settings_for: CommonSettings,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    point_notify_at(monkeypatch, receiver, retry_total_seconds=0.3)
    receiver.fail_always(status=503)
    async with running_app(with_org(settings_for, receiver, tmp_path), SERVICES) as api:
        case_id = (await api.post("/v1/cases", json=report())).json()["id"]
        history = await events_when(api, case_id, lambda h: len(of_type(h, "DeliveryFailed")) == 2)
        failed: list[dict[str, Any]] = []

        async def both_listed() -> bool:
            # Each row is marked failed right after its DeliveryFailed event is appended.
            failed[:] = (await api.get("/v1/admin/deliveries", params={"status": "failed"})).json()
            return len(failed) == 2

        await until(both_listed, api)
        assert {f["delivery_id"] for f in failed} == {
            e["payload"]["delivery_id"] for e in of_type(history, "DeliveryFailed")
        }
        assert all("HTTP 503" in f["last_error"] for f in failed)

        receiver.recover()
        webhook = next(f for f in failed if f["channel"] == "webhook")
        refused = await api.post(f"/v1/admin/deliveries/{failed[0]['delivery_id']}x/retry")
        assert refused.status_code == 404
        answer = await api.post(f"/v1/admin/deliveries/{webhook['delivery_id']}/retry")
        assert answer.status_code == 202, answer.text
        history = await events_when(api, case_id, lambda h: delivered(h, 1))
        again = await api.post(f"/v1/admin/deliveries/{webhook['delivery_id']}/retry")
        assert again.status_code == 409
        assert again.headers["content-type"].startswith("application/problem+json")

    assert of_type(history, "DeliveryRetryRequested")[0]["payload"]["by"] == "development"
    assert list(receiver.count_by_key()) == [webhook["delivery_id"]]


async def test_a_poison_cause_is_dead_lettered_and_orders_keep_flowing(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    point_notify_at(monkeypatch, receiver)
    settings = embedded_settings(tmp_path, clock="simulated", clock_start=START)
    async with running_app(with_org(settings, receiver, tmp_path), SERVICES) as api:
        log = api.app.state.context.log  # type: ignore[attr-defined]
        broken = EventEnvelope(
            event_id=__import__("uuid").uuid4(),
            event_type="CaseAssigned",
            schema_version=1,
            case_id="broken-case",
            sequence=0,
            occurred_at=utc_now(),
            correlation_id=__import__("uuid").uuid4(),
            producer="somebody-else",
            payload={"level": "grid"},
        )
        await log.append("broken-case", [broken])
        case_id = (await api.post("/v1/cases", json=report())).json()["id"]
        await events_when(api, case_id, lambda h: delivered(h, 2))
        async with log.store.engine.connect() as conn:
            parked = (
                (
                    await conn.execute(
                        select(dead_letters.c.reason).where(
                            dead_letters.c.consumer_group == "notify"
                        )
                    )
                )
                .scalars()
                .all()
            )
    assert len(parked) == 1 and parked[0].startswith("ValidationError")
