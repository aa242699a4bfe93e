"""A unit's work queue (待办): its open cases, each in the bucket its deadline puts it in.

Buckets are computed at query time against the clock: an item is *overdue* when its due
instant has passed (or its follow-up visit was marked overdue), *due soon* when it falls
within the window, and every item held is *open*.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.measures.queues.fold import WORKING, QueueRow
from services.measures.queues.projection import row_from_db
from shared.db.schema import unit_queue


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
        rows = [row_from_db(r) for r in (await conn.execute(query)).mappings()]
    items = [classify(row, now=now, within=within) for row in rows]
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(items, key=lambda i: (i.due_at or far, i.row["case_id"]))
