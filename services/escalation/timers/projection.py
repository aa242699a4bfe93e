"""The timer index: every timer the case events asked for, as rows of ``escalation_timers``.

``TimerIndex`` is a projection (rows + consumer position in one transaction) and can be
rebuilt from the stream. Each row records the log partition its case travels on, so the
scheduler of the group member that owns that partition is the one that fires it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.bulk import insert_rows
from shared.db.keys import keys_present
from shared.db.schema import escalation_timers
from shared.events.envelope import EventEnvelope
from shared.log.port import Delivery
from shared.log.sql_requests import chunks
from shared.times import parse_utc


def earliest_due(deliveries: Sequence[Delivery]) -> datetime | None:
    """The soonest due time among the timers these events scheduled (None: none)."""
    dues = [
        parse_utc(t["due_at"])
        for delivery in deliveries
        if delivery.event is not None
        for t in delivery.event.payload.get("timers") or ()
    ]
    return min(dues, default=None)


def _single_partition(_case_id: str) -> int:
    return 0


class TimerIndex:
    group = "escalation.timers"

    def __init__(
        self,
        *,
        partition_of: Callable[[str], int] = _single_partition,
        table: Table = escalation_timers,
    ) -> None:
        self._partition_of = partition_of
        self._table = table

    @property
    def tables(self) -> tuple[Table, ...]:
        return (self._table,)

    def writing_to(self, tables: Mapping[str, Table]) -> TimerIndex:
        """The same index writing into another table (a rebuild's fresh copy)."""
        return TimerIndex(partition_of=self._partition_of, table=tables[escalation_timers.name])

    def wants(self, event: EventEnvelope) -> bool:
        return bool(event.payload.get("timers"))

    async def apply(self, event: EventEnvelope, conn: AsyncConnection) -> None:
        await self.apply_many([event], conn)

    async def apply_many(
        self,
        events: Sequence[EventEnvelope],
        conn: AsyncConnection,
        *,
        new_cases: Collection[str] = (),
    ) -> None:
        """Insert the rows of timers not indexed yet (those of ``new_cases`` are not looked
        up: these cases have no rows)."""
        rows = {
            t["timer_id"]: {
                "timer_id": t["timer_id"],
                "case_id": event.case_id,
                "kind": t["kind"],
                "due_at": parse_utc(t["due_at"]),
                "partition": self._partition_of(event.case_id),
            }
            for event in events
            for t in event.payload.get("timers") or ()
        }
        if not rows:
            return
        table = self._table
        known: set[str] = set()
        wanted = [timer_id for timer_id, row in rows.items() if row["case_id"] not in new_cases]
        for part in chunks(wanted):
            known.update(await keys_present(conn, table, "timer_id", part))
        fresh = [row for timer_id, row in rows.items() if timer_id not in known]
        if fresh:
            await insert_rows(conn, table, fresh)
