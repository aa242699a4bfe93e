"""Resolution (化解) with its outcome, the follow-up visit (回访) due ``follow_up_days`` after
it, closure (结案) when the parties are satisfied, and reopening at the level where it was
resolved, one tier up, when they are not. RULES.md §4."""

from __future__ import annotations

from services.escalation.ladder.commands import FireTimer, RecordFollowUp, ResolveCase
from services.escalation.ladder.context import Context, Refused, check_assigned, timer_id
from services.escalation.ladder.rules.assignment import assign
from services.escalation.ladder.state import LadderState
from shared.cases.catalogue.escalation import (
    CaseClosed,
    CaseReopened,
    CaseResolved,
    FollowUpDue,
    FollowUpRecorded,
    TimerRequest,
)
from shared.events.payload import EventPayload
from shared.org.levels import Level
from shared.vocabulary import Tier


def resolve_case(command: ResolveCase, state: LadderState, ctx: Context) -> list[EventPayload]:
    level = check_assigned(state)
    if not command.result_text.strip():
        raise Refused("result-required", "a resolution needs a result text")
    if command.judicial_confirmation and command.outcome != "mediated":
        raise Refused(
            "confirmation-needs-mediation",
            "judicial confirmation (司法确认) applies to a mediated agreement only",
        )
    due = ctx.calendar.add_days(ctx.now, ctx.settings.follow_up_days)
    timer_of_visit = timer_id(state.case_id, "follow_up", state.assignment)
    timer = TimerRequest(timer_id=timer_of_visit, kind="follow_up", due_at=due)
    return [
        CaseResolved(
            level=level,
            unit_code=state.unit_code or "",
            outcome=command.outcome,
            judicial_confirmation=command.judicial_confirmation,
            result_text=command.result_text,
            resolved_at=ctx.now,
            by=command.by,
            follow_up_due_at=due,
            timers=(timer,),
        )
    ]


def follow_up_due(command: FireTimer, state: LadderState, ctx: Context) -> list[EventPayload]:
    """The follow-up timer: overdue unless the visit was recorded (the timer is stale then)."""
    if state.finished or state.resolved_level is None or command.timer_id not in state.live_timers:
        return []
    assert state.follow_up_due_at is not None
    return [
        FollowUpDue(
            level=state.resolved_level,
            unit_code=state.unit_code or "",
            due_at=state.follow_up_due_at,
            timer_id=command.timer_id,
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
