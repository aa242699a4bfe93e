"""A unit's work queue (待办) as a pure fold: one row per case, held by its current unit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.events.envelope import EventEnvelope
from shared.times import parse_utc

QueueRow = dict[str, Any]
WORKING = ("assigned", "in_mediation", "resolved")
"""Statuses a holder still has work on: acknowledge, mediate, or visit (回访)."""


def _reported(row: QueueRow | None, event: EventEnvelope) -> QueueRow:
    p = event.payload
    return {
        "case_id": event.case_id,
        "version": event.sequence,
        "number": p.get("number", ""),
        "unit_code": p.get("grid_unit_code") or p["unit_code"],
        "status": "rejected" if event.event_type == "CaseRejected" else "reported",
        "tier": None,
        "level": None,
        "holder_unit_code": None,
        "order_id": None,
        "acknowledged": False,
        "ack_due_at": None,
        "paused": False,
        "deadline_at": None,
        "follow_up_due_at": None,
        "follow_up_overdue": False,
        "updated_at": event.occurred_at,
    }


def _tier(row: QueueRow, event: EventEnvelope) -> QueueRow:
    status = "triaged" if row["status"] == "reported" else row["status"]
    return {**row, "tier": event.payload["tier"], "status": status}


def _assigned(row: QueueRow, event: EventEnvelope) -> QueueRow:
    p = event.payload
    return {
        **row,
        "status": "assigned",
        "tier": p["tier"],
        "level": p["level"],
        "holder_unit_code": p["unit_code"],
        "order_id": p["order_id"],
        "acknowledged": False,
        "ack_due_at": parse_utc(p["ack_due_at"]),
        "paused": False,
        "deadline_at": parse_utc(p["deadline_at"]),
        "follow_up_due_at": None,
        "follow_up_overdue": False,
    }


def _attempt(row: QueueRow, event: EventEnvelope) -> QueueRow:
    return {**row, "status": "in_mediation"} if row["status"] == "assigned" else row


def _resolved(row: QueueRow, event: EventEnvelope) -> QueueRow:
    due = event.payload.get("follow_up_due_at")
    return {
        **row,
        "status": "resolved",
        "deadline_at": None,
        "paused": False,
        "follow_up_due_at": parse_utc(due) if due else None,
    }


def _set(**values: Any) -> Callable[[QueueRow, EventEnvelope], QueueRow]:
    return lambda row, _event: {**row, **values}


def _deadline(field: str) -> Callable[[QueueRow, EventEnvelope], QueueRow]:
    def moved(row: QueueRow, event: EventEnvelope) -> QueueRow:
        return {**row, "paused": False, "deadline_at": parse_utc(event.payload[field])}

    return moved


EVOLVERS: dict[str, Callable[[QueueRow, EventEnvelope], QueueRow]] = {
    "CaseTriaged": _tier,
    "TierOverridden": _tier,
    "CaseAssigned": _assigned,
    "OrderAcknowledged": _set(acknowledged=True),
    "MediationAttemptRecorded": _attempt,
    "ClockPaused": _set(paused=True),
    "ClockResumed": _deadline("deadline_at"),
    "SupervisionRaised": _deadline("next_due_at"),
    "ExtensionApproved": _deadline("deadline_at"),
    "CaseResolved": _resolved,
    "FollowUpDue": _set(follow_up_overdue=True),
    "CaseClosed": _set(status="closed", follow_up_due_at=None),
    "CaseReopened": _set(status="assigned", follow_up_due_at=None, follow_up_overdue=False),
    # A report folded into another case (合并工单) leaves the queues; unfolded, it is
    # assigned afresh.
    "ReportFolded": _set(status="folded", order_id=None, deadline_at=None, ack_due_at=None),
    "ReportUnfolded": _set(status="triaged"),
}


def evolve(row: QueueRow | None, event: EventEnvelope, *, owned: bool = False) -> QueueRow | None:
    """Apply one event. The input row stays as it was, unless ``owned``: a fold that made
    it itself (by an earlier call) lets an event that only moves the version on stamp it in
    place instead of copying it."""
    if event.event_type in ("CaseReported", "CaseRejected"):
        return _reported(row, event)
    if row is None:
        return None
    handler = EVOLVERS.get(event.event_type)
    new = handler(row, event) if handler else row
    if new is row and not owned:
        new = dict(row)  # the input row stays as it was
    # Otherwise ``new`` is the handler's own fresh dict: stamp it in place.
    new["version"] = event.sequence
    new["updated_at"] = max(new["updated_at"], event.occurred_at)
    return new
