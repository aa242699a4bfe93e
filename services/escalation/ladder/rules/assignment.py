"""Assignment (指派): the start level per tier, the level's deadline (1/3/5/7 days by
default), the acknowledgement window per tier, and a rising tier moving the case up at once
(a falling one never moves it down). A report folded into another case (合并工单, §2b) is
never assigned; unfolded, it is assigned as a fresh case. RULES.md §2 and §3."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.escalation.config import LadderSettings
from services.escalation.ladder.commands import ApplyTierChange, AssignCase, UnitPath
from services.escalation.ladder.context import Context, Refused, timer_id
from services.escalation.ladder.rules.warning import warning_timers
from services.escalation.ladder.state import LadderState
from shared.cases.catalogue.escalation import CaseAssigned, CaseEscalated, TimerRequest
from shared.events.payload import EventPayload
from shared.org.levels import Level
from shared.vocabulary import Tier


def assign_case(command: AssignCase, state: LadderState, ctx: Context) -> list[EventPayload]:
    if state.assigned or state.folded_into is not None:
        return []  # assigned already (a repeated triage does not reassign), or folded
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
    if state.level is None or state.closed or state.folded_into is not None:
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


def start_level(tier: Tier, path: UnitPath, settings: LadderSettings) -> Level:
    """The tier's starting level, or the nearest level above it the case has a unit at."""
    level: Level | None = settings.start_level[tier]
    while level is not None and level not in path:
        level = level.parent_level
    if level is None:
        raise Refused("no-unit", "the case has no unit at or above its starting level")
    return level


def check_below_county(level: Level) -> Level:
    parent = level.parent_level
    if parent is None:
        raise Refused("county-is-last", "the county never escalates further (县级兜底)")
    return parent


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
    """The case held at ``level``: a dispatch order, its deadline and its timers."""
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
        ruleset_version=state.ruleset_version,
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
            *warning_timers(state.case_id, number, 0, at, deadline, ctx),
        ),
    )
