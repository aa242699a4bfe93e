"""Outbox leases: which dispatcher holds which delivery row, and until when.

A row is claimed with a lease (``lease_owner``, ``lease_until``) renewed while its delivery
runs; a dispatcher that dies lets its leases lapse, and another claims the rows again.
A claim's three statements are built once per database (on the embedded one they run on its
driver, ``shared/db/hot_statements.py``): the dispatcher claims whenever new rows come in.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, Update, bindparam, func, or_, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.hot_statements import hot_execute, hot_rows
from shared.db.keys import KEYS, key_in, keyed, keys_value
from shared.db.schema import deliveries
from shared.db.transaction import begin
from shared.events.envelope import utc_now

d = deliveries.c


@dataclass(frozen=True)
class _Claim:
    free: Select[Any]
    """The ids of up to ``room`` pending rows not leased (or lapsed), oldest first."""
    lease: Update
    """Those of ``ids`` still pending and free, leased to ``owner`` until ``until``."""
    held: Select[Any]
    """The rows of ``ids`` leased to ``owner``."""


def _free() -> ColumnElement[bool]:
    return or_(d.lease_until.is_(None), d.lease_until < bindparam("now", type_=d.lease_until.type))


@lru_cache(maxsize=8)  # one set per database engine's dialect
def _claim_statements(dialect: Dialect) -> _Claim:
    ids = keyed(d.delivery_id, dialect.name)
    first = bindparam("first_at", type_=d.first_attempt_at.type)
    return _Claim(
        free=select(d.delivery_id)
        .where(d.status == "pending", _free())
        .order_by(d.issued_at)
        .limit(bindparam("room", type_=Integer)),
        lease=update(deliveries)
        .where(ids, d.status == "pending", _free())
        .values(
            lease_owner=bindparam("owner", type_=d.lease_owner.type),
            lease_until=bindparam("until", type_=d.lease_until.type),
            first_attempt_at=func.coalesce(d.first_attempt_at, first),
        ),
        held=select(deliveries).where(ids, d.lease_owner == bindparam("held_by")),
    )


async def claim(
    engine: AsyncEngine, owner: str, *, room: int, lease: timedelta, busy: Collection[str]
) -> list[dict[str, Any]]:
    """Up to ``room`` pending rows, oldest first, not leased (or lapsed) nor ``busy`` here."""
    now = utc_now()
    async with begin(engine) as conn:
        statements = _claim_statements(conn.dialect)
        found = await hot_rows(conn, statements.free, {"now": now, "room": room})
        ids = [row["delivery_id"] for row in found if row["delivery_id"] not in busy]
        if not ids:
            return []
        keys = keys_value(ids, conn.dialect)
        bound = {KEYS: keys, "now": now, "owner": owner, "until": now + lease, "first_at": now}
        await hot_execute(conn, statements.lease, bound)
        rows = await hot_rows(conn, statements.held, {KEYS: keys, "held_by": owner})
        return [dict(row) for row in rows]


async def renew(engine: AsyncEngine, owner: str, ids: list[str], *, lease: timedelta) -> None:
    async with begin(engine) as conn:
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
    async with begin(engine) as conn:
        await conn.execute(
            update(deliveries)
            .where(deliveries.c.lease_owner == owner, deliveries.c.status == "pending")
            .values(lease_owner=None, lease_until=None)
        )


async def update_row(engine: AsyncEngine, delivery_id: str, **values: Any) -> None:
    async with begin(engine) as conn:
        await conn.execute(
            update(deliveries).where(deliveries.c.delivery_id == delivery_id).values(**values)
        )
