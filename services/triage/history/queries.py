"""Questions to the history read model: the earlier cases a new report repeats (for the
``repeat`` rule), and one party's cases (``GET /v1/parties/{ref}/cases``)."""

from __future__ import annotations

import calendar
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.triage.history.fold import grid_of, keys_of
from services.triage.history.tables import case_history, party_cases
from services.triage.models import EarlierCase
from shared.cases.access import region_clause
from shared.db.hot_statements import hot_rows
from shared.db.keys import key_in
from shared.db.transaction import connect
from shared.events.envelope import EventEnvelope

EARLIER_MAX = 10
"""Earlier cases named per party lookup, and per category at the grid: the rule needs two,
the explanation names the most recent ones (bounded, however busy a grid is)."""


@dataclass(frozen=True)
class Window:
    """The reporting case and the span an earlier case must fall in: [since, until)."""

    case_id: str
    since: datetime
    until: datetime


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _earlier() -> Any:
    """The window's conditions, its bounds bound at execution (``_window_params``)."""
    c = case_history.c
    return and_(
        c.case_id != bindparam("window_case_id"),
        c.reported_at >= bindparam("window_since"),
        c.reported_at < bindparam("window_until"),
        c.folded_into.is_(None),  # a report folded into an incident is not a dispute of its own
    )


def _window_params(window: Window) -> dict[str, Any]:
    return {
        "window_case_id": window.case_id,
        "window_since": window.since,
        "window_until": window.until,
    }


def _by_party(keys: Collection[str], conn: AsyncConnection) -> Select[Any]:
    return (
        select(case_history)
        .where(
            case_history.c.case_id.in_(
                select(party_cases.c.case_id).where(
                    key_in(party_cases.c.party_key, keys, conn.dialect)
                )
            ),
            _earlier(),
        )
        .order_by(case_history.c.reported_at.desc())
        .limit(EARLIER_MAX)
    )


def _at_grid() -> Select[Any]:
    """The latest EARLIER_MAX cases of each category at the grid ``grid`` in the window."""
    rank = (
        func.row_number()
        .over(partition_by=case_history.c.category, order_by=case_history.c.reported_at.desc())
        .label("rank")
    )
    ranked = (
        select(case_history, rank).where(case_history.c.unit_code == bindparam("grid"), _earlier())
    ).subquery()
    return select(*(ranked.c[c.name] for c in case_history.c)).where(ranked.c.rank <= EARLIER_MAX)


AT_GRID = _at_grid()
"""Built once: asked for every reported case, and building it (a subquery, its columns,
its cache key) cost more than running it; on the embedded database it runs on the driver
(``hot_rows``)."""


def _note(found: dict[str, dict[str, Any]], rows: Sequence[Mapping[Any, Any]], flag: str) -> None:
    """Add ``rows`` to the cases ``found``, each marked with ``flag``."""
    for row in rows:
        entry = found.setdefault(row["case_id"], {**row, "same_party": False, "same_grid": False})
        entry[flag] = True


async def earlier_cases(
    conn: AsyncConnection, *, keys: Collection[str], grid: str | None, window: Window
) -> tuple[EarlierCase, ...]:
    """Cases reported in the window by one of these party keys or at this grid (any
    category: the rule compares it with the category it finds; no grid: parties only), the
    reporting case aside."""
    found: dict[str, dict[str, Any]] = {}
    params = _window_params(window)
    if grid is not None:
        _note(found, await hot_rows(conn, AT_GRID, {**params, "grid": grid}), "same_grid")
    if keys:
        by_party = (await conn.execute(_by_party(keys, conn), params)).mappings()
        _note(found, list(by_party), "same_party")
    return tuple(
        EarlierCase(
            number=row["number"],
            reported_at=_utc(row["reported_at"]),
            category=row["category"],
            same_party=row["same_party"],
            same_grid=row["same_grid"],
        )
        for row in found.values()
    )


def months_before(when: datetime, months: int) -> datetime:
    """The same time ``months`` calendar months earlier (the 31st becomes the month's last
    day where the month is shorter)."""
    index = when.year * 12 + when.month - 1 - months
    year, month = divmod(index, 12)
    day = min(when.day, calendar.monthrange(year, month + 1)[1])
    return when.replace(year=year, month=month + 1, day=day)


class HistoryLookup:
    """The triage reactor's question: which earlier cases a reported case repeats."""

    def __init__(
        self, engine: AsyncEngine, *, secret: bytes, months: int, by_place: bool = True
    ) -> None:
        self._engine = engine
        self._secret = secret
        self._months = months
        self._by_place = by_place  # FQ_PARTY_REPEAT_BY_PLACE

    async def earlier(self, stream: Sequence[EventEnvelope]) -> tuple[EarlierCase, ...]:
        """Cases reported within the window before the case of ``stream`` (none before it
        was reported): the same report triaged again, or redelivered, finds the same ones."""
        reported = next((e for e in stream if e.event_type == "CaseReported"), None)
        if reported is None:
            return ()
        until = _utc(reported.occurred_at)
        window = Window(reported.case_id, months_before(until, self._months), until)
        keys = keys_of(reported.payload, secret=self._secret)
        async with connect(self._engine) as conn:
            grid = grid_of(reported.payload) if self._by_place else None
            return await earlier_cases(conn, keys=keys, grid=grid, window=window)


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    more: bool


async def cases_of_party(
    engine: AsyncEngine,
    key: str,
    *,
    regions: tuple[str, ...],
    limit: int,
    before: tuple[datetime, str] | None = None,
) -> Page:
    """The party's cases reported in the caller's regions, newest first, ``limit`` at a
    time; ``before`` is the (reported time, case id) of the last one of the page before."""
    c = case_history.c
    query = select(case_history).join(party_cases, party_cases.c.case_id == c.case_id)
    query = query.where(party_cases.c.party_key == key)
    regional = region_clause(regions, c.unit_code)
    if regional is not None:
        query = query.where(regional)
    if before is not None:
        at, case_id = before
        query = query.where(or_(c.reported_at < at, and_(c.reported_at == at, c.case_id < case_id)))
    query = query.order_by(c.reported_at.desc(), c.case_id.desc()).limit(limit + 1)
    async with engine.connect() as conn:
        rows = [dict(r) for r in (await conn.execute(query)).mappings()]
    for row in rows:
        row["reported_at"] = _utc(row["reported_at"])
    return Page(rows=rows[:limit], more=len(rows) > limit)
