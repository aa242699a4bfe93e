"""Pause and resume (中止): a clock paused with a reason stops counting; resumed, the level's
deadline moves by the paused time, and the warning (预警) and chase (催办) timers it stopped
are planned again. RULES.md §3."""

from __future__ import annotations

from services.escalation.ladder.commands import PauseClock, ResumeClock
from services.escalation.ladder.context import (
    Context,
    Refused,
    check_assigned,
    serial,
    timer_id,
)
from services.escalation.ladder.rules.chase import chase_timer
from services.escalation.ladder.rules.warning import warning_timers
from services.escalation.ladder.state import LadderState
from shared.cases.catalogue.escalation import ClockPaused, ClockResumed, TimerRequest
from shared.events.payload import EventPayload

SUPERVISION_SERIALS = 1000
"""A resumed deadline's serial is ``resumes + 1 + SUPERVISION_SERIALS × supervisions``."""


def pause_clock(command: PauseClock, state: LadderState, ctx: Context) -> list[EventPayload]:
    check_assigned(state)
    if state.paused:
        raise Refused("already-paused", "the clock is already paused")
    if not command.reason.strip():
        raise Refused("reason-required", "a pause needs a reason")
    assert state.deadline_at is not None
    remaining = ctx.calendar.between(ctx.now, state.deadline_at)
    return [
        ClockPaused(
            reason=command.reason, paused_at=ctx.now, remaining_seconds=remaining, by=command.by
        )
    ]


def resume_clock(command: ResumeClock, state: LadderState, ctx: Context) -> list[EventPayload]:
    check_assigned(state)
    if state.paused_at is None or state.remaining_seconds is None:
        raise Refused("not-paused", "the clock is not paused")
    deadline = ctx.calendar.add(ctx.now, state.remaining_seconds)
    kind = "supervision" if state.supervision_count else "deadline"
    number = state.resumes + 1 + state.supervision_count * SUPERVISION_SERIALS
    timer = TimerRequest(
        timer_id=timer_id(state.case_id, kind, state.assignment, number), kind=kind, due_at=deadline
    )
    return [
        ClockResumed(
            resumed_at=ctx.now,
            paused_seconds=(ctx.now - state.paused_at).total_seconds(),
            deadline_at=deadline,
            timers=(timer, *resumed_timers(state, ctx)),
            by=command.by,
            reason=command.reason,
        )
    ]


def resumed_timers(state: LadderState, ctx: Context) -> tuple[TimerRequest, ...]:
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
