"""Bounce-back (退单 by a unit) and the county centre's arbitration.

The ladder clock never stops for a bounce-back. The centre confirms the unit (the time lost
counts against it) or reassigns the case to another unit at the same level, where a new
clock starts. An undecided bounce-back past ``arbitration_hours`` is reported once.
RULES.md §3b.
"""

from __future__ import annotations

from datetime import timedelta

from services.escalation.ladder.commands import (
    BounceBack,
    ConfirmBounceBack,
    FireTimer,
    ReassignBounceBack,
)
from services.escalation.ladder.context import Context, Refused, check_assigned, timer_id
from services.escalation.ladder.rules.assignment import assign
from services.escalation.ladder.state import LadderState, PendingBounceBack
from shared.cases.catalogue.escalation import TimerRequest
from shared.cases.catalogue.escalation_requests import (
    BounceBackArbitrationLapsed,
    BounceBackConfirmed,
    BounceBackReassigned,
    OrderBouncedBack,
)
from shared.events.payload import EventPayload
from shared.org.levels import Level
from shared.vocabulary import Tier


def bounce_back(command: BounceBack, state: LadderState, ctx: Context) -> list[EventPayload]:
    level = check_assigned(state)
    if state.bounce_back is not None:
        raise Refused("bounce-back-pending", "this order is already bounced back (退单)")
    if not command.reason.strip():
        raise Refused("reason-required", "a bounce-back needs a reason")
    due = ctx.now + timedelta(hours=ctx.settings.arbitration_hours)
    timer = TimerRequest(
        timer_id=timer_id(state.case_id, "arbitration", state.assignment, state.planned),
        kind="arbitration",
        due_at=due,
    )
    return [
        OrderBouncedBack(
            order_id=state.order_id or "",
            level=level,
            unit_code=state.unit_code or "",
            reason=command.reason,
            bounced_at=ctx.now,
            arbitration_due_at=due,
            by=command.by,
            timers=(timer,),
        )
    ]


def check_bounce_pending(state: LadderState) -> tuple[Level, PendingBounceBack]:
    level = check_assigned(state)
    if state.bounce_back is None:
        raise Refused("no-bounce-back", "no bounce-back (退单) awaits a decision on this case")
    return level, state.bounce_back


def confirm_bounce_back(
    command: ConfirmBounceBack, state: LadderState, ctx: Context
) -> list[EventPayload]:
    level, pending = check_bounce_pending(state)
    return [
        BounceBackConfirmed(
            order_id=pending.order_id,
            level=level,
            unit_code=state.unit_code or "",
            note=command.note,
            lost_seconds=max(0.0, (ctx.now - pending.bounced_at).total_seconds()),
            decided_at=ctx.now,
            by=command.by,
        )
    ]


def reassign_bounce_back(
    command: ReassignBounceBack, state: LadderState, ctx: Context
) -> list[EventPayload]:
    level, pending = check_bounce_pending(state)
    if command.new_path.get(level) != command.unit_code:
        raise Refused(
            "not-same-level", f"a bounced-back case is reassigned to another {level} unit"
        )
    if command.unit_code == state.unit_code:
        raise Refused("same-unit", "reassigning to the same unit is confirming it")
    return [
        BounceBackReassigned(
            order_id=pending.order_id,
            level=level,
            from_unit_code=state.unit_code or "",
            to_unit_code=command.unit_code,
            note=command.note,
            decided_at=ctx.now,
            by=command.by,
        ),
        assign(
            state,
            level=level,
            path=command.new_path,
            tier=state.tier or Tier.BLUE,
            cause="reassigned",
            at=ctx.now,
            ctx=ctx,
        ),
    ]


def arbitration_lapsed(command: FireTimer, state: LadderState, ctx: Context) -> list[EventPayload]:
    if state.bounce_back is None or state.level is None:
        return []
    return [
        BounceBackArbitrationLapsed(
            order_id=state.bounce_back.order_id,
            level=state.level,
            unit_code=state.unit_code or "",
            due_at=state.bounce_back.arbitration_due_at,
            timer_id=command.timer_id,
        )
    ]
