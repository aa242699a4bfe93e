"""The pending duplicate proposals across cases, for supervisors to decide (待合并).

``GET /v1/duplicates/proposals`` (role ``supervisor``, the role that folds and dismisses):
every report the rule proposed to fold into an open case and nobody decided yet (not folded,
not dismissed, the report's case still open), newest proposal first, paged. Only proposals
whose report and candidate both lie in the caller's regions are listed; a unit named in
``unit_code`` outside them answers 404 as on every route. Titles are masked without ``pii``.
Read from the candidate index (``duplicate_index``) joined with the cases' read model.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.engine import RowMapping

from shared.api.auth import Principal
from shared.api.deps import ContextDep, require_role
from shared.api.masking import mask_free_text
from shared.cases.access import named_unit, region_clause
from shared.cases.presenter import party_names
from shared.db.schema import cases, duplicate_index
from shared.times import as_utc

router = APIRouter(prefix="/v1/duplicates", tags=["duplicates"])
Supervisor = Annotated[Principal, Depends(require_role("supervisor"))]

report = cases.alias("report")
candidate = cases.alias("candidate")
candidate_index = duplicate_index.alias("candidate_index")
proposed_at = func.coalesce(duplicate_index.c.decided_at, duplicate_index.c.reported_at)


class CaseRef(BaseModel):
    case_id: str
    number: str
    title: str
    unit_code: str


class ProposalOut(BaseModel):
    report: CaseRef
    """The new report proposed to be folded (合并) into the candidate."""
    candidate: CaseRef
    """The open case it resembles."""
    candidate_open: bool
    """False once the candidate was resolved, closed, rejected or folded: only dismissal is
    left (folding into it answers 409)."""
    score: float
    proposed_at: datetime


class ProposalPage(BaseModel):
    items: list[ProposalOut]
    total: int
    limit: int
    offset: int


def _where(principal: Principal, unit_code: str | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [
        duplicate_index.c.decision == "propose",
        duplicate_index.c.open,
    ]
    for side in (report, candidate):
        clause = region_clause(principal.regions, side.c.unit_code, side.c.holder_unit_code)
        if clause is not None:
            where.append(clause)
    if unit_code is not None:
        code = named_unit(principal, unit_code)
        where.append(
            or_(report.c.unit_code.startswith(code), report.c.holder_unit_code.startswith(code))
        )
    return where


def _joined(query: Select[Any]) -> Select[Any]:
    return (
        query.select_from(duplicate_index)
        .join(report, report.c.id == duplicate_index.c.case_id)
        .join(candidate, candidate.c.id == duplicate_index.c.decided_case_id)
        .outerjoin(candidate_index, candidate_index.c.case_id == candidate.c.id)
    )


def _title(row: RowMapping, prefix: str, *, pii: bool) -> str:
    title: str = row[f"{prefix}_title"]
    if pii:
        return title
    return mask_free_text(title, party_names(row[f"{prefix}_details"].get("parties", [])))


def _ref(row: RowMapping, prefix: str, *, pii: bool) -> CaseRef:
    return CaseRef(
        case_id=row[f"{prefix}_id"],
        number=row[f"{prefix}_number"],
        title=_title(row, prefix, pii=pii),
        unit_code=row[f"{prefix}_unit_code"],
    )


def _columns() -> list[Any]:
    sides = [
        getattr(side.c, name).label(f"{prefix}_{name}")
        for prefix, side in (("report", report), ("candidate", candidate))
        for name in ("id", "number", "title", "unit_code", "details")
    ]
    candidate_open = func.coalesce(candidate_index.c.open, True).label("candidate_open")
    return [*sides, candidate_open, duplicate_index.c.score, proposed_at.label("proposed_at")]


@router.get(
    "/proposals",
    response_model=ProposalPage,
    summary="Proposed duplicates awaiting a supervisor's fold or dismissal, newest first",
)
async def proposals(
    principal: Supervisor,
    context: ContextDep,
    unit_code: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=18,
            description="Only reports made in or held by units under this code (your regions)",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ProposalPage:
    where = _where(principal, unit_code)
    counted = _joined(select(func.count())).where(*where)
    listed = (
        _joined(select(*_columns()))
        .where(*where)
        .order_by(proposed_at.desc(), duplicate_index.c.case_id)
        .limit(limit)
        .offset(offset)
    )
    async with context.engine.connect() as conn:
        total = (await conn.execute(counted)).scalar_one()
        rows = (await conn.execute(listed)).mappings().all()
    pii = principal.has("pii")
    items = [
        ProposalOut(
            report=_ref(row, "report", pii=pii),
            candidate=_ref(row, "candidate", pii=pii),
            candidate_open=bool(row["candidate_open"]),
            score=row["score"],
            proposed_at=as_utc(row["proposed_at"]),
        )
        for row in rows
    ]
    return ProposalPage(items=items, total=total, limit=limit, offset=offset)
