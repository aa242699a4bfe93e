"""The measures' fact tables as one projection: ``case_facts`` and ``assignment_facts``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.lifecycle.facts_view import Facts, Row, evolve
from shared.consumers.per_case import PerCaseProjection
from shared.db.schema import assignment_facts, case_facts
from shared.db.times import as_utc
from shared.events.envelope import EventEnvelope


def _from_db(mapping: Any) -> Row:
    return {k: as_utc(v) if k.endswith("_at") and v is not None else v for k, v in mapping.items()}


class MeasureFactsProjection(PerCaseProjection[Facts]):
    group = "projection.measure_facts"
    default_tables = (case_facts, assignment_facts)

    async def load(self, conn: AsyncConnection, case_ids: list[str]) -> dict[str, Facts]:
        case_table, order_table = self.table(case_facts), self.table(assignment_facts)
        cases = await conn.execute(select(case_table).where(case_table.c.case_id.in_(case_ids)))
        orders = await conn.execute(select(order_table).where(order_table.c.case_id.in_(case_ids)))
        by_case: dict[str, dict[int, Row]] = defaultdict(dict)
        for row in orders.mappings():
            by_case[row["case_id"]][row["assignment"]] = _from_db(row)
        return {
            row["case_id"]: Facts(case=_from_db(row), assignments=by_case[row["case_id"]])
            for row in cases.mappings()
        }

    async def store(self, conn: AsyncConnection, states: dict[str, Facts]) -> None:
        ids = list(states)
        case_table, order_table = self.table(case_facts), self.table(assignment_facts)
        await conn.execute(delete(order_table).where(order_table.c.case_id.in_(ids)))
        await conn.execute(delete(case_table).where(case_table.c.case_id.in_(ids)))
        await conn.execute(insert(case_table), [facts.case for facts in states.values()])
        orders = [row for facts in states.values() for row in facts.assignments.values()]
        if orders:
            await conn.execute(insert(order_table), orders)

    def evolve(self, state: Facts | None, event: EventEnvelope) -> Facts | None:
        return evolve(state, event)

    def version(self, state: Facts) -> int:
        return int(state.case["version"])
