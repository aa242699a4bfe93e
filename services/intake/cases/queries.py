"""Queries on the case read model: one case, and filtered, cursor-paginated lists."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import orjson
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.cases.access import region_clause
from shared.cases.row import CaseRow
from shared.db.schema import cases


@dataclass(frozen=True)
class CaseFilter:
    regions: tuple[str, ...]
    status: str | None = None
    tier: str | None = None
    level: str | None = None
    unit: str | None = None
    reported_from: datetime | None = None
    reported_to: datetime | None = None
    category: str | None = None
    text: str | None = None
    """Part of the case number, the 12345 work-order number (external_ref) or the title."""


def encode_cursor(row: CaseRow) -> str:
    raw = orjson.dumps([row["reported_at"].isoformat(), row["id"]])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """Raises ValueError for a cursor this API did not issue."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        reported_at, case_id = orjson.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(reported_at), str(case_id)
    except (ValueError, TypeError) as exc:
        raise ValueError("the cursor is not one this API issued") from exc


def row_from_db(mapping: Any) -> CaseRow:
    row = dict(mapping)
    for column in ("reported_at", "updated_at", "deadline_at"):
        value = row.get(column)
        if isinstance(value, datetime) and value.tzinfo is None:
            row[column] = value.replace(tzinfo=UTC)
    return cast(CaseRow, row)


class CaseQueries:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, case_id: str) -> CaseRow | None:
        async with self._engine.connect() as conn:
            found = (await conn.execute(select(cases).where(cases.c.id == case_id))).mappings()
            row = found.first()
        return row_from_db(row) if row is not None else None

    async def page(
        self, where: CaseFilter, *, cursor: str | None, limit: int, newest_first: bool = False
    ) -> tuple[list[CaseRow], str | None]:
        """One page oldest report first (or newest first); the cursor continues it."""
        query = _filtered(where)
        at, key = cases.c.reported_at, cases.c.id
        if cursor:
            reported_at, case_id = decode_cursor(cursor)
            if newest_first:
                after = or_(at < reported_at, and_(at == reported_at, key < case_id))
            else:
                after = or_(at > reported_at, and_(at == reported_at, key > case_id))
            query = query.where(after)
        order = (at.desc(), key.desc()) if newest_first else (at, key)
        query = query.order_by(*order).limit(limit + 1)
        async with self._engine.connect() as conn:
            rows = [row_from_db(r) for r in (await conn.execute(query)).mappings().all()]
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, (encode_cursor(rows[-1]) if more and rows else None)


def _filtered(where: CaseFilter) -> Select[Any]:
    query = select(cases)
    visible = region_clause(where.regions, cases.c.unit_code, cases.c.holder_unit_code)
    if visible is not None:
        query = query.where(visible)
    for column, value in (
        (cases.c.status, where.status),
        (cases.c.tier, where.tier),
        (cases.c.level, where.level),
        (cases.c.category, where.category),
    ):
        if value is not None:
            query = query.where(column == value)
    if where.unit:
        unit = where.unit
        query = query.where(
            or_(cases.c.unit_code.startswith(unit), cases.c.holder_unit_code.startswith(unit))
        )
    if where.text:
        found = (
            column.contains(where.text, autoescape=True)
            for column in (cases.c.number, cases.c.external_ref, cases.c.title)
        )
        query = query.where(or_(*found))
    if where.reported_from:
        query = query.where(cases.c.reported_at >= where.reported_from)
    if where.reported_to:
        query = query.where(cases.c.reported_at < where.reported_to)
    return query
