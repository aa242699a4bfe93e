"""Pre-breach warning (预警): the holder and the level above, once per level."""

from __future__ import annotations

from services.escalation.commands import FireTimer
from services.escalation.practice.path import unit_above
from services.escalation.rules import Context
from services.escalation.state import LadderState
from shared.cases.catalogue.escalation_requests import PreBreachWarningIssued
from shared.events.payload import EventPayload


def warn_before_breach(command: FireTimer, state: LadderState, ctx: Context) -> list[EventPayload]:
    if state.warned or state.paused or state.level is None or state.deadline_at is None:
        return []
    return [
        PreBreachWarningIssued(
            level=state.level,
            unit_code=state.unit_code or "",
            warn_unit_code=unit_above(state.level, command.unit_path),
            deadline_at=state.deadline_at,
            timer_id=command.timer_id,
            ladder_version=state.ladder_version,
        )
    ]
