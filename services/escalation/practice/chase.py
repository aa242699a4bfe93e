"""Chase notice (催办): an acknowledged order idle for half the level's time limit."""

from __future__ import annotations

from services.escalation.commands import FireTimer
from services.escalation.rules import Context
from services.escalation.state import LadderState
from shared.cases.catalogue.escalation_requests import ChaseNoticeIssued
from shared.events.payload import EventPayload


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
