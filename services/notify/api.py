"""Deliveries over REST: see what was sent or given up, and re-drive a failed one."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import BaseModel
from sqlalchemy import Select, select

from services.notify.handlers import record
from services.notify.outbox.fold import delivery_history
from shared.api.auth import Principal
from shared.api.deps import context_of, require_role
from shared.api.problems import Problem, not_found
from shared.cases.access import region_clause, visible_stream
from shared.cases.catalogue.notify import DeliveryRetryRequested
from shared.db.schema import cases, deliveries
from shared.events.envelope import utc_now
from shared.times import UtcDatetime

router = APIRouter(prefix="/v1/admin/deliveries", tags=["deliveries"])
Supervisor = Annotated[Principal, Depends(require_role("supervisor"))]


class DeliveryOut(BaseModel):
    delivery_id: str
    notice_id: str
    case_id: str
    unit_code: str
    channel: str
    kind: str
    status: str
    attempts: int
    issued_at: UtcDatetime
    delivered_at: UtcDatetime | None
    last_error: str | None


def _visible_query(principal: Principal) -> Select[Any]:
    """Deliveries to a unit in the caller's regions, or about a case the caller sees."""
    query = select(deliveries).outerjoin(cases, cases.c.id == deliveries.c.case_id)
    visible = region_clause(
        principal.regions, deliveries.c.unit_code, cases.c.unit_code, cases.c.holder_unit_code
    )
    return query if visible is None else query.where(visible)


@router.get("", response_model=list[DeliveryOut], summary="List deliveries (newest first)")
async def list_deliveries(
    request: Request,
    principal: Supervisor,
    status_: Annotated[
        Literal["pending", "delivered", "failed"] | None, Query(alias="status")
    ] = None,
    case_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryOut]:
    query = _visible_query(principal).order_by(deliveries.c.issued_at.desc()).limit(limit)
    if status_ is not None:
        query = query.where(deliveries.c.status == status_)
    if case_id is not None:
        query = query.where(deliveries.c.case_id == case_id)
    async with context_of(request).engine.connect() as conn:
        rows = (await conn.execute(query)).mappings().all()
    return [DeliveryOut.model_validate(dict(row)) for row in rows]


@router.post(
    "/{delivery_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryOut,
    summary="Deliver a failed delivery again (same idempotency key)",
    responses={404: {"description": "No such delivery"}, 409: {"description": "Not failed"}},
)
async def retry_delivery(delivery_id: str, request: Request, principal: Supervisor) -> DeliveryOut:
    context = context_of(request)
    async with context.engine.connect() as conn:
        row = (
            (
                await conn.execute(
                    _visible_query(principal).where(deliveries.c.delivery_id == delivery_id)
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        raise not_found(f"delivery {delivery_id}")
    stream = await visible_stream(context.log, principal, row["case_id"])
    history = delivery_history(stream, delivery_id)
    if not history.given_up:
        raise Problem(
            status=409,
            slug="not-failed",
            title="Refused",
            detail=(
                f"delivery {delivery_id} is {'delivered' if history.delivered else 'in progress'}"
                "; only a failed delivery can be re-driven"
            ),
        )
    await record(
        context.log,
        cause=stream[-1],
        payload=DeliveryRetryRequested(
            delivery_id=delivery_id, by=principal.client, requested_at=utc_now()
        ),
        key=f"retry:{delivery_id}:{history.failures}",
    )
    return DeliveryOut.model_validate({**dict(row), "status": "pending", "last_error": None})
