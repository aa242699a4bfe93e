"""Tier override (人工调整): a supervisor sets the tier, with a reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from services.triage.facts import tier_before
from shared.api.auth import Principal
from shared.api.deps import LogDep, require_role
from shared.api.problems import Problem, version_conflict
from shared.cases.access import held_stream
from shared.cases.catalogue.triage import TierOverridden
from shared.events.envelope import new_event
from shared.log.port import VersionConflict
from shared.vocabulary import Tier

router = APIRouter(prefix="/v1/cases", tags=["triage"])
FINAL_EVENTS = frozenset({"CaseClosed", "CaseRejected"})
Supervisor = Annotated[Principal, Depends(require_role("supervisor"))]


class TierOverrideIn(BaseModel):
    tier: Tier
    reason: str = Field(min_length=2, max_length=1000)


class TierOverrideOut(BaseModel):
    case_id: str
    tier: Tier
    previous_tier: Tier | None
    sequence: int


@router.post(
    "/{case_id}/tier-override",
    response_model=TierOverrideOut,
    summary="Set the tier by hand, with a reason",
)
async def override_tier(
    case_id: str, body: TierOverrideIn, principal: Supervisor, log: LogDep
) -> TierOverrideOut:
    stream = await held_stream(log, principal, case_id)
    if any(e.event_type in FINAL_EVENTS for e in stream):
        raise Problem(
            status=409, slug="closed", title="Refused", detail="the case is closed or rejected"
        )
    version = stream[-1].sequence
    previous = tier_before(stream, sequence=version + 1)
    if previous == body.tier:
        raise Problem(
            status=409,
            slug="tier-unchanged",
            title="Nothing to change",
            detail=f"the case is already {body.tier.value}",
        )
    payload = TierOverridden(
        tier=body.tier, previous_tier=previous, reason=body.reason, overridden_by=principal.client
    )
    event = new_event(payload, case_id=case_id, producer="triage", causation=stream[-1])
    try:
        result = await log.append(case_id, [event], expected_version=version)
    except VersionConflict as exc:
        raise version_conflict() from exc
    return TierOverrideOut(
        case_id=case_id, tier=body.tier, previous_tier=previous, sequence=result.last_sequence
    )
