"""Reads of the hotspot read model: the reports around one, and the hotspots at an instant.

Both read ``hotspot_cases`` over a bounded span of time (the longest window and its
baseline) and apply the pure rule (``rule.py``) to it, so a rebuilt read model gives the
same hotspots.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.measures.hotspots.fold import HotspotRow
from services.measures.hotspots.projection import row_from_db
from services.measures.hotspots.rule import Finding, Point, Reports, Rule, hot_at, units_of
from shared.db.schema import hotspot_cases

TOWNSHIP_DIGITS = 9


def _point(row: HotspotRow) -> Point:
    return Point(
        case_id=row["case_id"], reported_at=row["reported_at"], units=units_of(row["unit_code"])
    )


async def stored_version(conn: AsyncConnection, case_id: str) -> int:
    """The last event of the case the read model applied (0: none yet)."""
    c = hotspot_cases.c
    return int(await conn.scalar(select(c.version).where(c.case_id == case_id)) or 0)


async def points_near(
    conn: AsyncConnection, *, category: str, unit_code: str, since: datetime, until: datetime
) -> list[Point]:
    """The reports of ``category`` in the township of ``unit_code`` in ``(since, until]``."""
    c = hotspot_cases.c
    query = select(c.case_id, c.unit_code, c.reported_at).where(
        c.category == category,
        c.unit_code.startswith(unit_code[:TOWNSHIP_DIGITS]),
        c.reported_at > since,
        c.reported_at <= until,
        c.folded_into.is_(None),  # a folded report counts at its incident's case
    )
    return [_point(row_from_db(r)) for r in (await conn.execute(query)).mappings()]


def _townships(regions: Sequence[str]) -> ColumnElement[bool] | None:
    """Cases in the townships that hold (or lie in) the regions (None: every region)."""
    if "" in regions:
        return None
    return or_(*(hotspot_cases.c.unit_code.startswith(r[:TOWNSHIP_DIGITS]) for r in regions))


async def hotspots_at(
    conn: AsyncConnection, *, regions: Sequence[str], at: datetime, rule: Rule
) -> tuple[list[tuple[str, Finding]], dict[str, HotspotRow]]:
    """Every (category, finding) hot at ``at`` in the townships of the regions, and the
    rows of the cases behind them by case id."""
    c = hotspot_cases.c
    where = [
        c.category.is_not(None),
        c.folded_into.is_(None),
        c.reported_at > at - rule.reach,
        c.reported_at <= at,
    ]
    townships = _townships(regions)
    if townships is not None:
        where.append(townships)
    rows = [
        row_from_db(r) for r in (await conn.execute(select(hotspot_cases).where(*where))).mappings()
    ]
    by_category: dict[str, list[Point]] = defaultdict(list)
    for row in rows:
        by_category[str(row["category"])].append(_point(row))
    found = [
        (category, finding)
        for category, points in sorted(by_category.items())
        for finding in hot_at(Reports.of(points), at, rule).values()
    ]
    return found, {str(row["case_id"]): row for row in rows}
