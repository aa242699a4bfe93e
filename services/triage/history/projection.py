"""The history read model's projection: rows for every reported case and its party keys,
the category kept up to date by triage; rows and the consumer position commit together."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from sqlalchemy import Table, Update, bindparam, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.triage.history.fold import WANTED, categories, folds, party_rows, reported_row
from services.triage.history.tables import case_history, party_cases
from shared.db.bulk import insert_rows
from shared.db.hot_statements import hot_execute_many
from shared.db.keys import keys_present
from shared.events.envelope import EventEnvelope


class CaseHistoryProjection:
    group = "projection.case_history"

    def __init__(self, *, secret: bytes, tables: Mapping[str, Table] | None = None) -> None:
        self._secret = secret
        found = dict(tables or {})
        self._cases = found.get(case_history.name, case_history)
        self._parties = found.get(party_cases.name, party_cases)
        self._categorise, self._fold = _updates(self._cases)

    @property
    def tables(self) -> tuple[Table, ...]:
        return (self._cases, self._parties)

    def writing_to(self, tables: Mapping[str, Table]) -> CaseHistoryProjection:
        """The same projection writing into other tables (a rebuild's fresh copies)."""
        return CaseHistoryProjection(secret=self._secret, tables=tables)

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
        """Insert the cases reported here that have no row yet (a redelivered report has
        one), then set each triaged case's category where it is newer than the row's."""
        reports = {e.case_id: e for e in events if e.event_type == "CaseReported"}
        known = [case_id for case_id in reports if case_id not in new_cases]
        if known:
            for case_id in await keys_present(conn, self._cases, "case_id", known):
                reports.pop(case_id)
        fresh = {case_id: reported_row(event) for case_id, event in reports.items()}
        changes = []
        for case_id, (sequence, category) in categories(events).items():
            row = fresh.get(case_id)
            if row is not None:
                row.update(version=max(row["version"], sequence), category=category)
            else:
                changes.append({"key": case_id, "new_version": sequence, "new_category": category})
        folded = []
        for case_id, into in folds(events).items():
            if case_id in fresh:
                fresh[case_id]["folded_into"] = into
            else:
                folded.append({"key": case_id, "into": into})
        await insert_rows(conn, self._cases, list(fresh.values()))
        parties = [row for e in reports.values() for row in party_rows(e, secret=self._secret)]
        await insert_rows(conn, self._parties, parties)
        await hot_execute_many(conn, self._categorise, changes)
        await hot_execute_many(conn, self._fold, folded)


def _updates(table: Table) -> tuple[Update, Update]:
    """A newer category of a case, and the case a report was folded into (built once)."""
    categorise = (
        update(table)
        .where(table.c.case_id == bindparam("key"), table.c.version < bindparam("new_version"))
        .values(version=bindparam("new_version"), category=bindparam("new_category"))
    )
    fold = (
        update(table)
        .where(table.c.case_id == bindparam("key"))
        .values(folded_into=bindparam("into"))
    )
    return categorise, fold
