"""Per-unit work queues: the projection (``unit_queue``) and the query by holder unit.

Buckets are computed at query time against the clock: an item is *overdue* when its due
instant has passed (or its follow-up visit was marked overdue), *due soon* when it falls
within the window, and every item held is *open*.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.lifecycle.queue_view import WORKING, QueueRow, evolve
from shared.consumers.per_case import PerCaseProjection
from shared.db.bulk import insert_rows
from shared.db.keys import key_in
from shared.db.schema import unit_queue
from shared.events.envelope import EventEnvelope
from shared.times import as_utc

TIMES = ("ack_due_at", "deadline_at", "follow_up_due_at", "updated_at")


def _from_db(mapping: Any) -> QueueRow:
    row = dict(mapping)
    for column in TIMES:
        if row[column] is not None:
            row[column] = as_utc(row[column])
    return row


class UnitQueueProjection(PerCaseProjection[QueueRow]):
    group = "projection.unit_queue"
    default_tables = (unit_queue,)

    async def load(self, conn: AsyncConnection, case_ids: list[str]) -> dict[str, QueueRow]:
        table = self.table(unit_queue)
        found = await conn.execute(
            select(table).where(key_in(table.c.case_id, case_ids, conn.dialect))
        )
        return {row["case_id"]: _from_db(row) for row in found.mappings()}

    async def store(
        self, conn: AsyncConnection, states: dict[str, QueueRow], stored: Collection[str]
    ) -> None:
        table = self.table(unit_queue)
        if stored:
            await conn.execute(delete(table).where(key_in(table.c.case_id, stored, conn.dialect)))
        await insert_rows(conn, table, list(states.values()))

    def evolve(self, state: QueueRow | None, event: EventEnvelope) -> QueueRow | None:
        return evolve(state, event)

    def evolve_owned(self, state: QueueRow | None, event: EventEnvelope) -> QueueRow | None:
        return evolve(state, event, owned=True)

    def version(self, state: QueueRow) -> int:
        return int(state["version"])


@dataclass(frozen=True)
class QueueItem:
    row: QueueRow
    step: str
    due_at: datetime | None
    bucket: str


def classify(row: QueueRow, *, now: datetime, within: timedelta) -> QueueItem:
    """What the holder has to do next, by when, and whether that is overdue or due soon."""
    if row["status"] == "resolved":
        step, due = "follow_up", row["follow_up_due_at"]
        late = bool(row["follow_up_overdue"])
    else:
        step = "mediate" if row["acknowledged"] else "acknowledge"
        due = None if row["paused"] else row["deadline_at"]
        late = False
    if late or (due is not None and due <= now):
        bucket = "overdue"
    elif due is not None and due - now <= within:
        bucket = "due_soon"
    else:
        bucket = "open"
    return QueueItem(row=row, step=step, due_at=due, bucket=bucket)


async def unit_queue_items(
    engine: AsyncEngine, unit_code: str, *, now: datetime, within: timedelta
) -> list[QueueItem]:
    """The cases a unit holds and still has work on, soonest due first."""
    query = select(unit_queue).where(
        unit_queue.c.holder_unit_code == unit_code, unit_queue.c.status.in_(WORKING)
    )
    async with engine.connect() as conn:
        rows = [_from_db(r) for r in (await conn.execute(query)).mappings()]
    items = [classify(row, now=now, within=within) for row in rows]
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(items, key=lambda i: (i.due_at or far, i.row["case_id"]))
