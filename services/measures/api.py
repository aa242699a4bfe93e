"""Lifecycle read models over REST: a unit's work queue and the county centre's measures."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from services.measures.facts.queries import GroupBy, Scope, measure
from services.measures.facts.schemas import (
    GroupMeasures,
    QueueCounts,
    QueueItemOut,
    QueueOut,
    StatsOut,
)
from services.measures.queues.queries import QueueFilter, unit_queue_page
from shared.api.auth import Principal
from shared.api.deps import ContextDep, TreeDep, require_role
from shared.api.problems import Problem, not_found
from shared.cases.access import named_unit
from shared.org.levels import Level
from shared.org.models import Unit
from shared.org.tree import OrgTree

router = APIRouter(tags=["lifecycle"])
Reader = Annotated[Principal, Depends(require_role("reader"))]


AREA_DIGITS = {Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12, Level.GRID: 15}
"""How many leading digits the codes of every unit within a unit's area share with it."""


def _visible_unit(code: str, principal: Principal, tree: OrgTree) -> Unit:
    unit = tree.get(named_unit(principal, code))
    if unit is None:
        raise not_found(f"unit {code}")
    return unit


@router.get("/v1/units/{code}/queue", response_model=QueueOut, summary="A unit's work queue")
async def get_queue(
    code: str,
    principal: Reader,
    tree: TreeDep,
    context: ContextDep,
    due_soon_hours: Annotated[float, Query(gt=0, le=24 * 90)] = 24,
    bucket: Literal["open", "due_soon", "overdue"] | None = None,
    tier: Annotated[str | None, Query(max_length=10)] = None,
    level: Annotated[str | None, Query(max_length=10)] = None,
    category: Annotated[str | None, Query(max_length=30)] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Items per page")] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> QueueOut:
    unit = _visible_unit(code, principal, tree).code
    now = context.clock.now()
    page = await unit_queue_page(
        context.engine,
        unit,
        QueueFilter(bucket=bucket, tier=tier, level=level, category=category),
        now=now,
        within=timedelta(hours=due_soon_hours),
        limit=limit,
        offset=offset,
    )
    return QueueOut(
        unit_code=unit,
        now=now,
        due_soon_hours=due_soon_hours,
        counts=QueueCounts(**page.counts),
        total=page.total,
        limit=limit,
        offset=offset,
        items=[
            QueueItemOut(
                case_id=i.row["case_id"],
                number=i.row["number"],
                status=i.row["status"],
                step=i.step,
                bucket=i.bucket,
                tier=i.row["tier"],
                level=i.row["level"],
                category=i.row["category"],
                due_at=i.due_at,
                deadline_at=i.row["deadline_at"],
                ack_due_at=i.row["ack_due_at"],
                acknowledged=i.row["acknowledged"],
                paused=i.row["paused"],
                follow_up_due_at=i.row["follow_up_due_at"],
            )
            for i in page.items
        ],
    )


@router.get("/v1/stats", response_model=StatsOut, summary="The county centre's measures (考核)")
async def get_stats(
    principal: Reader,
    tree: TreeDep,
    context: ContextDep,
    reported_from: Annotated[datetime | None, Query(alias="from")] = None,
    reported_to: Annotated[datetime | None, Query(alias="to")] = None,
    unit: Annotated[str | None, Query(description="Cases reported in this unit's area")] = None,
    group_by: GroupBy | None = None,
) -> StatsOut:
    if reported_from and reported_to and reported_to <= reported_from:
        raise Problem(
            status=400,
            slug="bad-window",
            title="Empty time window",
            detail="'to' must be later than 'from'",
        )
    area = _visible_unit(unit, principal, tree) if unit else None
    scope = Scope(
        regions=principal.regions,
        unit=area.code[: AREA_DIGITS[area.level]] if area else None,
        reported_from=reported_from,
        reported_to=reported_to,
    )
    async with context.engine.connect() as conn:
        total = (await measure(conn, scope, None))["all"]  # one row even with no cases
        groups = await measure(conn, scope, group_by) if group_by else {}
    return StatsOut(
        reported_from=reported_from,
        reported_to=reported_to,
        unit=area.code if area else None,
        group_by=group_by,
        total=total,
        groups=[GroupMeasures(key=key, **m.model_dump()) for key, m in groups.items()],
    )
