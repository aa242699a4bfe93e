"""Who sees a case and who acts on it (docs/operations.md, "Who sees what").

A caller *sees* a case when one of its regions covers the unit that reported it or the unit
that holds it now; a case it does not see answers 404, so its existence does not leak. A
caller *acts* for the ladder (handler and supervisor commands) only when one of its regions
covers the holding unit: a unit that no longer holds the case can read it, not work it.
Every unit code a caller names must lie in its regions, or the unit answers 404; a report
into a unit outside them is refused (403) unless the key may report anywhere.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_

from shared.api.auth import Principal
from shared.api.problems import Problem, not_found
from shared.config import REPORT_ANYWHERE
from shared.events.envelope import EventEnvelope
from shared.log.port import EventLog
from shared.runtime.log_context import about_case

HOLDER_EVENTS = {"CaseAssigned": "unit_code", "BounceBackReassigned": "to_unit_code"}
"""Events that put the case at a unit, and the payload field naming it."""


def reported_unit(stream: list[EventEnvelope]) -> str | None:
    """The unit a reported case belongs to (its grid when a micro-grid was given)."""
    reported = next((e for e in stream if e.event_type == "CaseReported"), None)
    if reported is None:
        return None
    unit: str = reported.payload.get("grid_unit_code") or reported.payload["unit_code"]
    return unit


def holding_unit(stream: list[EventEnvelope]) -> str | None:
    """The unit holding the case now: the last assignment (each escalation up the ladder,
    each reassignment after a bounce-back (退单)), or the reporting unit before any."""
    for event in reversed(stream):
        field = HOLDER_EVENTS.get(event.event_type)
        if field is not None:
            unit: str = event.payload[field]
            return unit
    return reported_unit(stream)


def sees_case(principal: Principal, reported: str | None, holder: str | None) -> bool:
    """The visibility rule on a case's two units (either may be unknown)."""
    return any(unit and principal.can_see(unit) for unit in (reported, holder))


def region_clause(regions: tuple[str, ...], *columns: Any) -> ColumnElement[bool] | None:
    """SQL for "one of these unit columns lies in the regions" (None: every region)."""
    if "" in regions:
        return None
    return or_(false(), *(c.startswith(r) for c in columns for r in regions))


def named_unit(principal: Principal, code: str) -> str:
    """A unit code the caller named (path, query or body): 404 outside its regions."""
    if not principal.can_see(code):
        raise not_found(f"unit {code}")
    return code


async def visible_stream(log: EventLog, principal: Principal, case_id: str) -> list[EventEnvelope]:
    """The case's events, or 404 when it was never reported or the caller does not see it."""
    stream = await log.read_stream(case_id)
    reported = reported_unit(stream)
    if reported is None or not sees_case(principal, reported, holding_unit(stream)):
        raise not_found(f"case {case_id}")
    about_case(case_id, stream)
    return stream


async def held_stream(log: EventLog, principal: Principal, case_id: str) -> list[EventEnvelope]:
    """The case's events for a ladder command: 404 as ``visible_stream``, 403 when the caller
    sees the case but none of its regions covers the unit holding it."""
    stream = await visible_stream(log, principal, case_id)
    holder = holding_unit(stream)
    if holder is None or not principal.can_see(holder):
        raise Problem(
            status=403,
            slug="not-holding-unit",
            title="Not the holding unit",
            detail=f"case {case_id} is held by a unit outside your regions: it can be read, "
            "not worked",
        )
    return stream


def may_report_at(principal: Principal, code: str, *, field: str, county: str) -> None:
    """A report's unit in the county must lie in the caller's regions, unless its key is
    explicitly allowed to report anywhere (role ``report-anywhere``, which ``admin`` does not
    imply): 403. A unit outside the county goes on to be rejected (退单) as before."""
    outside_county = not code.startswith(county)
    if outside_county or REPORT_ANYWHERE in principal.roles or principal.can_see(code):
        return
    message = f"unit {code} is outside the regions of this key"
    raise Problem(
        status=403,
        slug="outside-regions",
        title="Outside your regions",
        detail=f"{message}; only a key with the role {REPORT_ANYWHERE!r} reports there",
        errors=[{"field": field, "message": message}],
    )
