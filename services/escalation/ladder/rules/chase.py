"""Chase notice (催办): an acknowledged order with no recorded progress (no attempt, no pause)
for ``chase_fraction`` (half) of the level's time limit gets a chase notice to the holder.
The timer is planned at acknowledgement and again after each attempt and each resume.
RULES.md §3b."""

from __future__ import annotations

from datetime import datetime

from services.escalation.ladder.commands import FireTimer
from services.escalation.ladder.context import Context, serial, timer_id
from services.escalation.ladder.state import LadderState
from shared.cases.catalogue.escalation import TimerRequest
from shared.cases.catalogue.escalation_requests import ChaseNoticeIssued
from shared.events.payload import EventPayload
from shared.org.levels import Level


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


def chase_idle_order(command: FireTimer, state: LadderState, ctx: Context) -> list[EventPayload]:
    if not state.acknowledged or state.paused or state.level is None:
        return []
    idle_since = state.last_progress_at or state.assigned_at or ctx.now
    return [
        ChaseNoticeIssued(
            order_id=state.order_id or "",
            level=state.level,
            unit_code=state.unit_code or "",
            idle_since=idle_since,
            timer_id=command.timer_id,
        )
    ]
