"""Mediation attempts and 三三调处: a team records its attempts at its level; a handler may
ask to escalate early only after ``attempts_for_early_escalation`` (3) failed attempts at
the current level, otherwise the request is refused with the reason. RULES.md §3."""

from __future__ import annotations

from services.escalation.ladder.commands import RecordAttempt, RequestEarlyEscalation
from services.escalation.ladder.context import Context, Refused, check_assigned
from services.escalation.ladder.rules.assignment import assign, check_below_county, next_level
from services.escalation.ladder.rules.chase import chase_timer
from services.escalation.ladder.state import LadderState
from shared.cases.catalogue.escalation import CaseEscalated, MediationAttemptRecorded
from shared.events.payload import EventPayload
from shared.vocabulary import Tier


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


def check_failed_attempts(state: LadderState, needed: int) -> None:
    if state.failed_attempts < needed:
        raise Refused(
            "not-enough-attempts",
            f"early escalation needs {needed} failed mediation attempts at the "
            f"{state.level} level (三三调处); {state.failed_attempts} recorded",
        )


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
