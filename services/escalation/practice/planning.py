"""When the practice timers come due: pre-breach warnings (预警) and chase notices (催办).

* A warning is due when ``warning_fraction`` of the level's countable time has passed: at
  an assignment, that share of the time to its deadline; after a resumed pause, the same
  countable time that was left to it when the clock stopped; after an approved extension,
  that share of the time from the approval to the new deadline. One warning per level.
* A chase notice is due ``chase_fraction`` of the level's time limit after the order was
  acknowledged or after the last recorded progress (an attempt, a pause, a resume).
"""

from __future__ import annotations

from datetime import datetime

from services.escalation.rules import Context, timer_id, warning_timers
from services.escalation.state import LadderState
from shared.cases.catalogue.escalation import TimerRequest
from shared.org.levels import Level

REPLANNED = 100_000
"""Serials of timers planned after an assignment start here (no clash with resume's)."""


def serial(state: LadderState) -> int:
    return REPLANNED + state.planned


def level_limit_seconds(level: Level, start: datetime, ctx: Context) -> float:
    days = ctx.settings.limit_days[level]
    return ctx.calendar.between(start, ctx.calendar.add_days(start, days))


def chase_timer(
    state: LadderState, start: datetime, ctx: Context, *, offset: int = 0
) -> tuple[TimerRequest, ...]:
    """The chase timer counted from ``start`` (none when disabled or not assigned)."""
    fraction = ctx.settings.chase_fraction
    if fraction <= 0 or state.level is None:
        return ()
    due = ctx.calendar.add(start, fraction * level_limit_seconds(state.level, start, ctx))
    number = serial(state) + offset
    return (
        TimerRequest(
            timer_id=timer_id(state.case_id, "chase", state.assignment, number),
            kind="chase",
            due_at=due,
        ),
    )


def resumed_practice_timers(state: LadderState, ctx: Context) -> tuple[TimerRequest, ...]:
    """After a pause: the warning with the countable time it had left, and a fresh chase."""
    timers: list[TimerRequest] = []
    paused_at, warning = state.paused_at, state.warning_due_at
    if not state.warned and paused_at is not None and warning is not None:
        left = ctx.calendar.between(paused_at, warning)
        due = ctx.calendar.add(ctx.now, left)
        timers.extend(warning_timers(state.case_id, state.assignment, serial(state), due, due, ctx))
    if state.acknowledged:
        timers.extend(chase_timer(state, ctx.now, ctx, offset=1))
    return tuple(timers)
