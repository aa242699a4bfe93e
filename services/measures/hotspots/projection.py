"""The reports hotspots count: the projection into ``hotspot_cases`` (the fold is ``fold.py``)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from services.measures.hotspots.fold import HotspotRow, evolve
from shared.consumers.per_case import PerCaseProjection
from shared.db.bulk import insert_rows
from shared.db.keys import delete_with_keys, rows_with_keys
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
        found = await rows_with_keys(conn, self.table(hotspot_cases), "case_id", case_ids)
        return {row["case_id"]: row_from_db(row) for row in found}

    async def store(
        self, conn: AsyncConnection, states: dict[str, HotspotRow], stored: Collection[str]
    ) -> None:
        table = self.table(hotspot_cases)
        if stored:
            await delete_with_keys(conn, table, "case_id", stored)
        await insert_rows(conn, table, list(states.values()))

    def evolve(self, state: HotspotRow | None, event: EventEnvelope) -> HotspotRow | None:
        return evolve(state, event)

    def evolve_owned(self, state: HotspotRow | None, event: EventEnvelope) -> HotspotRow | None:
        return evolve(state, event, owned=True)

    def version(self, state: HotspotRow) -> int:
        return int(state["version"])
