"""Deadline (时限): an expired level escalates to the next level up, marked overdue; at the
county the case never escalates further (县级兜底) and supervision (督办) is raised to the
county centre's leaders, again every ``supervision_period_days`` while it stays open.
RULES.md §3."""

from __future__ import annotations

from datetime import datetime

from services.escalation.ladder.commands import FireTimer
from services.escalation.ladder.context import Context, timer_id
from services.escalation.ladder.rules.assignment import assign, next_level
from services.escalation.ladder.state import LadderState
from shared.cases.catalogue.escalation import (
    CaseEscalated,
    DeadlineReached,
    SupervisionRaised,
    TimerRequest,
)
from shared.events.payload import EventPayload
from shared.org.levels import Level
from shared.vocabulary import Tier


def deadline_reached(command: FireTimer, state: LadderState, ctx: Context) -> list[EventPayload]:
    assert state.level is not None
    due = state.deadline_at or ctx.now
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


def supervision_due(command: FireTimer, state: LadderState, ctx: Context) -> list[EventPayload]:
    """The supervision period passed with the case still open at the county: again."""
    due = state.deadline_at or ctx.now
    return [supervision(state, count=state.supervision_count + 1, due=due, ctx=ctx)]


def supervision(
    state: LadderState, *, count: int, due: datetime, ctx: Context
) -> SupervisionRaised:
    next_due = ctx.calendar.add_days(due, ctx.settings.supervision_period_days)
    timer = TimerRequest(
        timer_id=timer_id(state.case_id, "supervision", state.assignment, count),
        kind="supervision",
        due_at=next_due,
    )
    return SupervisionRaised(
        count=count, unit_code=state.unit_code or "", next_due_at=next_due, timers=(timer,)
    )
