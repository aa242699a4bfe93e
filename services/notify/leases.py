"""Outbox leases: which dispatcher holds which delivery row, and until when.

A row is claimed with a lease (``lease_owner``, ``lease_until``) renewed while its delivery
runs; a dispatcher that dies lets its leases lapse, and another claims the rows again.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.keys import key_in
from shared.db.schema import deliveries
from shared.events.envelope import utc_now


async def claim(
    engine: AsyncEngine, owner: str, *, room: int, lease: timedelta, busy: Collection[str]
) -> list[dict[str, Any]]:
    """Up to ``room`` pending rows, oldest first, not leased (or lapsed) nor ``busy`` here."""
    now = utc_now()
    free = or_(deliveries.c.lease_until.is_(None), deliveries.c.lease_until < now)
    async with engine.begin() as conn:
        ids = list(
            (
                await conn.execute(
                    select(deliveries.c.delivery_id)
                    .where(deliveries.c.status == "pending", free)
                    .order_by(deliveries.c.issued_at)
                    .limit(room)
                )
            ).scalars()
        )
        ids = [i for i in ids if i not in busy]
        if not ids:
            return []
        await conn.execute(
            update(deliveries)
            .where(
                key_in(deliveries.c.delivery_id, ids, conn.dialect),
                deliveries.c.status == "pending",
                free,
            )
            .values(
                lease_owner=owner,
                lease_until=now + lease,
                first_attempt_at=func.coalesce(deliveries.c.first_attempt_at, now),
            )
        )
        rows = (
            await conn.execute(
                select(deliveries).where(
                    key_in(deliveries.c.delivery_id, ids, conn.dialect),
                    deliveries.c.lease_owner == owner,
                )
            )
        ).mappings()
        return [dict(row) for row in rows]


async def renew(engine: AsyncEngine, owner: str, ids: list[str], *, lease: timedelta) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(deliveries)
            .where(
                deliveries.c.lease_owner == owner,
                key_in(deliveries.c.delivery_id, ids, conn.dialect),
            )
            .values(lease_until=utc_now() + lease)
        )


async def release(engine: AsyncEngine, owner: str) -> None:
    """Give back the pending rows this owner holds (a graceful stop)."""
    async with engine.begin() as conn:
        await conn.execute(
            update(deliveries)
            .where(deliveries.c.lease_owner == owner, deliveries.c.status == "pending")
            .values(lease_owner=None, lease_until=None)
        )


async def update_row(engine: AsyncEngine, delivery_id: str, **values: Any) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(deliveries).where(deliveries.c.delivery_id == delivery_id).values(**values)
        )
