"""The ladder over REST: attempts, early escalation, pause/resume, acknowledging orders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal

from fastapi import APIRouter, status
from pydantic import AwareDatetime, BaseModel, Field

from services.escalation.deps import Admin, Handler, LadderDep
from services.escalation.ladder.commands import (
    AcknowledgeOrder,
    Command,
    PauseClock,
    RecordAttempt,
    RecordFollowUp,
    RequestEarlyEscalation,
    ResolveCase,
    ResumeClock,
    UnitPath,
)
from services.escalation.ladder.context import Refused, case_of_order
from services.escalation.ladder.state import LadderState
from services.escalation.service import Ladder, run_command
from shared.api.auth import Principal
from shared.api.problems import Problem, version_conflict
from shared.cases.access import held_stream
from shared.cases.presenter import names_in, present_event
from shared.cases.schemas import EventOut
from shared.log.port import VersionConflict
from shared.runtime.clock import (
    EARLIEST_SIMULATED,
    LATEST_SIMULATED,
    ClockOutOfRange,
    SimulatedClock,
)

router = APIRouter(tags=["escalation"])


class AttemptIn(BaseModel):
    result: Literal["failed", "succeeded", "partial"]
    note: str = Field(min_length=1, max_length=2000)


class ResolutionIn(BaseModel):
    outcome: Literal["mediated", "litigation", "line_department", "withdrawn"] = Field(
        description="调解成功, 引导诉讼, 行业部门, or withdrawn"
    )
    result_text: str = Field(min_length=1, max_length=5000)
    judicial_confirmation: bool = Field(default=False, description="司法确认 (mediated only)")


class FollowUpIn(BaseModel):
    satisfied: bool
    note: str = Field(default="", max_length=2000)


class ReasonIn(BaseModel):
    reason: str = Field(min_length=2, max_length=1000)


class ClockIn(BaseModel):
    now: AwareDatetime = Field(ge=EARLIEST_SIMULATED, le=LATEST_SIMULATED)


class AdvanceIn(BaseModel):
    seconds: float = Field(gt=0, le=10 * 365 * 86_400)


def _simulated(ladder: Ladder) -> SimulatedClock:
    if not isinstance(ladder.clock, SimulatedClock):
        raise Problem(
            status=409,
            slug="not-simulated",
            title="The clock is real",
            detail="start with CLOCK=simulated to move the clock",
        )
    return ladder.clock


async def run_for(
    ladder: Ladder,
    principal: Principal,
    case_id: str,
    build: Callable[[LadderState, UnitPath], Command],
) -> list[EventOut]:
    stream = await held_stream(ladder.log, principal, case_id)
    try:
        events = await run_command(ladder, case_id=case_id, make=build)
    except Refused as exc:
        raise Problem(status=409, slug=exc.code, title="Refused", detail=exc.reason) from exc
    except VersionConflict as exc:
        raise version_conflict() from exc
    pii, names = principal.has("pii"), names_in(stream)
    return [present_event(e, pii=pii, names=names) for e in events]


@router.post(
    "/v1/cases/{case_id}/attempts",
    status_code=status.HTTP_201_CREATED,
    response_model=list[EventOut],
    summary="Record a mediation attempt",
)
async def record_attempt(
    case_id: str, body: AttemptIn, principal: Handler, ladder: LadderDep
) -> list[EventOut]:
    command = RecordAttempt(result=body.result, note=body.note, by=principal.client)
    return await run_for(ladder, principal, case_id, lambda _state, _path: command)


@router.post(
    "/v1/cases/{case_id}/escalation-requests",
    status_code=status.HTTP_201_CREATED,
    response_model=list[EventOut],
    summary="Ask to escalate early (after 3 failed attempts at the level)",
)
async def request_escalation(case_id: str, principal: Handler, ladder: LadderDep) -> list[EventOut]:
    return await run_for(
        ladder,
        principal,
        case_id,
        lambda _state, path: RequestEarlyEscalation(unit_path=path, by=principal.client),
    )


@router.post(
    "/v1/cases/{case_id}/pause",
    status_code=status.HTTP_201_CREATED,
    response_model=list[EventOut],
    summary="Pause the clock (中止), with a reason",
)
async def pause(
    case_id: str, body: ReasonIn, principal: Handler, ladder: LadderDep
) -> list[EventOut]:
    command = PauseClock(reason=body.reason, by=principal.client)
    return await run_for(ladder, principal, case_id, lambda _state, _path: command)


@router.post(
    "/v1/cases/{case_id}/resume",
    status_code=status.HTTP_201_CREATED,
    response_model=list[EventOut],
    summary="Resume the clock",
)
async def resume(
    case_id: str, body: ReasonIn, principal: Handler, ladder: LadderDep
) -> list[EventOut]:
    command = ResumeClock(reason=body.reason, by=principal.client)
    return await run_for(ladder, principal, case_id, lambda _state, _path: command)


@router.post(
    "/v1/dispatch-orders/{order_id}/ack",
    status_code=status.HTTP_201_CREATED,
    response_model=list[EventOut],
    summary="Acknowledge a dispatch order (签收)",
)
async def acknowledge(order_id: str, principal: Handler, ladder: LadderDep) -> list[EventOut]:
    command = AcknowledgeOrder(order_id=order_id, by=principal.client)
    return await run_for(ladder, principal, case_of_order(order_id), lambda _state, _path: command)


@router.post(
    "/v1/cases/{case_id}/acknowledgement",
    status_code=status.HTTP_201_CREATED,
    response_model=list[EventOut],
    summary="Acknowledge the case's current dispatch order (签收)",
)
async def acknowledge_current(
    case_id: str, principal: Handler, ladder: LadderDep
) -> list[EventOut]:
    def build(state: LadderState, _path: UnitPath) -> Command:
        return AcknowledgeOrder(order_id=state.order_id or "", by=principal.client)

    return await run_for(ladder, principal, case_id, build)


@router.post(
    "/v1/cases/{case_id}/resolution",
    status_code=status.HTTP_201_CREATED,
    response_model=list[EventOut],
    summary="Resolve the case with an outcome (化解)",
)
async def resolve(
    case_id: str, body: ResolutionIn, principal: Handler, ladder: LadderDep
) -> list[EventOut]:
    command = ResolveCase(
        outcome=body.outcome,
        result_text=body.result_text,
        judicial_confirmation=body.judicial_confirmation,
        by=principal.client,
    )
    return await run_for(ladder, principal, case_id, lambda _state, _path: command)


@router.post(
    "/v1/cases/{case_id}/follow-up",
    status_code=status.HTTP_201_CREATED,
    response_model=list[EventOut],
    summary="Record the follow-up visit (回访); unsatisfied reopens the case one tier up",
)
async def follow_up(
    case_id: str, body: FollowUpIn, principal: Handler, ladder: LadderDep
) -> list[EventOut]:
    return await run_for(
        ladder,
        principal,
        case_id,
        lambda _state, path: RecordFollowUp(
            satisfied=body.satisfied, note=body.note, by=principal.client, unit_path=path
        ),
    )


@router.post("/v1/admin/clock", summary="Move the simulated clock (development only)")
async def move_clock(body: ClockIn, principal: Admin, ladder: LadderDep) -> dict[str, datetime]:
    return _set(_simulated(ladder), body.now)


@router.post("/v1/admin/clock/advance", summary="Advance the simulated clock (development only)")
async def advance_clock(
    body: AdvanceIn, principal: Admin, ladder: LadderDep
) -> dict[str, datetime]:
    clock = _simulated(ladder)
    return _set(clock, clock.now() + timedelta(seconds=body.seconds))


def _set(clock: SimulatedClock, instant: datetime) -> dict[str, datetime]:
    try:
        clock.set(instant)
    except ClockOutOfRange as exc:
        raise Problem(
            status=409, slug="clock-out-of-range", title="Refused", detail=str(exc)
        ) from exc
    except ValueError as exc:
        raise Problem(status=409, slug="clock-backwards", title="Refused", detail=str(exc)) from exc
    return {"now": clock.now()}
