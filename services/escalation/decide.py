"""The ladder's decisions: ``decide(command, state, ...) -> events``, one function each.

Invariants are ``check_*`` functions raising ``Refused`` with a reason a handler can read.
Nothing here reads a clock or does I/O: ``now`` is passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.escalation.calendar import BusinessCalendar
from services.escalation.commands import (
    AcknowledgeOrder,
    ApplyTierChange,
    AssignCase,
    Command,
    FireTimer,
    PauseClock,
    RecordAttempt,
    RecordFollowUp,
    RequestEarlyEscalation,
    ResolveCase,
    ResumeClock,
    UnitPath,
)
from services.escalation.config import LadderSettings
from services.escalation.events import (
    AcknowledgementLapsed,
    CaseAssigned,
    CaseClosed,
    CaseEscalated,
    CaseReopened,
    CaseResolved,
    ClockPaused,
    ClockResumed,
    DeadlineReached,
    FollowUpRecorded,
    MediationAttemptRecorded,
    OrderAcknowledged,
    SupervisionRaised,
    TimerRequest,
)
from services.escalation.state import LadderState
from shared.events.payload import EventPayload
from shared.org.levels import Level
from shared.vocabulary import Tier


class Refused(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Context:
    now: datetime
    settings: LadderSettings
    calendar: BusinessCalendar


def timer_id(case_id: str, kind: str, assignment: int, serial: int = 0) -> str:
    return f"{case_id}|{kind}|{assignment}|{serial}"


def case_of_order(order_id: str) -> str:
    """Dispatch order ids are ``<case id>.<assignment number>``."""
    return order_id.rpartition(".")[0]


def timer_kind(timer: str) -> str:
    return timer.split("|")[1]


# -- invariants ----------------------------------------------------------------------------


def check_assigned(state: LadderState) -> Level:
    if state.resolved_level is not None and not state.finished:
        raise Refused("resolved", "the case is resolved; its follow-up visit (回访) comes next")
    if state.closed:
        raise Refused("closed", "the case is closed")
    if state.level is None:
        raise Refused("not-assigned", "the case is not assigned to a level yet")
    return state.level


def check_below_county(level: Level) -> Level:
    parent = level.parent_level
    if parent is None:
        raise Refused("county-is-last", "the county never escalates further (县级兜底)")
    return parent


def check_failed_attempts(state: LadderState, needed: int) -> None:
    if state.failed_attempts < needed:
        raise Refused(
            "not-enough-attempts",
            f"early escalation needs {needed} failed mediation attempts at the "
            f"{state.level} level (三三调处); {state.failed_attempts} recorded",
        )


# -- helpers -------------------------------------------------------------------------------


def start_level(tier: Tier, path: UnitPath, settings: LadderSettings) -> Level:
    """The tier's starting level, or the nearest level above it the case has a unit at."""
    level: Level | None = settings.start_level[tier]
    while level is not None and level not in path:
        level = level.parent_level
    if level is None:
        raise Refused("no-unit", "the case has no unit at or above its starting level")
    return level


def next_level(level: Level, path: UnitPath) -> Level:
    parent: Level | None = check_below_county(level)
    while parent is not None and parent not in path:
        parent = parent.parent_level
    if parent is None:
        raise Refused("no-unit", f"the case has no unit above the {level} level")
    return parent


def assign(
    state: LadderState,
    *,
    level: Level,
    path: UnitPath,
    tier: Tier,
    cause: str,
    at: datetime,
    ctx: Context,
) -> CaseAssigned:
    number = state.assignment + 1
    deadline = ctx.calendar.add_days(at, ctx.settings.limit_days[level])
    ack_due = at + timedelta(hours=ctx.settings.ack_hours[tier])
    return CaseAssigned(
        level=level,
        unit_code=path[level],
        tier=tier,
        assignment=number,
        order_id=f"{state.case_id}.{number}",
        assigned_at=at,
        deadline_at=deadline,
        ack_due_at=ack_due,
        ladder_version=ctx.settings.version,
        cause=cause,
        timers=(
            TimerRequest(
                timer_id=timer_id(state.case_id, "deadline", number),
                kind="deadline",
                due_at=deadline,
            ),
            TimerRequest(
                timer_id=timer_id(state.case_id, "ack", number), kind="ack", due_at=ack_due
            ),
        ),
    )


def _supervision(
    state: LadderState, *, count: int, due: datetime, ctx: Context
) -> SupervisionRaised:
    next_due = ctx.calendar.add_days(due, ctx.settings.limit_days[Level.COUNTY])
    timer = TimerRequest(
        timer_id=timer_id(state.case_id, "supervision", state.assignment, count),
        kind="supervision",
        due_at=next_due,
    )
    return SupervisionRaised(
        count=count, unit_code=state.unit_code or "", next_due_at=next_due, timers=(timer,)
    )


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
    if state.closed or command.timer_id not in state.live_timers or state.level is None:
        return []  # stale: superseded by a pause, an escalation, an acknowledgement, ...
    kind = timer_kind(command.timer_id)
    due = state.deadline_at or ctx.now
    if kind == "ack":
        return [
            AcknowledgementLapsed(
                order_id=state.order_id or "",
                level=state.level,
                unit_code=state.unit_code or "",
                resend_to_backup=True,
                warn_unit_code=_unit_above(state.level, command.unit_path),
            )
        ]
    if kind == "supervision":
        return [_supervision(state, count=state.supervision_count + 1, due=due, ctx=ctx)]
    reached = DeadlineReached(
        level=state.level,
        unit_code=state.unit_code or "",
        deadline_at=due,
        timer_id=command.timer_id,
    )
    if state.level is Level.COUNTY:
        return [reached, _supervision(state, count=1, due=due, ctx=ctx)]
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


def _unit_above(level: Level, path: UnitPath) -> str | None:
    parent = level.parent_level
    while parent is not None and parent not in path:
        parent = parent.parent_level
    return path[parent] if parent is not None else None


def record_attempt(command: RecordAttempt, state: LadderState, ctx: Context) -> list[EventPayload]:
    level = check_assigned(state)
    return [
        MediationAttemptRecorded(
            level=level, result=command.result, note=command.note, by=command.by
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
            timers=(timer,),
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
    return [
        OrderAcknowledged(
            order_id=command.order_id, level=level, acknowledged_at=ctx.now, by=command.by
        )
    ]


def resolve_case(command: ResolveCase, state: LadderState, ctx: Context) -> list[EventPayload]:
    level = check_assigned(state)
    if not command.result_text.strip():
        raise Refused("result-required", "a resolution needs a result text")
    if command.judicial_confirmation and command.outcome != "mediated":
        raise Refused(
            "confirmation-needs-mediation",
            "judicial confirmation (司法确认) applies to a mediated agreement only",
        )
    return [
        CaseResolved(
            level=level,
            unit_code=state.unit_code or "",
            outcome=command.outcome,
            judicial_confirmation=command.judicial_confirmation,
            result_text=command.result_text,
            resolved_at=ctx.now,
            by=command.by,
        )
    ]


def check_resolved(state: LadderState) -> Level:
    if state.finished:
        raise Refused("closed", "the case is closed")
    if state.resolved_level is None:
        raise Refused("not-resolved", "a follow-up visit (回访) comes after the resolution")
    return state.resolved_level


def record_follow_up(
    command: RecordFollowUp, state: LadderState, ctx: Context
) -> list[EventPayload]:
    level = check_resolved(state)
    visit = FollowUpRecorded(
        satisfied=command.satisfied, note=command.note, recorded_at=ctx.now, by=command.by
    )
    if command.satisfied:
        return [visit, CaseClosed(closed_at=ctx.now)]
    tier = (state.tier or Tier.BLUE).step_up()
    reopened = CaseReopened(level=level, tier=tier, reason="unsatisfied follow-up")
    return [
        visit,
        reopened,
        assign(
            state,
            level=level,
            path=command.unit_path,
            tier=tier,
            cause="reopen",
            at=ctx.now,
            ctx=ctx,
        ),
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
