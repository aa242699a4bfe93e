"""Firings planned before they are due, so a burst only has to append when it comes.

While the scheduler waits, it reads the streams of the cases whose timers come next and
plans their firings (``plan_case``). When the timers come due the plans are appended as they
are: every request is fenced on the version it was planned on, so a case that moved on
meanwhile is refused by the log and planned again from its latest state. A timer planned
stale stays stale (a timer id that left the live set never returns to it). A case is taken
only if its due timers are exactly the first ones of its plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from services.escalation.firing import PlannedFiring, plan_case
from services.escalation.service import Ladder
from shared.events.envelope import utc_now
from shared.log.port import AppendRequest, EventLog


class ReadyFirings:
    def __init__(self) -> None:
        self._plans: dict[str, list[PlannedFiring]] = {}

    def __len__(self) -> int:
        return len(self._plans)

    def take(self, case_id: str, due: Sequence[str]) -> list[PlannedFiring] | None:
        """The planned firings of ``due`` (in order), fresh in time; None if not planned."""
        plan = self._plans.pop(case_id, None)
        if plan is None or [f.timer_id for f in plan[: len(due)]] != list(due):
            return None
        return [_now_occurring(f) for f in plan[: len(due)]]

    async def refresh(
        self, ladder: Ladder, log: EventLog, upcoming: Iterable[tuple[str, str]]
    ) -> None:
        """Plan the cases of the upcoming (timer id, case id) rows (in due order) not planned
        yet; forget cases that are no longer upcoming."""
        by_case: dict[str, list[str]] = defaultdict(list)
        for timer_id, case_id in upcoming:
            by_case[case_id].append(timer_id)
        for case_id in [c for c in self._plans if c not in by_case]:
            del self._plans[case_id]
        missing = [c for c, timers in by_case.items() if not self._covers(c, timers)]
        if not missing:
            return
        streams = await log.read_streams(missing)
        for case_id in missing:
            self._plans[case_id] = plan_case(ladder, case_id, streams[case_id], by_case[case_id])

    def _covers(self, case_id: str, timers: list[str]) -> bool:
        plan = self._plans.get(case_id)
        return plan is not None and [f.timer_id for f in plan] == timers


def _now_occurring(firing: PlannedFiring) -> PlannedFiring:
    """The same firing, its events stamped as occurring now (ids stay those of the key)."""
    request = firing.request
    if request is None:
        return firing
    now = utc_now()
    events = [e.model_copy(update={"occurred_at": now}) for e in request.events]
    fresh = AppendRequest(
        request.case_id,
        events,
        expected_version=request.expected_version,
        idempotency_key=request.idempotency_key,
    )
    return PlannedFiring(firing.timer_id, fresh, firing.outcome)
