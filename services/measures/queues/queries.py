"""A unit's work queue (待办): its open cases, each in the bucket its deadline puts it in.

Buckets are computed at query time against the clock: an item is *overdue* when its due
instant has passed (or its follow-up visit was marked overdue), *due soon* when it falls
within the window, and every item held is *open*. The database counts the buckets, filters
and orders the rows (soonest due first) and hands back one page: a unit holding 10,000
cases answers its first page as fast as one holding ten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, not_, null, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.measures.queues.fold import WORKING, QueueRow
from services.measures.queues.projection import row_from_db
from shared.db.schema import case_facts, unit_queue

q = unit_queue.c
due_instant = case(
    (q.status == "resolved", q.follow_up_due_at),
    (q.paused, null()),
    else_=q.deadline_at,
)
"""The instant the holder's next step is due (none while the clock is paused)."""


@dataclass(frozen=True)
class QueueItem:
    row: QueueRow
    step: str
    due_at: datetime | None
    bucket: str


@dataclass(frozen=True)
class QueueFilter:
    """Which of the unit's open cases a page shows (None: any)."""

    bucket: str | None = None
    tier: str | None = None
    level: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class QueuePage:
    counts: dict[str, int]
    """open, due_soon, overdue over the unit's whole queue."""
    total: int
    """Items matching the filter, over every page."""
    items: list[QueueItem]


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


def _buckets(now: datetime, within: timedelta) -> dict[str, ColumnElement[bool]]:
    """``classify`` in SQL: the condition of each bucket but 'open' (every item)."""
    overdue = or_(and_(q.status == "resolved", q.follow_up_overdue), due_instant <= now)
    due_soon = and_(not_(overdue), due_instant <= now + within)
    return {"overdue": overdue, "due_soon": due_soon}


def _conditions(
    unit_code: str, wanted: QueueFilter, buckets: dict[str, ColumnElement[bool]]
) -> list[ColumnElement[bool]]:
    conditions = [q.holder_unit_code == unit_code, q.status.in_(WORKING)]
    if wanted.bucket in buckets:
        conditions.append(buckets[wanted.bucket])
    if wanted.tier:
        conditions.append(q.tier == wanted.tier)
    if wanted.level:
        conditions.append(q.level == wanted.level)
    if wanted.category:
        conditions.append(case_facts.c.category == wanted.category)
    return conditions


async def unit_queue_page(
    engine: AsyncEngine,
    unit_code: str,
    wanted: QueueFilter,
    *,
    now: datetime,
    within: timedelta,
    limit: int,
    offset: int = 0,
) -> QueuePage:
    """One page of the cases a unit holds and still has work on, soonest due first."""
    buckets = _buckets(now, within)
    joined = unit_queue.outerjoin(case_facts, case_facts.c.case_id == q.case_id)
    held = and_(q.holder_unit_code == unit_code, q.status.in_(WORKING))
    counted = select(
        func.count(),
        *(func.coalesce(func.sum(case((c, 1), else_=0)), 0) for c in buckets.values()),
    ).where(held)
    conditions = _conditions(unit_code, wanted, buckets)
    matching = select(func.count()).select_from(joined).where(*conditions)
    rows = (
        select(unit_queue, case_facts.c.category)
        .select_from(joined)
        .where(*conditions)
        .order_by(due_instant.is_(None), due_instant, q.case_id)
        .limit(limit)
        .offset(offset)
    )
    async with engine.connect() as conn:
        held_count, overdue, due_soon = (await conn.execute(counted)).one()
        total = (await conn.execute(matching)).scalar_one()
        found = [row_from_db(r) for r in (await conn.execute(rows)).mappings()]
    return QueuePage(
        counts={"open": held_count, "due_soon": due_soon, "overdue": overdue},
        total=total,
        items=[classify(row, now=now, within=within) for row in found],
    )
