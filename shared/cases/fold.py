"""The case read model as a pure fold over a case's events (one row per case).

The SQL projection and the live fallback (a case not yet projected) share this fold, so
both give the same answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, cast

from shared.cases.fold_requests import REQUEST_EVOLVERS, on_assigned
from shared.cases.row import CaseDetails, CaseRow, CaseStatus
from shared.events.envelope import EventEnvelope
from shared.times import parse_utc


def _reported(row: CaseRow | None, event: EventEnvelope, status: CaseStatus) -> CaseRow:
    p = event.payload
    return {
        "id": event.case_id,
        "number": p.get("number", ""),
        "version": event.sequence,
        "status": status.value,
        "title": p["title"],
        "tier": None,
        "category": p.get("category"),
        "level": None,
        "unit_code": p.get("grid_unit_code") or p["unit_code"],
        "holder_unit_code": None,
        "source": p.get("source", "rest"),
        "external_ref": p.get("external_ref"),
        "reported_at": event.occurred_at,
        "updated_at": event.occurred_at,
        "deadline_at": None,
        "rejection_reason": p.get("reason"),
        "details": {
            "description": p["description"],
            "reported_unit_code": p["unit_code"],
            "parties": p.get("parties", []),
            "parties_count": p.get("parties_count"),
            "amount_cny": p.get("amount_cny"),
            "prior_reports": p.get("prior_reports"),
        },
    }


def _on_reported(row: CaseRow | None, event: EventEnvelope) -> CaseRow:
    return _reported(row, event, CaseStatus.REPORTED)


def _on_rejected(row: CaseRow | None, event: EventEnvelope) -> CaseRow:
    return _reported(row, event, CaseStatus.REJECTED)


def _on_facts_amended(row: CaseRow | None, event: EventEnvelope) -> CaseRow | None:
    if row is None:
        return None
    details: dict[str, Any] = dict(row["details"])
    p = event.payload
    if p.get("description_addition"):
        details["description"] = f"{details['description']}\n{p['description_addition']}"
    for field in ("parties_count", "amount_cny", "prior_reports"):
        if p.get(field) is not None:
            details[field] = p[field]
    category = p.get("category") or row["category"]
    return {**row, "details": cast(CaseDetails, details), "category": category}


def _on_triaged(row: CaseRow | None, event: EventEnvelope) -> CaseRow | None:
    if row is None:
        return None
    p = event.payload
    status = row["status"]
    if status == CaseStatus.REPORTED:
        status = CaseStatus.TRIAGED.value
    return {
        **row,
        "tier": p["tier"],
        "category": p.get("category") or row["category"],
        "status": status,
    }


def _ladder(row: CaseRow, **details: Any) -> CaseRow:
    return {**row, "details": cast(CaseDetails, {**row["details"], **details})}


def _on_assigned(row: CaseRow | None, event: EventEnvelope) -> CaseRow | None:
    if row is None:
        return None
    p = event.payload
    status = row["status"]
    if status in (CaseStatus.REPORTED, CaseStatus.TRIAGED):
        status = CaseStatus.ASSIGNED.value
    new: CaseRow = {
        **row,
        "status": status,
        "level": p["level"],
        "holder_unit_code": p["unit_code"],
        "deadline_at": parse_utc(p["deadline_at"]),
    }
    return _ladder(
        on_assigned(new, event),
        order_id=p["order_id"],
        acknowledged=False,
        paused_seconds=0,
        ladder_version=p["ladder_version"],
    )


def _on_escalated(row: CaseRow | None, event: EventEnvelope) -> CaseRow | None:
    if row is None or not event.payload.get("overdue"):
        return row
    overdue = [*row["details"].get("overdue_levels", []), event.payload["from_level"]]
    return _ladder(row, overdue_levels=overdue)


def _on_supervised(row: CaseRow | None, event: EventEnvelope) -> CaseRow | None:
    if row is None:
        return None
    new: CaseRow = {**row, "deadline_at": parse_utc(event.payload["next_due_at"])}
    return _ladder(new, supervision_count=event.payload["count"])


def _on_paused(row: CaseRow | None, event: EventEnvelope) -> CaseRow | None:
    return _ladder(row, paused=True) if row else None


def _on_resumed(row: CaseRow | None, event: EventEnvelope) -> CaseRow | None:
    if row is None:
        return None
    paused = row["details"].get("paused_seconds", 0) + event.payload["paused_seconds"]
    new: CaseRow = {**row, "deadline_at": parse_utc(event.payload["deadline_at"])}
    return _ladder(new, paused=False, paused_seconds=paused)


def _on_acknowledged(row: CaseRow | None, event: EventEnvelope) -> CaseRow | None:
    return _ladder(row, acknowledged=True) if row else None


def _on_attempt(row: CaseRow | None, event: EventEnvelope) -> CaseRow | None:
    if row is None:
        return None
    status = CaseStatus.IN_MEDIATION.value if row["status"] == "assigned" else row["status"]
    return {**row, "status": status}


def _on_resolved(row: CaseRow | None, event: EventEnvelope) -> CaseRow | None:
    if row is None:
        return None
    p = event.payload
    resolution = {
        "level": p["level"],
        "unit_code": p["unit_code"],
        "outcome": p["outcome"],
        "judicial_confirmation": p.get("judicial_confirmation", False),
        "result_text": p["result_text"],
        "resolved_at": p["resolved_at"],
    }
    new: CaseRow = {**row, "status": CaseStatus.RESOLVED.value, "deadline_at": None}
    due = p.get("follow_up_due_at")
    return _ladder(new, resolution=resolution, follow_up_due_at=due, follow_up_overdue=False)


def _on_follow_up_due(row: CaseRow | None, event: EventEnvelope) -> CaseRow | None:
    return _ladder(row, follow_up_overdue=True) if row else None


def _on_follow_up(row: CaseRow | None, event: EventEnvelope) -> CaseRow | None:
    if row is None:
        return None
    p = event.payload
    visits = [
        *row["details"].get("follow_ups", []),
        {"satisfied": p["satisfied"], "note": p["note"]},
    ]
    return _ladder(row, follow_ups=visits)


def _on_closed(row: CaseRow | None, event: EventEnvelope) -> CaseRow | None:
    return {**row, "status": CaseStatus.CLOSED.value} if row else None


def _on_reopened(row: CaseRow | None, event: EventEnvelope) -> CaseRow | None:
    if row is None:
        return None
    new: CaseRow = {**row, "status": CaseStatus.ASSIGNED.value, "tier": event.payload["tier"]}
    return _ladder(
        new,
        resolution=None,
        follow_up_due_at=None,
        follow_up_overdue=False,
        reopened=row["details"].get("reopened", 0) + 1,
    )


Evolver = Callable[[CaseRow | None, EventEnvelope], CaseRow | None]


def _on_folded(row: CaseRow | None, event: EventEnvelope) -> CaseRow | None:
    """Folded into another case (合并工单): no order and no deadline of its own."""
    if row is None:
        return None
    into = event.payload["into_case_id"]
    details = {k: v for k, v in row["details"].items() if k != "order_id"}
    return {
        **row,
        "deadline_at": None,
        "details": cast(CaseDetails, {**details, "folded_into": into}),
    }


def _on_unfolded(row: CaseRow | None, event: EventEnvelope) -> CaseRow | None:
    return _ladder(row, folded_into=None) if row else None


EVOLVERS: dict[str, Evolver] = {
    "CaseReported": _on_reported,
    "CaseRejected": _on_rejected,
    "CaseFactsAmended": _on_facts_amended,
    "CaseTriaged": _on_triaged,
    "TierOverridden": _on_triaged,
    "CaseAssigned": _on_assigned,
    "CaseEscalated": _on_escalated,
    "SupervisionRaised": _on_supervised,
    "ClockPaused": _on_paused,
    "ClockResumed": _on_resumed,
    "OrderAcknowledged": _on_acknowledged,
    "MediationAttemptRecorded": _on_attempt,
    "CaseResolved": _on_resolved,
    "FollowUpDue": _on_follow_up_due,
    "FollowUpRecorded": _on_follow_up,
    "CaseClosed": _on_closed,
    "CaseReopened": _on_reopened,
    "ReportFolded": _on_folded,
    "ReportUnfolded": _on_unfolded,
}


def evolve(row: CaseRow | None, event: EventEnvelope, *, owned: bool = False) -> CaseRow | None:
    """Apply one event; events this view does not show only move its version on. The input
    row stays as it was, unless ``owned``: a fold that made it itself (by an earlier call)
    lets such an event stamp it in place instead of copying it."""
    evolver = EVOLVERS.get(event.event_type)
    new = evolver(row, event) if evolver else row
    practice = REQUEST_EVOLVERS.get(event.event_type)
    if practice is not None and new is not None:
        new = practice(new, event)
    if new is None:
        return None
    stamp: datetime = event.occurred_at
    if new is row and not owned:
        new = new.copy()  # the input row stays as it was
    # Otherwise ``new`` is the evolvers' own fresh dict: stamp it in place.
    new["version"] = event.sequence
    new["updated_at"] = max(new["updated_at"], stamp)
    return new


def fold(events: Iterable[EventEnvelope]) -> CaseRow | None:
    row: CaseRow | None = None
    for event in events:
        row = evolve(row, event)
    return row
