"""Resolution (化解) and the follow-up visit (回访): ``decide`` functions of the lifecycle end."""

from __future__ import annotations

from services.escalation.commands import RecordFollowUp, ResolveCase
from services.escalation.events import CaseClosed, CaseReopened, CaseResolved, FollowUpRecorded
from services.escalation.rules import Context, Refused, assign, check_assigned
from services.escalation.state import LadderState
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
