"""The delivery outbox: one row per planned delivery, kept from the log (a projection).

Rows and the consumer position commit together, so every issued delivery gets exactly
one row, and rebuilding from the log gives back each delivery's state. The dispatcher
also writes its own outcome to a row at once, after the event that records it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, Update, bindparam, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.bulk import insert_rows
from shared.db.hot_statements import hot_execute_many
from shared.db.keys import rows_with_keys
from shared.db.schema import deliveries
from shared.events.envelope import EventEnvelope
from shared.times import as_utc, parse_utc

ISSUED = frozenset({"DispatchOrderIssued", "HotlineFeedbackIssued"})
OUTCOMES = frozenset(
    {"DeliveryAttemptFailed", "DispatchOrderDelivered", "DeliveryFailed", "DeliveryRetryRequested"}
)
"""The event types ``outcome_values`` answers for (the others it passes over)."""
CLAIMABLE = ISSUED | {"DeliveryRetryRequested"}
"""The event types that leave a row the dispatcher may claim (a new delivery, or one sent
back to pending); the other outcomes settle rows it holds or held."""


def claimable(event: EventEnvelope) -> bool:
    return event.event_type in CLAIMABLE


def _kind(event: EventEnvelope) -> str:
    if event.event_type == "HotlineFeedbackIssued":
        return "hotline"
    return str(event.payload["purpose"])


def _issued_rows(events: Sequence[EventEnvelope]) -> dict[str, dict[str, Any]]:
    return {
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
            "first_attempt_at": None,
            "next_attempt_at": None,
            "delivered_at": None,
            "last_error": None,
            "lease_owner": None,
            "lease_until": None,
        }
        for e in events
        if e.event_type in ISSUED
        for d in e.payload["deliveries"]
    }


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

    def wants(self, event: EventEnvelope) -> bool:
        return event.event_type in ISSUED or event.event_type in OUTCOMES

    async def apply(self, event: EventEnvelope, conn: AsyncConnection) -> None:
        await self.apply_many([event], conn)

    async def apply_many(
        self,
        events: Sequence[EventEnvelope],
        conn: AsyncConnection,
        *,
        new_cases: Collection[str] = (),
    ) -> None:
        """One read of the rows concerned, the batch folded in memory, bulk writes.

        Same effect as inserting each issued delivery and updating its row per outcome
        event in order; an update only writes the columns the batch's events change. The
        deliveries of ``new_cases`` are not looked up (those cases have no rows yet)."""
        table = self._table
        issued = _issued_rows(events)
        outcomes = [
            (str(e.payload["delivery_id"]), e.event_type, values, e.case_id)
            for e in events
            if e.event_type in OUTCOMES and (values := outcome_values(e)) is not None
        ]
        if not issued and not outcomes:
            return
        wanted = {key for key, row in issued.items() if row["case_id"] not in new_cases}
        wanted.update(key for key, _, _, case_id in outcomes if case_id not in new_cases)
        rows: dict[str, dict[str, Any]] = {}
        if wanted:
            found = await rows_with_keys(conn, table, "delivery_id", wanted)
            rows = {row["delivery_id"]: dict(row) for row in found}
        fresh = {key: row for key, row in issued.items() if key not in rows}
        rows.update(fresh)
        changed: dict[str, set[str]] = {}  # the columns to update of rows stored before
        for delivery_id, event_type, values, _ in outcomes:
            row = rows.get(delivery_id)
            if row is None:
                continue  # an outcome of a delivery this table never had
            if event_type == "DeliveryAttemptFailed" and row["attempts"] >= values["attempts"]:
                continue  # only ever raises the count; never reopens a settled row
            row.update(values)
            if delivery_id not in fresh:  # a fresh row is inserted as it ends up
                changed.setdefault(delivery_id, set()).update(values)
        if fresh:
            await insert_rows(conn, table, list(fresh.values()))
        await _write_changes(table, conn, rows, changed)


async def _write_changes(
    table: Table,
    conn: AsyncConnection,
    rows: Mapping[str, Mapping[str, Any]],
    changed: Mapping[str, set[str]],
) -> None:
    """One executemany per set of changed columns."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for delivery_id, columns in changed.items():
        key = tuple(sorted(columns))
        params = {f"new_{c}": rows[delivery_id][c] for c in key}
        by_columns.setdefault(key, []).append({"key": delivery_id, **params})
    for names, batch in by_columns.items():
        await hot_execute_many(conn, _update_of(table, names), batch)


@lru_cache(maxsize=64)  # a few sets of columns an outcome changes, per table
def _update_of(table: Table, names: tuple[str, ...]) -> Update:
    return (
        update(table)
        .where(table.c.delivery_id == bindparam("key"))
        .values({c: bindparam(f"new_{c}", type_=table.c[c].type) for c in names})
    )
