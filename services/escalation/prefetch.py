"""Firings planned before they are due, so a burst only has to append when it comes.

While the scheduler waits, it reads the streams of the cases whose timers come next and
plans their firings (``plan_case``). When the timers come due the plans are appended as they
are: every request is fenced on the version it was planned on, so a case that moved on
meanwhile is refused by the log and planned again from its latest state. A timer planned
stale stays stale (a timer id that left the live set never returns to it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from services.escalation.firing import PlannedFiring, plan_case
from services.escalation.service import Ladder
from shared.log.port import EventLog
from shared.times import as_utc


@dataclass(frozen=True)
class Upcoming:
    """A pending timer row, in due order."""

    timer_id: str
    case_id: str
    due_at: datetime
    partition: int


@dataclass(frozen=True)
class _Plan:
    partition: int
    timers: tuple[str, ...]
    due: tuple[datetime, ...]
    firings: list[PlannedFiring]


class ReadyFirings:
    def __init__(self) -> None:
        self._plans: dict[str, _Plan] = {}
        self._earliest: datetime | None = None
        """The soonest due time of any plan (None: no plans)."""

    def __len__(self) -> int:
        return len(self._plans)

    def take_due(
        self, now: datetime, owned: frozenset[int] | None
    ) -> dict[str, list[PlannedFiring]]:
        """The planned firings due by ``now`` on owned partitions, by case (in due order);
        their cases are forgotten (planned again when they next come up)."""
        taken: dict[str, list[PlannedFiring]] = {}
        if self._earliest is None or now < self._earliest:
            return taken
        for case_id, plan in list(self._plans.items()):
            if owned is not None and plan.partition not in owned:
                continue
            count = sum(1 for due in plan.due if due <= now)
            if count:
                taken[case_id] = plan.firings[:count]
                del self._plans[case_id]
        self._note_earliest()
        return taken

    def _note_earliest(self) -> None:
        self._earliest = min((plan.due[0] for plan in self._plans.values()), default=None)

    async def refresh(self, ladder: Ladder, log: EventLog, upcoming: Iterable[Upcoming]) -> None:
        """Plan the cases of the upcoming rows not planned yet (or whose timers changed);
        forget cases that are no longer upcoming."""
        by_case: dict[str, list[Upcoming]] = defaultdict(list)
        for row in upcoming:
            by_case[row.case_id].append(row)
        for case_id in [c for c in self._plans if c not in by_case]:
            del self._plans[case_id]
        missing = [
            case_id
            for case_id, rows in by_case.items()
            if case_id not in self._plans
            or self._plans[case_id].timers != tuple(r.timer_id for r in rows)
        ]
        if not missing:
            self._note_earliest()
            return
        streams = await log.read_streams(missing)
        for case_id in missing:
            rows = by_case[case_id]
            timers = tuple(r.timer_id for r in rows)
            self._plans[case_id] = _Plan(
                partition=rows[0].partition,
                timers=timers,
                due=tuple(as_utc(r.due_at) for r in rows),
                firings=plan_case(ladder, case_id, streams[case_id], timers),
            )
        self._note_earliest()
