"""Amend the facts of a reported case (补充事实); triage re-runs on the new facts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from services.intake.schemas import FactsAmendmentIn
from shared.api.auth import Principal
from shared.api.deps import LogDep, require_role
from shared.api.problems import Problem, version_conflict
from shared.cases.access import visible_stream
from shared.cases.catalogue.intake import CaseFactsAmended
from shared.cases.presenter import names_in, present_event
from shared.cases.schemas import EventOut
from shared.events.envelope import new_event
from shared.log.port import VersionConflict

router = APIRouter(prefix="/v1/cases", tags=["cases"])
Reporter = Annotated[Principal, Depends(require_role("reporter"))]


@router.post(
    "/{case_id}/facts",
    status_code=status.HTTP_201_CREATED,
    response_model=EventOut,
    summary="Add facts to a reported case",
)
async def amend_facts(
    case_id: str, body: FactsAmendmentIn, principal: Reporter, log: LogDep
) -> EventOut:
    if not body.model_dump(exclude_none=True):
        raise Problem(
            status=422,
            slug="validation",
            title="Nothing to amend",
            detail="give at least one fact",
            errors=[],
        )
    stream = await visible_stream(log, principal, case_id)
    payload = CaseFactsAmended(**body.model_dump(), amended_by=principal.client)
    event = new_event(payload, case_id=case_id, producer="intake", causation=stream[-1])
    try:
        result = await log.append(case_id, [event], expected_version=stream[-1].sequence)
    except VersionConflict as exc:
        raise version_conflict() from exc
    names = names_in([*stream, *result.events])
    return present_event(result.events[0], pii=principal.has("pii"), names=names)
