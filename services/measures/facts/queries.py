"""The county centre's measures (考核, RULES.md §5), computed by SQL over the fact tables.

Counts are summed by the database, grouped by the chosen dimension; durations are
fetched per group and their percentiles taken in Python (nearest rank), so SQLite and
PostgreSQL give the same figures. The exact definitions are in docs/lifecycle.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, case, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.measures.facts.schemas import Durations, Measures, PracticeMeasures
from shared.cases.access import region_clause
from shared.db.schema import assignment_facts, case_facts
from shared.org.levels import Level
from shared.percentiles import nearest_rank
from shared.vocabulary import ASSIGNMENT_COUNTERS

GroupBy = Literal["level", "tier", "category", "unit"]
LEVELS = [level.value for level in Level]
c, a = case_facts.c, assignment_facts.c
ALL: ColumnElement[str] = literal_column("'all'")


@dataclass(frozen=True)
class Scope:
    regions: tuple[str, ...]
    unit: str | None = None
    reported_from: datetime | None = None
    reported_to: datetime | None = None


def _where(scope: Scope) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [c.status != "rejected"]
    visible = region_clause(scope.regions, c.unit_code, c.holder_unit_code)
    if visible is not None:
        where.append(visible)
    if scope.unit:
        where.append(c.unit_code.startswith(scope.unit))
    if scope.reported_from is not None:
        where.append(c.reported_at >= scope.reported_from)
    if scope.reported_to is not None:
        where.append(c.reported_at < scope.reported_to)
    return where


def _keys(group_by: GroupBy | None) -> tuple[Any, Any]:
    """The grouping column of case facts and of assignment facts."""
    if group_by is None:
        return ALL, ALL
    return {
        "level": (c.level, a.level),
        "tier": (c.tier, a.tier),
        "category": (c.category, c.category),
        "unit": (c.holder_unit_code, a.unit_code),
    }[group_by]


def _n(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


RESOLVED = c.status.in_(("resolved", "closed"))


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _durations(values: list[float]) -> Durations:
    return Durations(
        count=len(values),
        p50_seconds=nearest_rank(values, 50),
        p90_seconds=nearest_rank(values, 90),
    )


def _grouped(key: Any) -> list[Any]:
    """GROUP BY the key, unless it is the constant of the total (not allowed in SQL)."""
    return [] if key is ALL else [key]


async def _case_counts(conn: AsyncConnection, key: Any, where: list[Any]) -> dict[Any, Any]:
    columns = [
        key.label("key"),
        _n(c.folded_into.is_(None)).label("cases"),
        func.count().label("reports"),
        _n(RESOLVED).label("resolved"),
        _n(c.status == "closed").label("closed"),
        *(_n(and_(RESOLVED, c.level == level)).label(level) for level in LEVELS),
        _n(and_(RESOLVED, c.outcome == "mediated")).label("mediated"),
        _n(and_(RESOLVED, c.outcome == "withdrawn")).label("withdrawn"),
        _n(c.reopens > 0).label("reopened"),
        func.coalesce(func.sum(c.follow_ups), 0).label("follow_ups"),
        func.coalesce(func.sum(c.satisfied_follow_ups), 0).label("satisfied"),
        _n(c.follow_ups_overdue > 0).label("follow_ups_overdue"),
        func.coalesce(func.sum(c.supervisions), 0).label("supervisions"),
        _n(c.supervisions > 0).label("supervised"),
    ]
    rows = await conn.execute(select(*columns).where(*where).group_by(*_grouped(key)))
    return {row.key: row for row in rows}


async def _values(conn: AsyncConnection, query: Any) -> dict[Any, list[float]]:
    found: dict[Any, list[float]] = defaultdict(list)
    for key, value in await conn.execute(query):
        found[key].append(float(value))
    return found


async def measure(
    conn: AsyncConnection, scope: Scope, group_by: GroupBy | None
) -> dict[str | None, Measures]:
    case_key, order_key = _keys(group_by)
    where = _where(scope)
    counts = await _case_counts(conn, case_key, where)
    resolve = await _values(
        conn,
        select(case_key, c.resolve_seconds).where(*where, RESOLVED, c.resolve_seconds.is_not(None)),
    )
    joined = assignment_facts.join(case_facts, a.case_id == c.case_id)
    orders: dict[Any, dict[str, tuple[int, int]]] = defaultdict(dict)
    order_rows = await conn.execute(
        select(order_key, a.level, func.count(), _n(a.overdue == True))  # noqa: E712
        .select_from(joined)
        .where(*where)
        .group_by(*_grouped(order_key), a.level)
    )
    for key, level, total, overdue in order_rows:
        orders[key][level] = (int(total), int(overdue))
    practice = await _practice(conn, order_key, joined, where)
    ack = await _values(
        conn,
        select(order_key, a.ack_seconds)
        .select_from(joined)
        .where(*where, a.ack_seconds.is_not(None)),
    )
    keys = sorted(set(counts) | set(orders), key=lambda k: (k is None, str(k)))
    return {
        k: _measures(counts.get(k), orders.get(k, {}), resolve[k], ack[k], practice.get(k))
        for k in keys
    }


async def _practice(
    conn: AsyncConnection, key: Any, joined: Any, where: list[Any]
) -> dict[Any, PracticeMeasures]:
    columns = [func.coalesce(func.sum(a[name]), 0).label(name) for name in ASSIGNMENT_COUNTERS]
    lost = func.coalesce(func.sum(a.bounce_lost_seconds), 0).label("lost")
    rows = await conn.execute(
        select(key.label("key"), *columns, lost)
        .select_from(joined)
        .where(*where)
        .group_by(*_grouped(key))
    )
    return {
        row.key: PracticeMeasures(
            **{name: int(getattr(row, name)) for name in ASSIGNMENT_COUNTERS},
            bounce_back_lost_seconds=float(row.lost),
        )
        for row in rows
    }


def _measures(
    row: Any,
    orders: dict[str, tuple[int, int]],
    resolve: list[float],
    ack: list[float],
    practice: PracticeMeasures | None,
) -> Measures:
    get: Callable[[str], int] = (lambda name: int(getattr(row, name))) if row else (lambda _n: 0)
    resolved = get("resolved")
    by_level = {level: get(level) for level in LEVELS}
    assignments = sum(total for total, _ in orders.values())
    overdue = sum(late for _, late in orders.values())
    return Measures(
        cases=get("cases"),
        reports=get("reports"),
        resolved=resolved,
        closed=get("closed"),
        reopened=get("reopened"),
        resolved_by_level=by_level,
        resolved_share_by_level={lvl: _ratio(n, resolved) for lvl, n in by_level.items()},
        within_village_rate=_ratio(by_level["grid"] + by_level["village"], resolved),
        within_township_rate=_ratio(resolved - by_level["county"], resolved),
        mediation_success_rate=_ratio(get("mediated"), resolved - get("withdrawn")),
        assignments=assignments,
        overdue_assignments=overdue,
        overdue_rate=_ratio(overdue, assignments),
        overdue_rate_by_level={
            lvl: _ratio(orders[lvl][1], orders[lvl][0]) if lvl in orders else None for lvl in LEVELS
        },
        time_to_acknowledge=_durations(ack),
        time_to_resolve=_durations(resolve),
        follow_ups=get("follow_ups"),
        satisfied_follow_ups=get("satisfied"),
        satisfaction_rate=_ratio(get("satisfied"), get("follow_ups")),
        follow_ups_overdue=get("follow_ups_overdue"),
        supervisions=get("supervisions"),
        supervised_cases=get("supervised"),
        practice=practice or NO_PRACTICE,
    )


NO_PRACTICE = PracticeMeasures(
    **dict.fromkeys(ASSIGNMENT_COUNTERS, 0), bounce_back_lost_seconds=0.0
)
