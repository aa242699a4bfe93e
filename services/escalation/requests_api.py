"""Requests around the ladder over REST (RULES.md §3b): extensions (延期) and bounce-backs (退单).

Pre-breach warnings (预警) and chase notices (催办) need no call: they come from timers.
Roles: the holding unit's ``handler`` asks; a ``supervisor`` (the level above, or the county
centre) decides.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import AwareDatetime, BaseModel, Field

from services.escalation.api import run_for
from services.escalation.deps import Handler, LadderDep, Supervisor
from services.escalation.ladder.commands import (
    BounceBack,
    ConfirmBounceBack,
    DecideExtension,
    ReassignBounceBack,
    RequestExtension,
)
from services.escalation.service import path_of
from shared.cases.access import named_unit
from shared.cases.schemas import EventOut

router = APIRouter(tags=["escalation"])


class ExtensionIn(BaseModel):
    reason: str = Field(min_length=2, max_length=1000)
    deadline_at: AwareDatetime = Field(description="The new deadline asked for")


class RefusalIn(BaseModel):
    reason: str = Field(min_length=2, max_length=1000)


class NoteIn(BaseModel):
    note: str = Field(default="", max_length=2000)


class ReassignIn(BaseModel):
    unit_code: str = Field(min_length=1, max_length=64, description="Another unit, same level")
    note: str = Field(default="", max_length=2000)


@router.post(
    "/v1/cases/{case_id}/extension-requests",
    status_code=status.HTTP_201_CREATED,
    response_model=list[EventOut],
    summary="Ask for an extension (延期) before the level's deadline",
)
async def request_extension(
    case_id: str, body: ExtensionIn, principal: Handler, ladder: LadderDep
) -> list[EventOut]:
    deadline: datetime = body.deadline_at
    return await run_for(
        ladder,
        principal,
        case_id,
        lambda _state, path: RequestExtension(
            reason=body.reason, deadline_at=deadline, by=principal.client, unit_path=path
        ),
    )


@router.post(
    "/v1/cases/{case_id}/extension-requests/{request_id}/approve",
    status_code=status.HTTP_201_CREATED,
    response_model=list[EventOut],
    summary="Approve an extension (the level above)",
)
async def approve_extension(
    case_id: str, request_id: str, principal: Supervisor, ladder: LadderDep
) -> list[EventOut]:
    command = DecideExtension(request_id=request_id, approve=True, by=principal.client)
    return await run_for(ladder, principal, case_id, lambda _state, _path: command)


@router.post(
    "/v1/cases/{case_id}/extension-requests/{request_id}/refuse",
    status_code=status.HTTP_201_CREATED,
    response_model=list[EventOut],
    summary="Refuse an extension, with a reason (the level above)",
)
async def refuse_extension(
    case_id: str, request_id: str, body: RefusalIn, principal: Supervisor, ladder: LadderDep
) -> list[EventOut]:
    command = DecideExtension(
        request_id=request_id, approve=False, by=principal.client, reason=body.reason
    )
    return await run_for(ladder, principal, case_id, lambda _state, _path: command)


@router.post(
    "/v1/cases/{case_id}/bounce-back",
    status_code=status.HTTP_201_CREATED,
    response_model=list[EventOut],
    summary="Return the dispatch order as not this unit's (退单); the county centre decides",
)
async def bounce_back(
    case_id: str, body: RefusalIn, principal: Handler, ladder: LadderDep
) -> list[EventOut]:
    command = BounceBack(reason=body.reason, by=principal.client)
    return await run_for(ladder, principal, case_id, lambda _state, _path: command)


@router.post(
    "/v1/cases/{case_id}/bounce-back/confirm",
    status_code=status.HTTP_201_CREATED,
    response_model=list[EventOut],
    summary="Keep the case at the unit; the lost time counts against it (county centre)",
)
async def confirm_bounce_back(
    case_id: str, body: NoteIn, principal: Supervisor, ladder: LadderDep
) -> list[EventOut]:
    command = ConfirmBounceBack(note=body.note, by=principal.client)
    return await run_for(ladder, principal, case_id, lambda _state, _path: command)


@router.post(
    "/v1/cases/{case_id}/bounce-back/reassign",
    status_code=status.HTTP_201_CREATED,
    response_model=list[EventOut],
    summary="Move the case to another unit at the same level, with a new clock (county centre)",
)
async def reassign_bounce_back(
    case_id: str, body: ReassignIn, principal: Supervisor, ladder: LadderDep
) -> list[EventOut]:
    new_path = path_of(named_unit(principal, body.unit_code), ladder.tree)
    command = ReassignBounceBack(
        unit_code=body.unit_code, new_path=new_path, note=body.note, by=principal.client
    )
    return await run_for(ladder, principal, case_id, lambda _state, _path: command)
