"""``GET /v1/audit/timers``: for a window, every timer that came due, and whether it fired.

The cases come from the timer index (timers due in the window); their streams are read from
the log and classified (``classify.audit_stream``): the answer is the log's, not the index's.
It needs the log, the database and the clock only, so it answers while the scheduler is
stopped, which is when an auditor needs it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime
from sqlalchemy import select

from services.escalation.audit.classify import TimerRecord, audit_stream
from services.escalation.audit.report import TimerAudit, build_audit
from services.escalation.deps import Auditor
from shared.api.deps import ContextDep
from shared.api.problems import Problem
from shared.cases.access import holding_unit, reported_unit, sees_case
from shared.db.schema import escalation_timers
from shared.log.sql_requests import chunks
from shared.times import as_utc

router = APIRouter(prefix="/v1/audit", tags=["audit"])
MAX_CASES = 20_000
"""Cases one answer reads; a longer window is refused with a hint to narrow it."""


@router.get("/timers", response_model=TimerAudit, summary="Which timers should have fired")
async def audit_timers(
    principal: Auditor,
    context: ContextDep,
    window_from: Annotated[AwareDatetime, Query(alias="from")],
    window_to: Annotated[AwareDatetime, Query(alias="to")],
    grace_seconds: Annotated[float, Query(ge=0, le=86_400)] = 60.0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1_000,
) -> TimerAudit:
    start, end = as_utc(window_from), as_utc(window_to)
    if end <= start:
        raise Problem(
            status=422, slug="empty-window", title="Bad window", detail="'to' must be after 'from'"
        )
    t = escalation_timers.c
    query = (
        select(t.case_id).where(t.due_at >= start, t.due_at < end).distinct().limit(MAX_CASES + 1)
    )
    async with context.engine.connect() as conn:
        case_ids = list((await conn.execute(query)).scalars())
    if len(case_ids) > MAX_CASES:
        raise Problem(
            status=422,
            slug="window-too-wide",
            title="Window too wide",
            detail=f"more than {MAX_CASES} cases had timers due in it: narrow the window",
        )
    records: list[TimerRecord] = []
    for part in chunks(case_ids):
        streams = await context.log.read_streams(part)
        for case_id, stream in streams.items():
            if sees_case(principal, reported_unit(stream), holding_unit(stream)):
                records.extend(audit_stream(case_id, stream))
    now = as_utc(context.clock.now())
    return build_audit(
        records,
        window=(start, end),
        now=now,
        grace=timedelta(seconds=grace_seconds),
        limit=limit,
    )
