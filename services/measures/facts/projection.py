"""The measures' fact tables as one projection: ``case_facts`` and ``assignment_facts``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from services.measures.facts.fold import Facts, Row, evolve
from shared.consumers.per_case import PerCaseProjection
from shared.db.bulk import insert_rows
from shared.db.keys import delete_with_keys, rows_with_keys
from shared.db.schema import assignment_facts, case_facts
from shared.events.envelope import EventEnvelope
from shared.times import as_utc


@lru_cache(maxsize=16)  # two tables (and a rebuild's copies)
def _times(table: Table) -> tuple[str, ...]:
    """The table's instants (``..._at``): read back as UTC datetimes."""
    return tuple(column.name for column in table.columns if column.name.endswith("_at"))


def _from_db(mapping: Mapping[str, Any], times: tuple[str, ...]) -> Row:
    row = dict(mapping)
    for name in times:
        value = row[name]
        if value is not None:
            row[name] = as_utc(value)
    return row


class MeasureFactsProjection(PerCaseProjection[Facts]):
    group = "projection.measure_facts"
    default_tables = (case_facts, assignment_facts)

    async def load(self, conn: AsyncConnection, case_ids: list[str]) -> dict[str, Facts]:
        case_table, order_table = self.table(case_facts), self.table(assignment_facts)
        cases = await rows_with_keys(conn, case_table, "case_id", case_ids)
        orders = await rows_with_keys(conn, order_table, "case_id", case_ids)
        case_times, order_times = _times(case_table), _times(order_table)
        by_case: dict[str, dict[int, Row]] = defaultdict(dict)
        for row in orders:
            by_case[row["case_id"]][row["assignment"]] = _from_db(row, order_times)
        return {
            row["case_id"]: Facts(
                case=_from_db(row, case_times), assignments=by_case[row["case_id"]]
            )
            for row in cases
        }

    async def store(
        self, conn: AsyncConnection, states: dict[str, Facts], stored: Collection[str]
    ) -> None:
        case_table, order_table = self.table(case_facts), self.table(assignment_facts)
        if stored:
            await delete_with_keys(conn, order_table, "case_id", stored)
            await delete_with_keys(conn, case_table, "case_id", stored)
        await insert_rows(conn, case_table, [facts.case for facts in states.values()])
        orders = [row for facts in states.values() for row in facts.assignments.values()]
        await insert_rows(conn, order_table, orders)

    def evolve(self, state: Facts | None, event: EventEnvelope) -> Facts | None:
        return evolve(state, event)

    def evolve_owned(self, state: Facts | None, event: EventEnvelope) -> Facts | None:
        return evolve(state, event, owned=True)

    def version(self, state: Facts) -> int:
        return int(state.case["version"])
