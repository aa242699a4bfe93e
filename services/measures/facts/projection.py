"""The measures' fact tables as one projection: ``case_facts`` and ``assignment_facts``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.measures.facts.fold import Facts, Row, evolve
from shared.consumers.per_case import PerCaseProjection
from shared.db.bulk import insert_rows
from shared.db.keys import key_in
from shared.db.schema import assignment_facts, case_facts
from shared.events.envelope import EventEnvelope
from shared.times import as_utc


def _from_db(mapping: Any) -> Row:
    return {k: as_utc(v) if k.endswith("_at") and v is not None else v for k, v in mapping.items()}


class MeasureFactsProjection(PerCaseProjection[Facts]):
    group = "projection.measure_facts"
    default_tables = (case_facts, assignment_facts)

    async def load(self, conn: AsyncConnection, case_ids: list[str]) -> dict[str, Facts]:
        case_table, order_table = self.table(case_facts), self.table(assignment_facts)
        dialect = conn.dialect
        cases = await conn.execute(
            select(case_table).where(key_in(case_table.c.case_id, case_ids, dialect))
        )
        orders = await conn.execute(
            select(order_table).where(key_in(order_table.c.case_id, case_ids, dialect))
        )
        by_case: dict[str, dict[int, Row]] = defaultdict(dict)
        for row in orders.mappings():
            by_case[row["case_id"]][row["assignment"]] = _from_db(row)
        return {
            row["case_id"]: Facts(case=_from_db(row), assignments=by_case[row["case_id"]])
            for row in cases.mappings()
        }

    async def store(
        self, conn: AsyncConnection, states: dict[str, Facts], stored: Collection[str]
    ) -> None:
        case_table, order_table = self.table(case_facts), self.table(assignment_facts)
        if stored:
            dialect = conn.dialect
            await conn.execute(
                delete(order_table).where(key_in(order_table.c.case_id, stored, dialect))
            )
            await conn.execute(
                delete(case_table).where(key_in(case_table.c.case_id, stored, dialect))
            )
        await insert_rows(conn, case_table, [facts.case for facts in states.values()])
        orders = [row for facts in states.values() for row in facts.assignments.values()]
        await insert_rows(conn, order_table, orders)

    def evolve(self, state: Facts | None, event: EventEnvelope) -> Facts | None:
        return evolve(state, event)

    def evolve_owned(self, state: Facts | None, event: EventEnvelope) -> Facts | None:
        return evolve(state, event, owned=True)

    def version(self, state: Facts) -> int:
        return int(state.case["version"])
