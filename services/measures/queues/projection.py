"""Per-unit work queues: the projection into ``unit_queue`` (the query is ``queries.py``)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from services.measures.queues.fold import QueueRow, evolve
from shared.consumers.per_case import PerCaseProjection
from shared.db.bulk import insert_rows
from shared.db.keys import delete_with_keys, rows_with_keys
from shared.db.schema import unit_queue
from shared.events.envelope import EventEnvelope
from shared.times import as_utc

TIMES = ("ack_due_at", "deadline_at", "follow_up_due_at", "updated_at")


def row_from_db(mapping: Any) -> QueueRow:
    row = dict(mapping)
    for column in TIMES:
        if row[column] is not None:
            row[column] = as_utc(row[column])
    return row


class UnitQueueProjection(PerCaseProjection[QueueRow]):
    group = "projection.unit_queue"
    default_tables = (unit_queue,)

    async def load(self, conn: AsyncConnection, case_ids: list[str]) -> dict[str, QueueRow]:
        found = await rows_with_keys(conn, self.table(unit_queue), "case_id", case_ids)
        return {row["case_id"]: row_from_db(row) for row in found}

    async def store(
        self, conn: AsyncConnection, states: dict[str, QueueRow], stored: Collection[str]
    ) -> None:
        table = self.table(unit_queue)
        if stored:
            await delete_with_keys(conn, table, "case_id", stored)
        await insert_rows(conn, table, list(states.values()))

    def evolve(self, state: QueueRow | None, event: EventEnvelope) -> QueueRow | None:
        return evolve(state, event)

    def evolve_owned(self, state: QueueRow | None, event: EventEnvelope) -> QueueRow | None:
        return evolve(state, event, owned=True)

    def version(self, state: QueueRow) -> int:
        return int(state["version"])
