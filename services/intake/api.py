"""Intake API v1: report cases, read them, list them, read their history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import StringConstraints

from services.intake import idempotency
from services.intake.cases.queries import CaseFilter
from services.intake.deps import QueriesDep, numbers_of
from services.intake.report_problems import accepted_case, report_problems
from services.intake.schemas import CasePage, CaseReportIn
from services.intake.service import load_case, report_case
from shared.api.auth import Principal
from shared.api.deps import LogDep, context_of, require_role
from shared.api.problems import Problem, not_found
from shared.cases.access import may_report_at, named_unit, sees_case
from shared.cases.presenter import names_in, present_case, present_event
from shared.cases.schemas import CaseOut as CaseOutModel
from shared.cases.schemas import EventOut
from shared.vocabulary import Category

router = APIRouter(prefix="/v1/cases", tags=["cases"])

Reporter = Annotated[Principal, Depends(require_role("reporter"))]
Reader = Annotated[Principal, Depends(require_role("reader"))]


async def post_case(
    report: CaseReportIn,
    request: Request,
    response: Response,
    principal: Reporter,
) -> CaseOutModel:
    idempotency_key = idempotency.idempotency_key_of(request)
    # The context read from the request, not a dependency (nor one per part): FastAPI
    # solving each dependency per request cost as much as the report itself.
    context = context_of(request)
    may_report_at(principal, report.unit_code, field="unit_code", county=context.tree.county.code)
    with report_problems(
        unit_field="unit_code",
        reused="this Idempotency-Key was used before with a different body",
        retry="retry with the same Idempotency-Key",
    ):
        outcome = await report_case(
            log=context.log,
            numbers=numbers_of(context),
            tree=context.tree,
            report=report,
            principal=principal,
            idempotency_key=idempotency_key,
            now=context.clock.now(),
        )
    case = accepted_case(outcome, response)
    return present_case(case, pii=principal.has("pii"))


router.add_api_route(
    "",
    post_case,
    methods=["POST"],
    route_class_override=idempotency.KeyedRoute,
    status_code=status.HTTP_201_CREATED,
    response_model=CaseOutModel,
    summary="Report a case",
    responses={
        409: {"description": "Idempotency key reused with a different body"},
        403: {"description": "The unit is outside the key's regions"},
        422: {"description": "Invalid, or outside the jurisdiction (退单)"},
    },
    openapi_extra=idempotency.DOCUMENTED,
)


@router.get("/{case_id}", response_model=CaseOutModel, summary="One case")
async def get_case(
    case_id: str, principal: Reader, log: LogDep, queries: QueriesDep
) -> CaseOutModel:
    row = await load_case(log=log, queries=queries, case_id=case_id)
    if row is None or not sees_case(principal, row["unit_code"], row["holder_unit_code"]):
        raise not_found(f"case {case_id}")
    return present_case(row, pii=principal.has("pii"))


@router.get("", response_model=CasePage, summary="Cases, filtered, oldest report first")
async def list_cases(
    principal: Reader,
    queries: QueriesDep,
    status: str | None = None,
    tier: str | None = None,
    level: str | None = None,
    unit: Annotated[
        str | None,
        Query(
            max_length=18,
            description="Cases reported in or held by units under this code prefix "
            "(within your regions)",
        ),
    ] = None,
    reported_from: datetime | None = None,
    reported_to: datetime | None = None,
    category: Category | None = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description="Part of the case number, the 12345 work-order number or the title",
        ),
    ] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    order: Annotated[
        Literal["oldest", "newest"],
        Query(description="oldest (default) or newest report first: a county's arrivals"),
    ] = "oldest",
) -> CasePage:
    where = CaseFilter(
        regions=principal.regions,
        status=status,
        tier=tier,
        level=level,
        unit=named_unit(principal, unit) if unit else None,
        reported_from=reported_from,
        reported_to=reported_to,
        category=category.value if category else None,
        text=q,
    )
    try:
        rows, next_cursor = await queries.page(
            where, cursor=cursor, limit=limit, newest_first=order == "newest"
        )
    except ValueError as exc:
        raise Problem(status=400, slug="bad-cursor", title="Bad cursor", detail=str(exc)) from exc
    pii = principal.has("pii")
    return CasePage(items=[present_case(r, pii=pii) for r in rows], next_cursor=next_cursor)


EventType = Annotated[str, StringConstraints(max_length=60)]


@router.get("/{case_id}/events", response_model=list[EventOut], summary="A case's history")
async def get_case_events(
    case_id: str,
    principal: Reader,
    log: LogDep,
    queries: QueriesDep,
    last: Annotated[int | None, Query(ge=1, le=100_000, description="Only the newest")] = None,
    types: Annotated[
        list[EventType] | None,
        Query(alias="type", max_length=20, description="Only events of these types"),
    ] = None,
) -> list[EventOut]:
    events = await log.read_stream(case_id)
    row = await load_case(log=log, queries=queries, case_id=case_id) if events else None
    if row is None or not sees_case(principal, row["unit_code"], row["holder_unit_code"]):
        raise not_found(f"case {case_id}")
    pii, names = principal.has("pii"), names_in(events)  # names from the whole history
    shown = [e for e in events if types is None or e.event_type in types]
    return [present_event(event, pii=pii, names=names) for event in shown[-(last or 0) :]]
