"""The case list projection: one row per case, written with its consumer position."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.intake.case_view import CaseRow, evolve
from services.intake.read_model import row_from_db
from shared.db.schema import cases
from shared.events.envelope import EventEnvelope
from shared.log.port import EventLog


class CaseListProjection:
    group = "projection.cases"
    tables = (cases,)

    def __init__(self, *, log: EventLog) -> None:
        self._log = log

    async def apply(self, event: EventEnvelope, conn: AsyncConnection) -> None:
        found = (await conn.execute(select(cases).where(cases.c.id == event.case_id))).mappings()
        first = found.first()
        row: CaseRow | None = row_from_db(first) if first is not None else None
        version = row["version"] if row else 0
        if event.sequence <= version:
            return  # a duplicate delivery
        pending = [event]
        if event.sequence > version + 1:
            # Records of one case can arrive out of order or after a gap: fill it from the log.
            stream = await self._log.read_stream(event.case_id, after=version)
            pending = [e for e in stream if e.sequence <= event.sequence]
        new = row
        for item in pending:
            new = evolve(new, item)
        if new is None:
            return
        if row is None:
            await conn.execute(insert(cases).values(**new))
        else:
            await conn.execute(update(cases).where(cases.c.id == new["id"]).values(**new))
