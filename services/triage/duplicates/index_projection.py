"""The candidate index (``duplicate_index``) rebuilt from the log (``make replay``).

Live, the triage reactor writes the index as it decides each report (``index.py``); a
rebuild folds each case's events into the same rows (``index_fold.py``). A report whose
``CaseTriaged`` arrives in a later batch than its ``CaseReported`` (or in the catch-up at
the swap) is read again from its case stream. Re-applying events is harmless: a decided
report is decided once, and the tracked events set what they set. No live runner uses it:
the rebuild stores no position for its group.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.triage.duplicates.index_fold import WANTED, IndexRow, State, evolve
from shared.consumers.per_case import by_case
from shared.db.bulk import insert_rows
from shared.db.keys import key_in
from shared.db.schema import duplicate_index
from shared.events.envelope import EventEnvelope
from shared.log.port import EventLog
from shared.org.tree import OrgTree


class DuplicateIndexProjection:
    group = "projection.duplicate_index"
    live_runner = False
    """Live, the triage reactor writes the table (and keeps its own position): a rebuild
    stores no position for this group."""

    def __init__(
        self,
        *,
        log: EventLog,
        tree: OrgTree,
        secret: bytes,
        tables: Mapping[str, Table] | None = None,
    ) -> None:
        self._log = log
        self._tree = tree
        self._secret = secret  # the parties' keyed hashes (FQ_PARTY_KEY_SECRET)
        self._table = dict(tables or {}).get(duplicate_index.name, duplicate_index)

    @property
    def tables(self) -> tuple[Table, ...]:
        return (self._table,)

    def writing_to(self, tables: Mapping[str, Table]) -> DuplicateIndexProjection:
        """The same projection writing into other tables (a rebuild's fresh copies)."""
        return DuplicateIndexProjection(
            log=self._log, tree=self._tree, secret=self._secret, tables=tables
        )

    def wants(self, event: EventEnvelope) -> bool:
        return event.event_type in WANTED

    async def apply(self, event: EventEnvelope, conn: AsyncConnection) -> None:
        await self.apply_many([event], conn)

    async def apply_many(
        self,
        events: Sequence[EventEnvelope],
        conn: AsyncConnection,
        *,
        new_cases: Collection[str] = (),
    ) -> None:
        """Fold each case's events from its stored row; store the rows that changed."""
        cases = by_case([e for e in events if e.event_type in WANTED])
        stored = await self._load(conn, [c for c in cases if c not in new_cases])
        rows: dict[str, IndexRow] = {}
        for case_id, case_events in cases.items():
            state: State | None = stored.get(case_id)
            if state is None and case_events[0].event_type != "CaseReported":
                if not any(e.event_type == "CaseTriaged" for e in case_events):
                    continue  # nothing to decide here: no row to make
                state = await self._before(case_id, case_events[0].sequence)
            for event in case_events:
                state = evolve(state, event, tree=self._tree, secret=self._secret)
            if isinstance(state, dict) and state != stored.get(case_id):
                rows[case_id] = state
        table = self._table
        again = [case_id for case_id in rows if case_id in stored]
        if again:
            await conn.execute(delete(table).where(key_in(table.c.case_id, again, conn.dialect)))
        await insert_rows(conn, table, list(rows.values()))

    async def _before(self, case_id: str, sequence: int) -> State | None:
        """The case's state from its stream's events before ``sequence``."""
        state: State | None = None
        for event in await self._log.read_stream(case_id):
            if event.sequence >= sequence:
                break
            if event.event_type in WANTED:
                state = evolve(state, event, tree=self._tree, secret=self._secret)
        return state

    async def _load(self, conn: AsyncConnection, case_ids: list[str]) -> dict[str, IndexRow]:
        if not case_ids:
            return {}
        table = self._table
        found = await conn.execute(
            select(table).where(key_in(table.c.case_id, case_ids, conn.dialect))
        )
        return {row["case_id"]: dict(row) for row in found.mappings()}
