"""The reports hotspots count, as a pure fold: one row per case (its unit, category, time).

A case counts from its report, in the category it has (as reported, then as triaged or
amended); a rejected report (退单) counts nowhere. The report time is the event's own
(``occurred_at``), so a rebuild gives the same rows. A report folded into another case
(合并工单) is the same incident, counted once at that case: its row is marked
``folded_into`` until it is unfolded.
"""

from __future__ import annotations

from typing import Any

from shared.events.envelope import EventEnvelope

HotspotRow = dict[str, Any]
CATEGORY_EVENTS = frozenset({"CaseTriaged", "CaseFactsAmended"})


def _reported(event: EventEnvelope) -> HotspotRow:
    p = event.payload
    return {
        "case_id": event.case_id,
        "version": event.sequence,
        "number": p.get("number", ""),
        "unit_code": p.get("grid_unit_code") or p["unit_code"],
        "category": p.get("category"),
        "reported_at": event.occurred_at,
        "folded_into": None,
    }


def evolve(
    row: HotspotRow | None, event: EventEnvelope, *, owned: bool = False
) -> HotspotRow | None:
    """Apply one event. The input row stays as it was, unless ``owned`` (a row an earlier
    call of the same fold made)."""
    if event.event_type == "CaseReported":
        return _reported(event)
    if row is None:
        return None
    new = row if owned else dict(row)
    if event.event_type in CATEGORY_EVENTS and event.payload.get("category"):
        new["category"] = event.payload["category"]
    elif event.event_type == "ReportFolded":
        new["folded_into"] = event.payload["into_case_id"]
    elif event.event_type == "ReportUnfolded":
        new["folded_into"] = None
    new["version"] = event.sequence
    return new
