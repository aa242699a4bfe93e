"""Acknowledgement (签收/报到): a dispatch order is acknowledged within its tier's window;
unacknowledged, it is re-sent to the backup contact and the level above is warned.
RULES.md §3."""

from __future__ import annotations

from services.escalation.ladder.commands import AcknowledgeOrder, FireTimer
from services.escalation.ladder.context import Context, Refused, check_assigned, unit_above
from services.escalation.ladder.rules.chase import chase_timer
from services.escalation.ladder.state import LadderState
from shared.cases.catalogue.escalation import AcknowledgementLapsed, OrderAcknowledged
from shared.events.payload import EventPayload


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


def acknowledgement_lapsed(
    command: FireTimer, state: LadderState, ctx: Context
) -> list[EventPayload]:
    assert state.level is not None
    return [
        AcknowledgementLapsed(
            order_id=state.order_id or "",
            level=state.level,
            unit_code=state.unit_code or "",
            resend_to_backup=True,
            warn_unit_code=unit_above(state.level, command.unit_path),
        )
    ]
