"""The delivery outbox: one row per planned delivery, kept from the log (a projection).

Rows and the consumer position commit together, so every issued delivery gets exactly
one row, and rebuilding from the log gives back each delivery's state. The dispatcher
also writes its own outcome to a row at once, after the event that records it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.schema import deliveries
from shared.db.times import as_utc, parse_utc
from shared.events.envelope import EventEnvelope

ISSUED = frozenset({"DispatchOrderIssued", "HotlineFeedbackIssued"})


def _kind(event: EventEnvelope) -> str:
    if event.event_type == "HotlineFeedbackIssued":
        return "hotline"
    return str(event.payload["purpose"])


async def _issued(table: Table, events: Sequence[EventEnvelope], conn: AsyncConnection) -> None:
    rows = {
        d["delivery_id"]: {
            "delivery_id": d["delivery_id"],
            "notice_id": e.payload["notice_id"],
            "case_id": e.case_id,
            "unit_code": e.payload.get("unit_code") or "",
            "channel": d["channel"],
            "kind": _kind(e),
            "status": "pending",
            "attempts": 0,
            "issued_at": as_utc(e.recorded_at or e.occurred_at),
        }
        for e in events
        if e.event_type in ISSUED
        for d in e.payload["deliveries"]
    }
    if not rows:
        return
    found = await conn.execute(
        select(table.c.delivery_id).where(table.c.delivery_id.in_(list(rows)))
    )
    known = set(found.scalars())
    fresh = [row for key, row in rows.items() if key not in known]
    if fresh:
        await conn.execute(insert(table), fresh)


def outcome_values(event: EventEnvelope) -> dict[str, Any] | None:
    """How an outcome event changes its delivery's row (``None``: not an outcome event)."""
    p = event.payload
    match event.event_type:
        case "DeliveryAttemptFailed":
            return {"attempts": p["attempt"], "last_error": p["reason"]}
        case "DispatchOrderDelivered":
            return {
                "status": "delivered",
                "attempts": p["attempts"],
                "delivered_at": parse_utc(p["delivered_at"]),
                "lease_owner": None,
                "lease_until": None,
            }
        case "DeliveryFailed":
            return {
                "status": "failed",
                "attempts": p["attempts"],
                "last_error": p["reason"],
                "lease_owner": None,
                "lease_until": None,
            }
        case "DeliveryRetryRequested":
            return {
                "status": "pending",
                "first_attempt_at": None,
                "next_attempt_at": None,
                "lease_owner": None,
                "lease_until": None,
            }
    return None


class DeliveryOutbox:
    group = "notify.outbox"

    def __init__(self, table: Table = deliveries) -> None:
        self._table = table

    @property
    def tables(self) -> tuple[Table, ...]:
        return (self._table,)

    def writing_to(self, tables: Mapping[str, Table]) -> DeliveryOutbox:
        """The same outbox writing into another table (a rebuild's fresh copy)."""
        return DeliveryOutbox(tables[deliveries.name])

    async def apply(self, event: EventEnvelope, conn: AsyncConnection) -> None:
        await self.apply_many([event], conn)

    async def apply_many(self, events: Sequence[EventEnvelope], conn: AsyncConnection) -> None:
        table = self._table
        await _issued(table, events, conn)
        for event in events:
            values = outcome_values(event)
            if values is None:
                continue
            query = update(table).where(table.c.delivery_id == event.payload["delivery_id"])
            if event.event_type == "DeliveryAttemptFailed":
                # Only ever raises the count; never reopens a delivered or failed row.
                query = query.where(table.c.attempts < values["attempts"])
            await conn.execute(query.values(**values))
