"""A party's cases over REST (docs/repeats.md), for the county centre's supervisors.

A party is named by its reference: the keyed hash of a phone or ID number
(``shared/cases/party_keys.py``), never the number itself, so no number travels in a URL
or lands in an access log. ``POST /v1/parties/refs`` turns a number sent in a body into its
references; ``GET /v1/parties/{ref}/cases`` lists the cases reported with that party in the
caller's regions (by the grid that reported them), newest first, a bounded page at a time.
"""

from __future__ import annotations

import base64
from datetime import datetime
from functools import cache
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from services.triage.history.queries import cases_of_party
from services.triage.history.schemas import PartyCaseOut, PartyCasesOut, PartyRefsIn, PartyRefsOut
from shared.api.auth import Principal
from shared.api.deps import ContextDep, require_role
from shared.api.problems import Problem
from shared.cases.catalogue.intake import Party
from shared.cases.party_keys import KEY_MAX, KEY_PATTERN, party_keys
from shared.config import PartySettings

router = APIRouter(prefix="/v1/parties", tags=["parties"])
Supervisor = Annotated[Principal, Depends(require_role("supervisor"))]
PAGE_MAX = 100
CURSOR_MAX = 200


@cache
def _secret() -> bytes:
    return PartySettings().secret


def _cursor(reported_at: datetime, case_id: str) -> str:
    raw = f"{reported_at.isoformat()}|{case_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _position(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, case_id = raw.split("|", 1)
        return datetime.fromisoformat(at), case_id
    except ValueError as exc:
        raise Problem(
            status=400, slug="bad-cursor", title="Bad cursor", detail="not a cursor of this list"
        ) from exc


@router.post("/refs", response_model=PartyRefsOut, summary="A party's references from its numbers")
async def party_refs(body: PartyRefsIn, principal: Supervisor) -> PartyRefsOut:
    party = Party(name="-", phone=body.phone, id_number=body.id_number)
    return PartyRefsOut(refs=sorted(party_keys([party], secret=_secret())))


@router.get("/{ref}/cases", response_model=PartyCasesOut, summary="A party's cases")
async def party_cases(
    ref: Annotated[str, Path(pattern=KEY_PATTERN, max_length=KEY_MAX)],
    principal: Supervisor,
    context: ContextDep,
    cursor: Annotated[str | None, Query(max_length=CURSOR_MAX)] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 50,
) -> PartyCasesOut:
    before = _position(cursor) if cursor else None
    page = await cases_of_party(
        context.engine, ref, regions=principal.regions, limit=limit, before=before
    )
    items = [PartyCaseOut.model_validate(row) for row in page.rows]
    last = items[-1] if page.more else None
    return PartyCasesOut(
        ref=ref, items=items, next_cursor=_cursor(last.reported_at, last.case_id) if last else None
    )
