"""Duplicate reports over REST: a case's duplicates and candidates; fold, unfold, dismiss.

``GET /v1/cases/{id}/duplicates`` (role ``reader``, the case's region): what the case is
folded into, the reports folded into it, pending proposals, and the open cases near it
scored now (only those in the caller's regions). Folding, unfolding and dismissing a
proposal are supervisor commands on a case the caller's regions hold, each with a reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from services.triage.duplicates.index import DuplicateIndex
from services.triage.duplicates.view import (
    check_dismiss,
    check_fold,
    check_unfold,
    folded_into,
    folded_reports,
    pending_proposals,
)
from shared.api.auth import Principal
from shared.api.body import ClosedBody
from shared.api.deps import ContextDep, LogDep, require_role
from shared.api.problems import version_conflict
from shared.cases.access import held_stream, visible_stream
from shared.cases.catalogue.duplicates import DuplicateDismissed, ReportFolded, ReportUnfolded
from shared.events.envelope import EventEnvelope, new_event
from shared.events.payload import EventPayload
from shared.log.port import EventLog, VersionConflict

router = APIRouter(prefix="/v1/cases", tags=["duplicates"])
Reader = Annotated[Principal, Depends(require_role("reader"))]
Supervisor = Annotated[Principal, Depends(require_role("supervisor"))]
CaseId = Annotated[str, Field(min_length=1, max_length=64)]
Reason = Annotated[str, Field(min_length=2, max_length=1000)]


class FoldIn(ClosedBody):
    into_case_id: CaseId
    reason: Reason


class UnfoldIn(ClosedBody):
    reason: Reason


class DismissIn(ClosedBody):
    candidate_case_id: CaseId
    reason: Reason


class Scored(BaseModel):
    case_id: str
    number: str
    unit_code: str
    score: float


class DuplicatesOut(BaseModel):
    case_id: str
    folded_into: dict[str, Any] | None
    """The fold of this report: the incident's case, the score, who and why."""
    reports: list[dict[str, Any]]
    """The reports folded into this case, each with its 12345 work-order number."""
    proposals: list[dict[str, Any]]
    """Doubtful matches awaiting a supervisor."""
    candidates: list[Scored]


class CommandOut(BaseModel):
    case_id: str
    event_type: str
    sequence: int


@router.get(
    "/{case_id}/duplicates",
    response_model=DuplicatesOut,
    summary="What this case is folded into, the reports folded into it, and its candidates",
)
async def duplicates(
    case_id: str, principal: Reader, log: LogDep, context: ContextDep
) -> DuplicatesOut:
    stream = await visible_stream(log, principal, case_id)
    index = context.runtimes.require(DuplicateIndex)
    scored = await index.scored(case_id) or []
    return DuplicatesOut(
        case_id=case_id,
        folded_into=folded_into(stream),
        reports=folded_reports(stream),
        proposals=pending_proposals(stream),
        candidates=[
            Scored(
                case_id=s.candidate.case_id,
                number=s.candidate.case_number,
                unit_code=s.candidate.sketch.unit_code,
                score=s.score,
            )
            for s in scored
            if principal.can_see(s.candidate.sketch.unit_code)
        ],
    )


ATTEMPTS = 10
"""A command meets a version conflict when notify or the ladder appended to the case
meanwhile: it reads the case again, checks again and appends again, this many times. A
proposed report is busy (its order's and its proposal notice's deliveries are recorded on
it), and three tries were not always enough under load."""
Decider = Callable[[list[EventEnvelope]], Awaitable[EventPayload]]


async def _command(
    log: EventLog, principal: Principal, case_id: str, decide: Decider
) -> CommandOut:
    for attempt in range(ATTEMPTS):
        stream = await held_stream(log, principal, case_id)
        payload = await decide(stream)
        last = stream[-1]
        event = new_event(payload, case_id=case_id, producer="triage", causation=last)
        try:
            result = await log.append(case_id, [event], expected_version=last.sequence)
        except VersionConflict as exc:
            if attempt == ATTEMPTS - 1:
                raise version_conflict() from exc
            continue
        return CommandOut(
            case_id=case_id, event_type=payload.event_type, sequence=result.last_sequence
        )
    raise AssertionError("unreachable")


@router.post(
    "/{case_id}/fold",
    response_model=CommandOut,
    status_code=201,
    summary="Fold this report into another case of the same incident (合并工单)",
)
async def fold(case_id: str, body: FoldIn, principal: Supervisor, log: LogDep) -> CommandOut:
    async def decide(report: list[EventEnvelope]) -> EventPayload:
        incident = await visible_stream(log, principal, body.into_case_id)
        check_fold(report, incident)
        return ReportFolded(
            into_case_id=body.into_case_id,
            into_case_number=incident[0].payload.get("number", ""),
            by=principal.client,
            reason=body.reason,
        )

    return await _command(log, principal, case_id, decide)


@router.post(
    "/{case_id}/unfold",
    response_model=CommandOut,
    status_code=201,
    summary="Make a folded report a case of its own again, with its own clock",
)
async def unfold(case_id: str, body: UnfoldIn, principal: Supervisor, log: LogDep) -> CommandOut:
    async def decide(report: list[EventEnvelope]) -> EventPayload:
        current = check_unfold(report)
        return ReportUnfolded(
            from_case_id=current["into_case_id"], by=principal.client, reason=body.reason
        )

    return await _command(log, principal, case_id, decide)


@router.post(
    "/{case_id}/duplicates/dismiss",
    response_model=CommandOut,
    status_code=201,
    summary="Dismiss a proposed duplicate: not the same incident",
)
async def dismiss(case_id: str, body: DismissIn, principal: Supervisor, log: LogDep) -> CommandOut:
    async def decide(report: list[EventEnvelope]) -> EventPayload:
        check_dismiss(report, body.candidate_case_id)
        return DuplicateDismissed(
            candidate_case_id=body.candidate_case_id, by=principal.client, reason=body.reason
        )

    return await _command(log, principal, case_id, decide)
