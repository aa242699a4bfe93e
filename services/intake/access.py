"""Which cases a caller may act on: a case outside its regions does not exist for it."""

from __future__ import annotations

from shared.api.auth import Principal
from shared.api.problems import not_found
from shared.events.envelope import EventEnvelope
from shared.log.port import EventLog
from shared.runtime.log_context import about_case


def reported_unit(stream: list[EventEnvelope]) -> str | None:
    """The unit a reported case belongs to (its grid when a micro-grid was given)."""
    reported = next((e for e in stream if e.event_type == "CaseReported"), None)
    if reported is None:
        return None
    unit: str = reported.payload.get("grid_unit_code") or reported.payload["unit_code"]
    return unit


async def visible_stream(log: EventLog, principal: Principal, case_id: str) -> list[EventEnvelope]:
    """The case's events, or 404 when it was never reported or lies outside the caller's regions."""
    stream = await log.read_stream(case_id)
    unit = reported_unit(stream)
    if unit is None or not principal.can_see(unit):
        raise not_found(f"case {case_id}")
    about_case(case_id, stream)
    return stream
