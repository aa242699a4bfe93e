"""Pre-breach warning (预警): when ``warning_fraction`` (80 %) of a level's countable time has
passed and the case is still open there, the holder and the level above are warned, once
per level. RULES.md §3b.

When it is due: at an assignment, that share of the time to its deadline
(``rules/assignment.py``); after a resumed pause, the countable time that was left to it
when the clock stopped (``rules/pause.py``); after an approved extension, that share of the
time from the approval to the new deadline (``rules/extension.py``). All three plan it with
``warning_timers`` below.
"""

from __future__ import annotations

from datetime import datetime

from services.escalation.ladder.commands import FireTimer
from services.escalation.ladder.context import Context, timer_id, unit_above
from services.escalation.ladder.state import LadderState
from shared.cases.catalogue.escalation import TimerRequest
from shared.cases.catalogue.escalation_requests import PreBreachWarningIssued
from shared.events.payload import EventPayload


def warning_timers(
    case_id: str, assignment: int, serial: int, start: datetime, deadline: datetime, ctx: Context
) -> tuple[TimerRequest, ...]:
    """The warning timer: ``warning_fraction`` of the countable time from ``start`` to
    ``deadline`` (none when disabled)."""
    fraction = ctx.settings.warning_fraction
    if fraction <= 0:
        return ()
    due = ctx.calendar.add(start, fraction * ctx.calendar.between(start, deadline))
    return (
        TimerRequest(
            timer_id=timer_id(case_id, "warning", assignment, serial), kind="warning", due_at=due
        ),
    )


def warn_before_breach(command: FireTimer, state: LadderState, ctx: Context) -> list[EventPayload]:
    if state.warned or state.paused or state.level is None or state.deadline_at is None:
        return []
    return [
        PreBreachWarningIssued(
            level=state.level,
            unit_code=state.unit_code or "",
            warn_unit_code=unit_above(state.level, command.unit_path),
            deadline_at=state.deadline_at,
            timer_id=command.timer_id,
            ladder_version=state.ladder_version,
        )
    ]
