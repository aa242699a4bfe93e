"""The dispatcher's claim and the outbox's writes on the embedded database's driver: a claim
leases the oldest free pending rows (not those another holds, nor busy ones), keeps the
first attempt's time once set, and returns the rows as stored; the outbox records outcomes
and issued deliveries once, whatever the batches."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.notify import leases
from services.notify.outbox.projection import DeliveryOutbox
from shared.db.engine import make_engine
from shared.db.schema import deliveries, metadata
from shared.events.envelope import EventEnvelope, utc_now

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/app.db", durable=False)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


def row(n: int, **values: Any) -> dict[str, Any]:
    stored: dict[str, Any] = {
        "delivery_id": f"d-{n}",
        "notice_id": f"n-{n}",
        "case_id": f"c-{n}",
        "unit_code": "330681001001",
        "channel": "webhook",
        "kind": "order",
        "status": "pending",
        "attempts": 0,
        "issued_at": T0 + timedelta(seconds=n),
        "first_attempt_at": None,
        "next_attempt_at": None,
        "delivered_at": None,
        "last_error": None,
        "lease_owner": None,
        "lease_until": None,
    }
    return {**stored, **values}


async def stored(engine: AsyncEngine) -> dict[str, dict[str, Any]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(deliveries))).mappings()
        return {r["delivery_id"]: dict(r) for r in rows}


async def test_a_claim_leases_the_oldest_free_rows_and_returns_them_as_stored(
    engine: AsyncEngine,
) -> None:
    earlier = T0 - timedelta(hours=1)
    async with engine.begin() as conn:
        await conn.execute(
            deliveries.insert(),
            [
                row(0, status="delivered"),
                row(1, lease_owner="other", lease_until=utc_now() + LEASE),  # held elsewhere
                row(2, lease_owner="gone", lease_until=utc_now() - LEASE, first_attempt_at=earlier),
                row(3),
                row(4),  # busy here
                row(5),
                row(6),  # beyond the room
            ],
        )

    claimed = await leases.claim(engine, "me", room=4, lease=LEASE, busy={"d-4"})

    assert [r["delivery_id"] for r in sorted(claimed, key=lambda r: r["issued_at"])] == [
        "d-2",
        "d-3",
        "d-5",
    ]
    after = await stored(engine)
    assert {r["delivery_id"]: r for r in claimed} == {k: after[k] for k in ("d-2", "d-3", "d-5")}
    assert after["d-2"]["first_attempt_at"] == earlier.replace(tzinfo=None)
    assert after["d-3"]["first_attempt_at"] is not None and after["d-3"]["lease_owner"] == "me"
    assert after["d-1"]["lease_owner"] == "other" and after["d-4"]["lease_owner"] is None
    again = await leases.claim(engine, "me", room=4, lease=LEASE, busy=set())
    assert sorted(r["delivery_id"] for r in again) == ["d-4", "d-6"]


def event(event_type: str, case_id: str, payload: dict[str, Any]) -> EventEnvelope:
    return EventEnvelope(
        event_id=uuid.uuid4(),
        event_type=event_type,
        schema_version=1,
        case_id=case_id,
        sequence=3,
        occurred_at=T0,
        recorded_at=T0,
        correlation_id=uuid.uuid4(),
        producer="notify",
        payload=payload,
    )


def issued(n: int) -> EventEnvelope:
    channels = [{"delivery_id": f"d-{n}-{c}", "channel": c} for c in ("webhook", "sms")]
    payload = {"notice_id": f"n-{n}", "purpose": "order", "unit_code": "330681001001"}
    return event("DispatchOrderIssued", f"c-{n}", {**payload, "deliveries": channels})


def delivered(delivery_id: str, at: datetime) -> EventEnvelope:
    payload = {"delivery_id": delivery_id, "attempts": 2, "delivered_at": at.isoformat()}
    return event("DispatchOrderDelivered", "c-0", payload)


def failed_attempt(delivery_id: str, attempt: int) -> EventEnvelope:
    payload = {"delivery_id": delivery_id, "attempt": attempt, "reason": "HTTP 503"}
    return event("DeliveryAttemptFailed", "c-0", payload)


async def test_the_outbox_records_each_delivery_once_and_its_outcomes_in_order(
    engine: AsyncEngine,
) -> None:
    outbox = DeliveryOutbox()
    batches = [
        [issued(0), issued(1)],
        [issued(0), failed_attempt("d-0-sms", 1)],  # redelivered issue: no second row
        [failed_attempt("d-0-webhook", 1), delivered("d-0-webhook", T0)],
        [failed_attempt("d-0-sms", 2), failed_attempt("d-0-sms", 1)],  # never lowers the count
    ]
    for batch in batches:
        async with engine.begin() as conn:
            await outbox.apply_many(batch, conn)

    rows = await stored(engine)
    assert sorted(rows) == ["d-0-sms", "d-0-webhook", "d-1-sms", "d-1-webhook"]
    webhook, sms = rows["d-0-webhook"], rows["d-0-sms"]
    assert (webhook["status"], webhook["attempts"]) == ("delivered", 2)
    assert webhook["delivered_at"] == T0.replace(tzinfo=None)
    assert (sms["status"], sms["attempts"], sms["last_error"]) == ("pending", 2, "HTTP 503")
    assert rows["d-1-sms"]["attempts"] == 0 and rows["d-1-sms"]["issued_at"] is not None
