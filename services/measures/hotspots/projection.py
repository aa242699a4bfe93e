"""The reports hotspots count: the projection into ``hotspot_cases`` (the fold is ``fold.py``)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.measures.hotspots.fold import HotspotRow, evolve
from shared.consumers.per_case import PerCaseProjection
from shared.db.bulk import insert_rows
from shared.db.keys import key_in
from shared.db.schema import hotspot_cases
from shared.events.envelope import EventEnvelope
from shared.times import as_utc


def row_from_db(mapping: Any) -> HotspotRow:
    row = dict(mapping)
    row["reported_at"] = as_utc(row["reported_at"])
    return row


class HotspotCaseProjection(PerCaseProjection[HotspotRow]):
    group = "projection.hotspot_cases"
    default_tables = (hotspot_cases,)

    async def load(self, conn: AsyncConnection, case_ids: list[str]) -> dict[str, HotspotRow]:
        table = self.table(hotspot_cases)
        found = await conn.execute(
            select(table).where(key_in(table.c.case_id, case_ids, conn.dialect))
        )
        return {row["case_id"]: row_from_db(row) for row in found.mappings()}

    async def store(
        self, conn: AsyncConnection, states: dict[str, HotspotRow], stored: Collection[str]
    ) -> None:
        table = self.table(hotspot_cases)
        if stored:
            await conn.execute(delete(table).where(key_in(table.c.case_id, stored, conn.dialect)))
        await insert_rows(conn, table, list(states.values()))

    def evolve(self, state: HotspotRow | None, event: EventEnvelope) -> HotspotRow | None:
        return evolve(state, event)

    def evolve_owned(self, state: HotspotRow | None, event: EventEnvelope) -> HotspotRow | None:
        return evolve(state, event, owned=True)

    def version(self, state: HotspotRow) -> int:
        return int(state["version"])
