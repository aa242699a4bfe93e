"""``GET /v1/hotspots``: the hotspots (研判) at an instant, each with the cases behind it.

A caller with the ``reader`` role sees the hotspots of the units its regions cover (a
township's key sees its township, villages and grids; a village's key not its township's).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from services.measures.hotspots.decide import detected_at, same_hotspot
from services.measures.hotspots.fold import HotspotRow
from services.measures.hotspots.queries import hotspots_at
from services.measures.hotspots.rule import Finding, Rule
from services.measures.hotspots.schemas import HotspotCaseOut, HotspotOut, HotspotsOut, RuleOut
from services.measures.runtime import MeasuresRuntime
from shared.api.auth import Principal
from shared.api.deps import ContextDep, TreeDep, require_role
from shared.cases.catalogue.hotspots import CASES_NAMED, hotspot_stream
from shared.log.port import EventLog
from shared.runtime.clock import EARLIEST_SIMULATED, LATEST_SIMULATED

router = APIRouter(tags=["hotspots"])
Reader = Annotated[Principal, Depends(require_role("reader"))]


async def _out(
    log: EventLog,
    category: str,
    finding: Finding,
    rows: dict[str, HotspotRow],
    rule: Rule,
    name: str | None,
) -> HotspotOut:
    stream = await log.read_stream(hotspot_stream(finding.unit_code, category))
    recorded = same_hotspot(stream, finding.at, rule)
    return HotspotOut(
        unit_code=finding.unit_code,
        unit_name=name,
        level=finding.level.value,
        category=category,
        window_days=finding.window_days,
        cases=len(finding.case_ids),
        baseline=round(finding.baseline, 3),
        hotspot_id=recorded.payload["hotspot_id"] if recorded else None,
        detected_at=detected_at(recorded) if recorded else None,
        case_list=[
            HotspotCaseOut.model_validate(rows[case_id])
            for case_id in finding.case_ids[:CASES_NAMED]
        ],
    )


@router.get("/v1/hotspots", response_model=HotspotsOut, summary="Hotspots (研判) with their cases")
async def get_hotspots(
    principal: Reader,
    tree: TreeDep,
    context: ContextDep,
    at: Annotated[
        AwareDatetime | None,
        Query(
            ge=EARLIEST_SIMULATED,
            le=LATEST_SIMULATED,
            description="Apply the rule at this instant, with its UTC offset (default: now)",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="At most this many hotspots")] = 50,
) -> HotspotsOut:
    rule = context.runtimes.require(MeasuresRuntime).hotspot_settings.rule()
    when = at or context.clock.now()
    async with context.engine.connect() as conn:
        found, rows = await hotspots_at(conn, regions=principal.regions, at=when, rule=rule)
    visible = [(c, f) for c, f in found if principal.can_see(f.unit_code)][:limit]
    hotspots = []
    for category, finding in visible:
        unit = tree.get(finding.unit_code)
        hotspots.append(
            await _out(context.log, category, finding, rows, rule, unit.name if unit else None)
        )
    return HotspotsOut(
        at=when,
        rule=RuleOut(
            factor=rule.factor,
            min_cases=rule.min_cases,
            windows_days=list(rule.windows_days),
            baseline_weeks=rule.baseline_weeks,
            repeat_after_days=rule.repeat_after_days,
        ),
        hotspots=hotspots,
    )
