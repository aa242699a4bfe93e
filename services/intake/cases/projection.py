"""The case list projection: one row per case, written with its consumer position."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import Table, Update, bindparam, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.intake.cases.queries import row_from_db
from shared.cases.fold import evolve
from shared.cases.row import CaseRow
from shared.consumers.per_case import PerCaseProjection
from shared.db.bulk import insert_rows
from shared.db.hot_statements import hot_execute_many
from shared.db.keys import rows_with_keys
from shared.db.schema import cases
from shared.events.envelope import EventEnvelope
from shared.log.port import EventLog


def _update_by_id(table: Table) -> Update:
    return (
        update(table)
        .where(table.c.id == bindparam("case_key"))
        .values({c.name: bindparam(c.name) for c in table.c if c.name != "id"})
    )


class CaseListProjection(PerCaseProjection[CaseRow]):
    group = "projection.cases"
    default_tables = (cases,)

    def __init__(self, *, log: EventLog, tables: Mapping[str, Table] | None = None) -> None:
        super().__init__(log=log, tables=tables)
        self._update = _update_by_id(self.table(cases))

    async def load(self, conn: AsyncConnection, case_ids: list[str]) -> dict[str, CaseRow]:
        found = await rows_with_keys(conn, self.table(cases), "id", case_ids)
        return {row["id"]: row_from_db(row) for row in found}

    async def store(
        self, conn: AsyncConnection, states: dict[str, CaseRow], stored: Collection[str]
    ) -> None:
        """New cases are inserted in bulk, stored ones updated in place."""
        inserts = [row for case_id, row in states.items() if case_id not in stored]
        if inserts:
            await insert_rows(conn, self.table(cases), inserts)
        if stored:
            await hot_execute_many(
                conn, self._update, [{**states[case_id], "case_key": case_id} for case_id in stored]
            )

    def evolve(self, state: CaseRow | None, event: EventEnvelope) -> CaseRow | None:
        return evolve(state, event)

    def evolve_owned(self, state: CaseRow | None, event: EventEnvelope) -> CaseRow | None:
        return evolve(state, event, owned=True)

    def version(self, state: CaseRow) -> int:
        return int(state["version"])
