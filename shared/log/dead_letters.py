"""The dead letters (records a consumer parked as poison) and their re-drives.

An operator asks for a dead letter to be handled again (re-drive); the consumer group that
parked it picks the request up (``shared/consumers/redrive.py``), hands the record to its
handler once more and records the outcome: ``handled``, or ``failed`` with the error. A
record is parked once per group and position, so a failed re-drive leaves it as it was; it
can be re-driven again once the cause is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.log.sql_schema import dead_letters, redrives
from shared.times import as_utc

STATES = ("parked", "requested", "handled", "failed")
"""A dead letter's state: as parked; re-drive asked; handled again; the re-drive failed."""


@dataclass(frozen=True)
class DeadLetter:
    id: int
    group: str
    partition: int
    offset: int
    reason: str
    recorded_at: datetime
    raw: bytes
    state: str
    requested_at: datetime | None
    requested_by: str | None
    finished_at: datetime | None
    detail: str | None


def _letter(row: Any) -> DeadLetter:
    outcome = row["outcome"]
    state = "parked" if row["requested_at"] is None else (outcome or "requested")
    times = {k: as_utc(row[k]) if row[k] else None for k in ("requested_at", "finished_at")}
    return DeadLetter(
        id=row["id"],
        group=row["consumer_group"],
        partition=row["partition"],
        offset=row["offset"],
        reason=row["reason"],
        recorded_at=as_utc(row["recorded_at"]),
        raw=row["raw"],
        state=state,
        requested_by=row["requested_by"],
        detail=row["detail"],
        **times,
    )


def _query() -> Any:
    joined = dead_letters.outerjoin(redrives, redrives.c.dead_letter_id == dead_letters.c.id)
    columns = [c for c in redrives.c if c.name not in ("dead_letter_id", "consumer_group")]
    return select(dead_letters, *columns).select_from(joined)


async def newest(
    engine: AsyncEngine, *, group: str | None, before: int | None, limit: int
) -> list[DeadLetter]:
    """Dead letters newest first, below id ``before`` when given."""
    query = _query().order_by(dead_letters.c.id.desc()).limit(limit)
    if group is not None:
        query = query.where(dead_letters.c.consumer_group == group)
    if before is not None:
        query = query.where(dead_letters.c.id < before)
    async with engine.connect() as conn:
        return [_letter(row) for row in (await conn.execute(query)).mappings()]


async def one(engine: AsyncEngine, letter_id: int) -> DeadLetter | None:
    async with engine.connect() as conn:
        row = (await conn.execute(_query().where(dead_letters.c.id == letter_id))).mappings()
        found = row.first()
    return _letter(found) if found is not None else None


async def request_redrive(
    engine: AsyncEngine, letter: DeadLetter, *, by: str, at: datetime
) -> None:
    """Ask the letter's group to handle it again (replacing an earlier request's outcome)."""
    async with engine.begin() as conn:
        await conn.execute(delete(redrives).where(redrives.c.dead_letter_id == letter.id))
        await conn.execute(
            insert(redrives).values(
                dead_letter_id=letter.id,
                consumer_group=letter.group,
                requested_at=at,
                requested_by=by,
            )
        )


async def pending(engine: AsyncEngine, group: str, *, limit: int = 20) -> list[DeadLetter]:
    """The group's dead letters whose re-drive was asked and not yet done, oldest first."""
    query = (
        _query()
        .where(redrives.c.consumer_group == group, redrives.c.finished_at.is_(None))
        .order_by(dead_letters.c.id)
        .limit(limit)
    )
    async with engine.connect() as conn:
        return [_letter(row) for row in (await conn.execute(query)).mappings()]


async def finish(
    engine: AsyncEngine, letter_id: int, *, outcome: str, detail: str | None, at: datetime
) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(redrives)
            .where(redrives.c.dead_letter_id == letter_id, redrives.c.finished_at.is_(None))
            .values(finished_at=at, outcome=outcome, detail=detail)
        )
