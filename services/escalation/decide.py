"""The ladder's decisions: ``decide(command, state, ...) -> events``, one function each.

The invariants and shared rules are in ``rules.py``; resolution and follow-up in
``resolution.py``. Nothing here reads a clock or does I/O: ``now`` is passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from services.escalation.calendar import BusinessCalendar
from services.escalation.commands import (
    AcknowledgeOrder,
    ApplyTierChange,
    AssignCase,
    BounceBack,
    Command,
    ConfirmBounceBack,
    DecideExtension,
    FireTimer,
    PauseClock,
    ReassignBounceBack,
    RecordAttempt,
    RecordFollowUp,
    RequestEarlyEscalation,
    RequestExtension,
    ResolveCase,
    ResumeClock,
)
from services.escalation.config import LadderSettings
from services.escalation.practice.bounce_back import (
    arbitration_lapsed,
    bounce_back,
    confirm_bounce_back,
    reassign_bounce_back,
)
from services.escalation.practice.chase import chase_idle_order
from services.escalation.practice.extension import decide_extension, request_extension
from services.escalation.practice.path import unit_above
from services.escalation.practice.planning import chase_timer, resumed_practice_timers
from services.escalation.practice.warning import warn_before_breach
from services.escalation.resolution import follow_up_due, record_follow_up, resolve_case
from services.escalation.rules import (
    Context,
    Refused,
    assign,
    check_assigned,
    check_below_county,
    check_failed_attempts,
    next_level,
    start_level,
    supervision,
    timer_id,
    timer_kind,
)
from services.escalation.state import LadderState
from shared.cases.catalogue.escalation import (
    AcknowledgementLapsed,
    CaseEscalated,
    ClockPaused,
    ClockResumed,
    DeadlineReached,
    MediationAttemptRecorded,
    OrderAcknowledged,
    TimerRequest,
)
from shared.events.payload import EventPayload
from shared.org.levels import Level
from shared.vocabulary import Tier

# -- one function per transition -----------------------------------------------------------


def assign_case(command: AssignCase, state: LadderState, ctx: Context) -> list[EventPayload]:
    if state.assigned:
        return []  # assigned already: a repeated triage does not reassign
    level = start_level(command.tier, command.unit_path, ctx.settings)
    return [
        assign(
            state,
            level=level,
            path=command.unit_path,
            tier=command.tier,
            cause="triage",
            at=ctx.now,
            ctx=ctx,
        )
    ]


def apply_tier_change(
    command: ApplyTierChange, state: LadderState, ctx: Context
) -> list[EventPayload]:
    if state.level is None or state.closed:
        return []
    target = start_level(command.tier, command.unit_path, ctx.settings)
    if target <= state.level:
        return []  # a falling (or equal) tier never moves the case down
    return [
        CaseEscalated(from_level=state.level, to_level=target, reason="tier_rise", overdue=False),
        assign(
            state,
            level=target,
            path=command.unit_path,
            tier=command.tier,
            cause="tier_rise",
            at=ctx.now,
            ctx=ctx,
        ),
    ]


def fire_timer(command: FireTimer, state: LadderState, ctx: Context) -> list[EventPayload]:
    if timer_kind(command.timer_id) == "follow_up":
        return follow_up_due(command, state, ctx)
    if state.closed or command.timer_id not in state.live_timers or state.level is None:
        return []  # stale: superseded by a pause, an escalation, an acknowledgement, ...
    kind = timer_kind(command.timer_id)
    if kind in PRACTICE_TIMERS:
        return PRACTICE_TIMERS[kind](command, state, ctx)
    due = state.deadline_at or ctx.now
    if kind == "ack":
        return [
            AcknowledgementLapsed(
                order_id=state.order_id or "",
                level=state.level,
                unit_code=state.unit_code or "",
                resend_to_backup=True,
                warn_unit_code=unit_above(state.level, command.unit_path),
            )
        ]
    if kind == "supervision":
        return [supervision(state, count=state.supervision_count + 1, due=due, ctx=ctx)]
    reached = DeadlineReached(
        level=state.level,
        unit_code=state.unit_code or "",
        deadline_at=due,
        timer_id=command.timer_id,
    )
    if state.level is Level.COUNTY:
        return [reached, supervision(state, count=1, due=due, ctx=ctx)]
    target = next_level(state.level, command.unit_path)
    tier = state.tier or Tier.BLUE
    return [
        reached,
        CaseEscalated(from_level=state.level, to_level=target, reason="deadline", overdue=True),
        assign(
            state,
            level=target,
            path=command.unit_path,
            tier=tier,
            cause="deadline",
            at=due,
            ctx=ctx,
        ),
    ]


def record_attempt(command: RecordAttempt, state: LadderState, ctx: Context) -> list[EventPayload]:
    level = check_assigned(state)
    chase = chase_timer(state, ctx.now, ctx) if state.acknowledged and not state.paused else ()
    return [
        MediationAttemptRecorded(
            level=level,
            result=command.result,
            note=command.note,
            by=command.by,
            recorded_at=ctx.now,
            timers=chase,
        )
    ]


def request_early_escalation(
    command: RequestEarlyEscalation, state: LadderState, ctx: Context
) -> list[EventPayload]:
    level = check_assigned(state)
    check_below_county(level)
    check_failed_attempts(state, ctx.settings.attempts_for_early_escalation)
    target = next_level(level, command.unit_path)
    return [
        CaseEscalated(from_level=level, to_level=target, reason="early_request", overdue=False),
        assign(
            state,
            level=target,
            path=command.unit_path,
            tier=state.tier or Tier.BLUE,
            cause="early_request",
            at=ctx.now,
            ctx=ctx,
        ),
    ]


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
    serial = state.resumes + 1 + state.supervision_count * 1000
    timer = TimerRequest(
        timer_id=timer_id(state.case_id, kind, state.assignment, serial), kind=kind, due_at=deadline
    )
    return [
        ClockResumed(
            resumed_at=ctx.now,
            paused_seconds=(ctx.now - state.paused_at).total_seconds(),
            deadline_at=deadline,
            timers=(timer, *resumed_practice_timers(state, ctx)),
            by=command.by,
            reason=command.reason,
        )
    ]


def acknowledge_order(
    command: AcknowledgeOrder, state: LadderState, ctx: Context
) -> list[EventPayload]:
    level = check_assigned(state)
    if command.order_id != state.order_id:
        raise Refused("not-current-order", "this dispatch order is not the case's current one")
    if state.acknowledged:
        return []
    chase = () if state.paused else chase_timer(state, ctx.now, ctx)
    return [
        OrderAcknowledged(
            order_id=command.order_id,
            level=level,
            acknowledged_at=ctx.now,
            by=command.by,
            timers=chase,
        )
    ]


DECIDERS: dict[type[Any], Callable[[Any, LadderState, Context], list[EventPayload]]] = {
    AssignCase: assign_case,
    ApplyTierChange: apply_tier_change,
    FireTimer: fire_timer,
    RecordAttempt: record_attempt,
    RequestEarlyEscalation: request_early_escalation,
    PauseClock: pause_clock,
    ResumeClock: resume_clock,
    AcknowledgeOrder: acknowledge_order,
    ResolveCase: resolve_case,
    RecordFollowUp: record_follow_up,
    RequestExtension: request_extension,
    DecideExtension: decide_extension,
    BounceBack: bounce_back,
    ConfirmBounceBack: confirm_bounce_back,
    ReassignBounceBack: reassign_bounce_back,
}

PRACTICE_TIMERS: dict[str, Callable[[FireTimer, LadderState, Context], list[EventPayload]]] = {
    "warning": warn_before_breach,
    "chase": chase_idle_order,
    "arbitration": arbitration_lapsed,
}


def decide(
    command: Command,
    state: LadderState,
    *,
    now: datetime,
    settings: LadderSettings,
    calendar: BusinessCalendar,
) -> list[EventPayload]:
    return DECIDERS[type(command)](command, state, Context(now, settings, calendar))
