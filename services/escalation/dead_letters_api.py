"""``/v1/admin/dead-letters``: the records consumers parked as poison, and their re-drive.

A supervisor lists them (newest first) and asks for one to be handled again; the consumer
group that parked it does so within a second or two (``shared/consumers/redrive.py``) and
the item's state shows the outcome. A key sees the dead letters of cases in its regions
(a record whose case cannot be read is seen only by a key of every region). The reason
quotes the error, which may quote the event: without the ``pii`` role only the error's
type is shown.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncEngine

from services.escalation.deps import Supervisor
from shared.api.auth import Principal
from shared.api.deps import ContextDep
from shared.api.problems import Problem, not_found
from shared.cases.access import holding_unit, reported_unit, sees_case, visible_stream
from shared.events.codec import PoisonEvent, decode
from shared.events.envelope import utc_now
from shared.log.dead_letters import DeadLetter, newest, one, request_redrive
from shared.log.port import EventLog

router = APIRouter(prefix="/v1/admin/dead-letters", tags=["dead letters"])
SCAN = 2_000
"""Dead letters one listing looks at (newest first, below ``before``)."""
ERROR_TYPE = re.compile(r"^((?:gave up after \d+ attempts: )?[A-Za-z_][\w.]*)")
State = Literal["parked", "requested", "handled", "failed"]


class DeadLetterOut(BaseModel):
    id: int
    group: str = Field(description="The consumer group that parked it")
    partition: int
    offset: int
    event_type: str | None = Field(description="None: the record does not decode")
    case_id: str | None
    reason: str = Field(description="Why it was parked (the error's type alone without pii)")
    recorded_at: datetime
    state: State = Field(description="parked, requested (re-drive asked), handled, failed")
    requested_at: datetime | None
    requested_by: str | None
    finished_at: datetime | None
    detail: str | None = Field(description="The error of a failed re-drive")


def _masked(text: str | None, principal: Principal) -> str | None:
    if text is None or principal.has("pii"):
        return text
    found = ERROR_TYPE.match(text)
    return found[1] if found else "(hidden)"


def _out(letter: DeadLetter, principal: Principal) -> DeadLetterOut:
    event_type: str | None = None
    case_id: str | None = None
    try:
        event = decode(letter.raw)
        event_type, case_id = event.event_type, event.case_id
    except PoisonEvent:
        pass  # shown without a type or a case
    return DeadLetterOut(
        id=letter.id,
        group=letter.group,
        partition=letter.partition,
        offset=letter.offset,
        event_type=event_type,
        case_id=case_id,
        reason=_masked(letter.reason, principal) or "",
        recorded_at=letter.recorded_at,
        state=letter.state,
        requested_at=letter.requested_at,
        requested_by=letter.requested_by,
        finished_at=letter.finished_at,
        detail=_masked(letter.detail, principal),
    )


async def _visible(
    log: EventLog, principal: Principal, items: list[DeadLetterOut]
) -> list[DeadLetterOut]:
    if principal.sees_everything:
        return items
    streams = await log.read_streams(sorted({i.case_id for i in items if i.case_id}))
    seen = {
        case_id
        for case_id, stream in streams.items()
        if sees_case(principal, reported_unit(stream), holding_unit(stream))
    }
    return [i for i in items if i.case_id in seen]


def _engine(log: EventLog) -> AsyncEngine:
    engine = log.dead_letter_engine
    if engine is None:
        raise Problem(
            status=503,
            slug="no-dead-letters",
            title="No dead letters",
            detail="this log keeps no dead letters a process can list",
        )
    return engine


@router.get("", response_model=list[DeadLetterOut], summary="List dead letters (newest first)")
async def list_dead_letters(
    principal: Supervisor,
    context: ContextDep,
    group: Annotated[str | None, Query(max_length=100)] = None,
    case_id: Annotated[str | None, Query(max_length=64)] = None,
    state: State | None = None,
    before: Annotated[
        int | None, Query(ge=1, le=2**62, description="Only ids below this one")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[DeadLetterOut]:
    letters = await newest(_engine(context.log), group=group, before=before, limit=SCAN)
    items = [
        item
        for item in (_out(letter, principal) for letter in letters)
        if case_id in (None, item.case_id) and state in (None, item.state)
    ]
    return (await _visible(context.log, principal, items))[:limit]


@router.post(
    "/{letter_id}/redrive",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeadLetterOut,
    summary="Ask the consumer group that parked it to handle it again",
    responses={404: {"description": "No such dead letter"}, 409: {"description": "Asked already"}},
)
async def redrive_dead_letter(
    letter_id: Annotated[int, Path(ge=1, le=2**62)], principal: Supervisor, context: ContextDep
) -> DeadLetterOut:
    engine = _engine(context.log)
    letter = await one(engine, letter_id)
    if letter is None:
        raise not_found(f"dead letter {letter_id}")
    item = _out(letter, principal)
    if item.case_id is not None:
        await visible_stream(context.log, principal, item.case_id)  # 404 outside the regions
    elif not principal.sees_everything:
        raise not_found(f"dead letter {letter_id}")
    if letter.state == "requested":
        raise Problem(
            status=409,
            slug="redrive-pending",
            title="Re-drive asked already",
            detail=f"dead letter {letter_id} waits for its group ({letter.group}) to handle it",
        )
    at = utc_now()
    await request_redrive(engine, letter, by=principal.client, at=at)
    return item.model_copy(
        update={
            "state": "requested",
            "requested_at": at,
            "requested_by": principal.client,
            "finished_at": None,
            "detail": None,
        }
    )
