"""12345 hotline work orders (工单) in, as cases: one case per work order number.

The hotline's shape is mapped onto an ordinary report: the caller becomes the applicant,
``area_code`` (or the unit found in ``address``) the unit; an address nobody can place goes
to the county centre (县综治中心), which holds it. Posting the same work order again gives
the same case; the same number with a different body is refused (409). Status feedback goes
back through notify's 12345 channel (see docs/hotline-12345.md).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.intake.address import locate
from services.intake.deps import NumbersDep
from services.intake.report_problems import accepted_case, report_problems
from services.intake.schemas import CaseReportIn
from services.intake.service import report_case
from shared.api.auth import Principal
from shared.api.body import ClosedBody
from shared.api.deps import ContextDep, LogDep, TreeDep, require_role
from shared.cases.access import may_report_at
from shared.cases.catalogue.intake import Party, PartyRole, Source
from shared.org.tree import OrgTree

router = APIRouter(prefix="/v1/hotline", tags=["12345 hotline"])
Reporter = Annotated[Principal, Depends(require_role("reporter"))]

EXAMPLE_WORK_ORDER: dict[str, Any] = {
    "work_order_no": "GD20261124000123",
    "caller": "李四",
    "phone": "0575-87654321",
    "content": "邻居家狗每晚叫到深夜，多次沟通无果。",
    "area_code": "330681106001",
    "appeal_type": "投诉",
    "time_limit": "2026-11-27T17:00:00+08:00",
}


class WorkOrderIn(ClosedBody):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_WORK_ORDER]})

    work_order_no: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    caller: str | None = Field(default=None, min_length=1, max_length=50)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9-]{5,20}$")
    content: str = Field(min_length=1, max_length=10_000)
    title: str | None = Field(default=None, max_length=200)
    area_code: str | None = Field(
        default=None, pattern=r"^[0-9]{6}([0-9]{6}([0-9]{3}([0-9]{3})?)?)?$"
    )
    address: str | None = Field(default=None, max_length=500)
    appeal_type: str | None = Field(default=None, max_length=20, description="投诉, 求助, ...")
    time_limit: datetime | None = Field(default=None, description="The hotline's 办理时限")

    @model_validator(mode="after")
    def _has_a_place(self) -> WorkOrderIn:
        if self.area_code is None and not self.address:
            raise ValueError("give area_code or address")
        return self


class WorkOrderOut(BaseModel):
    case_id: str
    case_number: str
    status: str
    unit_code: str
    located_by: str


def _title(order: WorkOrderIn) -> str:
    if order.title:
        return order.title
    prefix = f"【{order.appeal_type}】" if order.appeal_type else ""
    return (prefix + order.content)[:60]


def _place(order: WorkOrderIn, tree: OrgTree) -> tuple[str, str]:
    if order.area_code is not None:
        return order.area_code, "area_code"
    unit = locate(order.address or "", tree)
    if unit is None:
        return tree.county.code, "county_centre"
    return unit.code, "address"


def to_report(order: WorkOrderIn, *, unit_code: str) -> CaseReportIn:
    caller = (
        [Party(name=order.caller, phone=order.phone, role=PartyRole.APPLICANT)]
        if order.caller
        else []
    )
    description = order.content if not order.address else f"{order.content}\n地址：{order.address}"
    return CaseReportIn(
        title=_title(order),
        description=description,
        unit_code=unit_code,
        parties=caller,
        source=Source.HOTLINE_12345,
        external_ref=order.work_order_no,
    )


@router.post(
    "/work-orders",
    status_code=status.HTTP_201_CREATED,
    response_model=WorkOrderOut,
    summary="Receive a 12345 work order (工单) as a case",
    responses={
        403: {"description": "The unit (given or located) is outside the key's regions"},
        409: {"description": "This work order number came before with a different body"},
        422: {"description": "Invalid, or outside the jurisdiction (退单)"},
    },
)
async def post_work_order(
    order: WorkOrderIn,
    response: Response,
    principal: Reporter,
    log: LogDep,
    tree: TreeDep,
    numbers: NumbersDep,
    context: ContextDep,
) -> WorkOrderOut:
    unit_code, located_by = _place(order, tree)
    field = "area_code" if order.area_code else "address"
    may_report_at(principal, unit_code, field=field, county=tree.county.code)
    fingerprint = hashlib.sha256(
        orjson.dumps(order.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    ).hexdigest()
    with report_problems(
        unit_field="area_code",
        reused=f"work order {order.work_order_no} came before with a different body",
        retry="post the work order again",
    ):
        outcome = await report_case(
            log=log,
            numbers=numbers,
            tree=tree,
            report=to_report(order, unit_code=unit_code),
            principal=principal,
            idempotency_key=f"12345:{order.work_order_no}",
            external_due_at=order.time_limit,
            fingerprint=fingerprint,
            now=context.clock.now(),
        )
    case = accepted_case(outcome, response)
    return WorkOrderOut(
        case_id=case["id"],
        case_number=case["number"],
        status=case["status"],
        unit_code=case["unit_code"],
        located_by=located_by,
    )
