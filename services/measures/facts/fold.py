"""Facts for the county centre's measures (考核), as a pure fold of each case's events.

One case row (where it stands, where and how it was resolved, counters) and one row per
assignment (dispatch order: level, unit, tier, acknowledgement, whether it went overdue).
Only instants from the events are used, so a rebuild gives the same rows. A report folded
into another case (合并工单) keeps its row, marked with the case it was folded into.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.events.envelope import EventEnvelope
from shared.times import parse_utc
from shared.vocabulary import ASSIGNMENT_COUNTERS

Row = dict[str, Any]
COUNTERS = (
    "resolutions",
    "reopens",
    "attempts",
    "escalations",
    "supervisions",
    "follow_ups",
    "satisfied_follow_ups",
    "follow_ups_overdue",
)


@dataclass(frozen=True, slots=True)
class Facts:
    """A case's facts; folds build new ones with the constructor (``dataclasses.replace``
    costs several times as much on this path)."""

    case: Row
    assignments: dict[int, Row] = field(default_factory=dict)


def _new_case(event: EventEnvelope) -> Facts:
    p = event.payload
    case: Row = {
        "case_id": event.case_id,
        "version": event.sequence,
        "unit_code": p.get("grid_unit_code") or p["unit_code"],
        "category": p.get("category"),
        "tier": None,
        "status": "rejected" if event.event_type == "CaseRejected" else "reported",
        "level": None,
        "holder_unit_code": None,
        "reported_at": event.occurred_at,
        "resolved_at": None,
        "resolve_seconds": None,
        "outcome": None,
        "judicial_confirmation": False,
        "closed_at": None,
        "folded_into": None,
        **dict.fromkeys(COUNTERS, 0),
    }
    return Facts(case=case)


def _case(facts: Facts, **values: Any) -> Facts:
    return Facts(case={**facts.case, **values}, assignments=facts.assignments)


def _count(facts: Facts, name: str, by: int = 1) -> Facts:
    return _case(facts, **{name: facts.case[name] + by})


def _tally(facts: Facts, *names: str, lost: float = 0.0) -> Facts:
    """Count the requests and notices around the ladder (RULES.md §3b) on the current
    dispatch order."""
    number = max(facts.assignments, default=None)
    if number is None:
        return facts
    row = dict(facts.assignments[number])
    for name in names:
        row[name] += 1
    row["bounce_lost_seconds"] += lost
    return Facts(case=facts.case, assignments={**facts.assignments, number: row})


def _assignment(facts: Facts, number: int | None, **values: Any) -> Facts:
    number = number if number is not None else max(facts.assignments, default=None)
    if number is None or number not in facts.assignments:
        return facts
    updated = {**facts.assignments, number: {**facts.assignments[number], **values}}
    return Facts(case=facts.case, assignments=updated)


def _number(order_id: str) -> int:
    return int(order_id.rpartition(".")[2])


def _tier(facts: Facts, p: Row) -> Facts:
    return _case(facts, tier=p["tier"], category=p.get("category") or facts.case["category"])


def _amended(facts: Facts, p: Row) -> Facts:
    return _case(facts, category=p.get("category") or facts.case["category"])


def _assigned(facts: Facts, p: Row) -> Facts:
    number = p["assignment"]
    row = {
        "case_id": facts.case["case_id"],
        "assignment": number,
        "level": p["level"],
        "unit_code": p["unit_code"],
        "tier": p["tier"],
        "cause": p["cause"],
        "assigned_at": parse_utc(p["assigned_at"]),
        "acknowledged_at": None,
        "ack_seconds": None,
        "ack_lapsed": False,
        "overdue": False,
        **dict.fromkeys(ASSIGNMENT_COUNTERS, 0),
        "bounce_lost_seconds": 0.0,
    }
    moved = _case(
        facts, status="assigned", level=p["level"], holder_unit_code=p["unit_code"], tier=p["tier"]
    )
    return Facts(case=moved.case, assignments={**facts.assignments, number: row})


def _acknowledged(facts: Facts, p: Row) -> Facts:
    number = _number(p["order_id"])
    if number not in facts.assignments:
        return facts
    at: datetime = parse_utc(p["acknowledged_at"])
    seconds = (at - facts.assignments[number]["assigned_at"]).total_seconds()
    return _assignment(facts, number, acknowledged_at=at, ack_seconds=seconds)


def _attempt(facts: Facts, p: Row) -> Facts:
    status = "in_mediation" if facts.case["status"] == "assigned" else facts.case["status"]
    return _count(_case(facts, status=status), "attempts")


def _resolved(facts: Facts, p: Row) -> Facts:
    at = parse_utc(p["resolved_at"])
    resolved = _case(
        facts,
        status="resolved",
        level=p["level"],
        holder_unit_code=p["unit_code"],
        resolved_at=at,
        resolve_seconds=(at - facts.case["reported_at"]).total_seconds(),
        outcome=p["outcome"],
        judicial_confirmation=bool(p.get("judicial_confirmation", False)),
    )
    return _count(resolved, "resolutions")


def _visited(facts: Facts, p: Row) -> Facts:
    visited = _count(facts, "follow_ups")
    return _count(visited, "satisfied_follow_ups", 1 if p["satisfied"] else 0)


def _reopened(facts: Facts, p: Row) -> Facts:
    reopened = _case(
        facts,
        status="assigned",
        tier=p["tier"],
        resolved_at=None,
        resolve_seconds=None,
        outcome=None,
        judicial_confirmation=False,
    )
    return _count(reopened, "reopens")


EVOLVERS: dict[str, Callable[[Facts, Row], Facts]] = {
    "CaseFactsAmended": _amended,
    "CaseTriaged": _tier,
    "TierOverridden": _tier,
    "CaseAssigned": _assigned,
    "OrderAcknowledged": _acknowledged,
    "AcknowledgementLapsed": lambda f, p: _assignment(f, _number(p["order_id"]), ack_lapsed=True),
    "DeadlineReached": lambda f, p: _assignment(f, None, overdue=True),
    "CaseEscalated": lambda f, p: _count(f, "escalations"),
    "SupervisionRaised": lambda f, p: _count(f, "supervisions"),
    "MediationAttemptRecorded": _attempt,
    "CaseResolved": _resolved,
    "FollowUpDue": lambda f, p: _count(f, "follow_ups_overdue"),
    "FollowUpRecorded": _visited,
    "CaseClosed": lambda f, p: _case(f, status="closed", closed_at=parse_utc(p["closed_at"])),
    "CaseReopened": _reopened,
    "PreBreachWarningIssued": lambda f, p: _tally(f, "warnings"),
    "ExtensionRequested": lambda f, p: _tally(f, "extensions_requested"),
    "ExtensionApproved": lambda f, p: _tally(f, "extensions_approved"),
    "ExtensionRefused": lambda f, p: _tally(f, "extensions_refused"),
    "OrderBouncedBack": lambda f, p: _tally(f, "bounce_backs"),
    "BounceBackConfirmed": lambda f, p: _tally(
        f, "bounce_backs_confirmed", lost=float(p["lost_seconds"])
    ),
    "BounceBackReassigned": lambda f, p: _tally(f, "bounce_backs_reassigned"),
    "BounceBackArbitrationLapsed": lambda f, p: _tally(f, "bounce_backs_lapsed"),
    "ChaseNoticeIssued": lambda f, p: _tally(f, "chase_notices"),
    "ReportFolded": lambda f, p: _case(f, folded_into=p["into_case_id"]),
    "ReportUnfolded": lambda f, p: _case(f, folded_into=None),
}


def evolve(facts: Facts | None, event: EventEnvelope, *, owned: bool = False) -> Facts | None:
    """Apply one event. The input facts stay as they were, unless ``owned``: a fold that
    made them itself (by an earlier call) lets an event that leaves the case row as it is
    stamp the version on it in place (the assignments are never changed in place)."""
    if event.event_type in ("CaseReported", "CaseRejected"):
        return _new_case(event)
    if facts is None:
        return None
    handler = EVOLVERS.get(event.event_type)
    new = handler(facts, event.payload) if handler else facts
    if new.case is facts.case:
        if owned:
            new.case["version"] = event.sequence
            return new
        return _case(new, version=event.sequence)
    new.case["version"] = event.sequence  # a case dict the handler made for this state
    return new
