"""The case list projection: one row per case, written with its consumer position."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from sqlalchemy import Table, Update, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.intake.case_view import CaseRow, evolve
from services.intake.read_model import row_from_db
from shared.consumers.per_case import CaseStreams, by_case
from shared.db.bulk import insert_rows
from shared.db.keys import key_in
from shared.db.schema import cases
from shared.events.envelope import EventEnvelope
from shared.log.port import EventLog


def _update_by_id(table: Table) -> Update:
    return (
        update(table)
        .where(table.c.id == bindparam("case_key"))
        .values({c.name: bindparam(c.name) for c in table.c if c.name != "id"})
    )


class CaseListProjection:
    group = "projection.cases"

    def __init__(self, *, log: EventLog, table: Table = cases) -> None:
        self._log = log
        self._table = table
        self._update = _update_by_id(table)

    @property
    def tables(self) -> tuple[Table, ...]:
        return (self._table,)

    def writing_to(self, tables: Mapping[str, Table]) -> CaseListProjection:
        """The same projection writing into other tables (a rebuild's fresh copies)."""
        return CaseListProjection(log=self._log, table=tables[cases.name])

    async def apply(self, event: EventEnvelope, conn: AsyncConnection) -> None:
        await self.apply_many([event], conn)

    async def apply_many(
        self,
        events: Sequence[EventEnvelope],
        conn: AsyncConnection,
        *,
        new_cases: Collection[str] = (),
    ) -> None:
        """Apply a batch: one read of the affected rows, folds in memory, bulk writes."""
        await self.apply_cases(by_case(events), conn, new_cases=new_cases)

    async def apply_cases(
        self, cases: CaseStreams, conn: AsyncConnection, *, new_cases: Collection[str] = ()
    ) -> None:
        """``apply_many`` on events already grouped by case (``by_case``); the rows of
        ``new_cases`` are not looked up (they have none yet)."""
        table = self._table
        known = [case_id for case_id in cases if case_id not in new_cases]
        stored: dict[str, CaseRow] = {}
        if known:
            found = await conn.execute(select(table).where(key_in(table.c.id, known, conn.dialect)))
            stored = {row["id"]: row_from_db(row) for row in found.mappings()}
        inserts: list[CaseRow] = []
        updates: list[CaseRow] = []
        for case_id, case_events in cases.items():
            before = stored.get(case_id)
            after = await self._fold(before, case_events)
            if after is None or after is before:
                continue
            (updates if before is not None else inserts).append(after)
        if inserts:
            await insert_rows(conn, table, inserts)
        if updates:
            await conn.execute(self._update, [{**row, "case_key": row["id"]} for row in updates])

    async def _fold(self, row: CaseRow | None, events: list[EventEnvelope]) -> CaseRow | None:
        version = row["version"] if row else 0
        owned = False  # the row came from the table (or is None): not this fold's own
        for index, event in enumerate(events):
            if event.sequence != version + 1:
                return await self._fold_checked(row, events[index:])
            row = evolve(row, event, owned=owned)  # the usual case: the next event
            version = event.sequence if row else 0  # stamped as its version
            owned = row is not None
        return row

    async def _fold_checked(
        self, row: CaseRow | None, events: list[EventEnvelope]
    ) -> CaseRow | None:
        """The fold where an event may be a duplicate or come after a gap."""
        for event in events:
            version = row["version"] if row else 0
            sequence = event.sequence
            if sequence == version + 1:  # the next event
                row = evolve(row, event)
            elif sequence > version:
                # Records of one case can arrive out of order or after a gap: fill it in.
                for item in await self._log.read_stream(event.case_id, after=version):
                    if item.sequence <= sequence:
                        row = evolve(row, item)
            # else a duplicate delivery
        return row
