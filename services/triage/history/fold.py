"""Rows of the history read model from events, as pure functions.

A reported case (``CaseReported``; a rejected one is not a dispute of the deployment) gives
its row: number, grid (the micro-grid's grid), the category the caller gave and the
reported time, plus a row per party key. Each ``CaseTriaged`` sets the category triage
found; ``version`` is the sequence of the last event applied, so a redelivery changes
nothing. A report folded into another case (``ReportFolded``, 合并工单) is the same incident,
not an earlier dispute: its row is marked until it is unfolded (``ReportUnfolded``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shared.cases.party_keys import party_keys
from shared.events.envelope import EventEnvelope

HistoryRow = dict[str, Any]
FOLDING = frozenset({"ReportFolded", "ReportUnfolded"})
WANTED = frozenset({"CaseReported", "CaseTriaged"}) | FOLDING


def grid_of(payload: dict[str, Any]) -> str:
    """The unit the case belongs to: its grid when a micro-grid was given."""
    return str(payload.get("grid_unit_code") or payload["unit_code"])


def keys_of(payload: dict[str, Any], *, secret: bytes) -> frozenset[str]:
    return party_keys(payload.get("parties") or (), secret=secret)


def reported_row(event: EventEnvelope) -> HistoryRow:
    p = event.payload
    return {
        "case_id": event.case_id,
        "version": event.sequence,
        "number": p.get("number", ""),
        "unit_code": grid_of(p),
        "category": p.get("category"),
        "reported_at": event.occurred_at,
        "folded_into": None,
    }


def party_rows(event: EventEnvelope, *, secret: bytes) -> list[HistoryRow]:
    return [
        {"party_key": key, "case_id": event.case_id, "reported_at": event.occurred_at}
        for key in sorted(keys_of(event.payload, secret=secret))
    ]


def categories(events: Iterable[EventEnvelope]) -> dict[str, tuple[int, str]]:
    """The last category triage gave each case in these events, with its sequence."""
    found: dict[str, tuple[int, str]] = {}
    for event in events:
        if event.event_type != "CaseTriaged":
            continue
        before = found.get(event.case_id)
        if before is None or before[0] < event.sequence:
            found[event.case_id] = (event.sequence, str(event.payload["category"]))
    return found


def folds(events: Iterable[EventEnvelope]) -> dict[str, str | None]:
    """The last fold of each case in these events: the case it was folded into, or None
    once it was unfolded."""
    found: dict[str, str | None] = {}
    for event in sorted((e for e in events if e.event_type in FOLDING), key=lambda e: e.sequence):
        folded = event.event_type == "ReportFolded"
        found[event.case_id] = str(event.payload["into_case_id"]) if folded else None
    return found
