"""The case view's part of the requests and notices around the ladder (RULES.md §3b):
pending extension (延期) and bounce-back (退单), warnings (预警) and chase notices (催办),
and the pinned versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from shared.cases.row import CaseDetails, CaseRow
from shared.events.envelope import EventEnvelope
from shared.times import parse_utc


def _details(row: CaseRow, **details: Any) -> CaseRow:
    return {**row, "details": cast(CaseDetails, {**row["details"], **details})}


def _extension_requested(row: CaseRow, event: EventEnvelope) -> CaseRow:
    p = event.payload
    pending = {
        "request_id": p["request_id"],
        "requested_deadline_at": p["requested_deadline_at"],
        "reason": p["reason"],
        "approver_unit_code": p["approver_unit_code"],
    }
    return _details(row, extension_pending=pending)


def _extension_approved(row: CaseRow, event: EventEnvelope) -> CaseRow:
    p = event.payload
    approved = row["details"].get("extensions_approved", 0) + 1
    new: CaseRow = {**row, "deadline_at": parse_utc(p["deadline_at"])}
    return _details(
        new,
        extension_pending=None,
        extensions_approved=approved,
        ladder_version=p["ladder_version"],
    )


def _extension_refused(row: CaseRow, event: EventEnvelope) -> CaseRow:
    return _details(row, extension_pending=None)


def _bounced_back(row: CaseRow, event: EventEnvelope) -> CaseRow:
    p = event.payload
    pending = {
        "order_id": p["order_id"],
        "reason": p["reason"],
        "bounced_at": p["bounced_at"],
        "arbitration_due_at": p["arbitration_due_at"],
    }
    return _details(row, bounce_back=pending)


def _bounce_decided(row: CaseRow, event: EventEnvelope) -> CaseRow:
    return _details(row, bounce_back=None)


def _arbitration_lapsed(row: CaseRow, event: EventEnvelope) -> CaseRow:
    pending = row["details"].get("bounce_back")
    return _details(row, bounce_back={**pending, "lapsed": True}) if pending else row


def _warned(row: CaseRow, event: EventEnvelope) -> CaseRow:
    return _details(row, warned=True)


def _chased(row: CaseRow, event: EventEnvelope) -> CaseRow:
    return _details(row, chase_notices=row["details"].get("chase_notices", 0) + 1)


def on_assigned(row: CaseRow, event: EventEnvelope) -> CaseRow:
    """What a new assignment resets, and the rule set it was computed with."""
    return _details(
        row,
        ruleset_version=event.payload.get("ruleset_version"),
        warned=False,
        extension_pending=None,
        extensions_approved=0,
        bounce_back=None,
    )


REQUEST_EVOLVERS: dict[str, Callable[[CaseRow, EventEnvelope], CaseRow]] = {
    "ExtensionRequested": _extension_requested,
    "ExtensionApproved": _extension_approved,
    "ExtensionRefused": _extension_refused,
    "OrderBouncedBack": _bounced_back,
    "BounceBackConfirmed": _bounce_decided,
    "BounceBackReassigned": _bounce_decided,
    "BounceBackArbitrationLapsed": _arbitration_lapsed,
    "PreBreachWarningIssued": _warned,
    "ChaseNoticeIssued": _chased,
}
