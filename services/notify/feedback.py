"""The 12345 hotline's view of a case: which events it is told about, in its words.

A case that came from a 12345 work order (工单) reports back 签收 when its first dispatch
order is acknowledged, 办理中 (with the level) when it moves up or a mediation attempt is
recorded, 办结 with the outcome, 回访 with the follow-up result, and 退单 with the reason
when intake refused it, and 延期 with the new deadline when an extension is approved.
``docs/hotline-12345.md`` has the table.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from services.notify.plan import Situation
from shared.cases.catalogue.notify import HotlineFeedbackIssued, HotlineStatus, PlannedDelivery
from shared.cases.row import CaseRow
from shared.events.payload import EventPayload

HOTLINE_SOURCE = "hotline_12345"
HOTLINE_CHANNEL = "hotline"


def _first_acknowledgement(s: Situation, history: Collection[str]) -> dict[str, Any] | None:
    if "OrderAcknowledged" in history:
        return None
    return {
        "status": "签收",
        "level": s.event.payload["level"],
        "unit_code": s.case.get("holder_unit_code"),
    }


def _moved_up(s: Situation, _history: Collection[str]) -> dict[str, Any] | None:
    return {"status": "办理中", "level": s.event.payload["to_level"]}


def _attempted(s: Situation, _history: Collection[str]) -> dict[str, Any] | None:
    p = s.event.payload
    return {
        "status": "办理中",
        "level": p["level"],
        "result_text": f"mediation attempt: {p['result']}",
    }


def _resolved(s: Situation, _history: Collection[str]) -> dict[str, Any] | None:
    p = s.event.payload
    return {
        "status": "办结",
        "level": p.get("level"),
        "unit_code": p.get("unit_code"),
        "outcome": p["outcome"],
        "result_text": p.get("result_text"),
    }


def _followed_up(s: Situation, _history: Collection[str]) -> dict[str, Any] | None:
    p = s.event.payload
    return {"status": "回访", "satisfied": p["satisfied"], "result_text": p.get("note")}


def _reopened(s: Situation, _history: Collection[str]) -> dict[str, Any] | None:
    return {"status": "办理中", "level": s.event.payload["level"], "result_text": "reopened"}


def _rejected(s: Situation, _history: Collection[str]) -> dict[str, Any] | None:
    return {"status": "退单", "reason": s.event.payload.get("reason")}


def _extended(s: Situation, _history: Collection[str]) -> dict[str, Any] | None:
    p = s.event.payload
    return {"status": "延期", "level": p["level"], "deadline_at": p["deadline_at"]}


FEEDBACK: dict[str, Callable[[Situation, Collection[str]], dict[str, Any] | None]] = {
    "OrderAcknowledged": _first_acknowledgement,
    "CaseEscalated": _moved_up,
    "MediationAttemptRecorded": _attempted,
    "CaseResolved": _resolved,
    "FollowUpRecorded": _followed_up,
    "CaseReopened": _reopened,
    "CaseRejected": _rejected,
    "ExtensionApproved": _extended,
}
"""Event type -> what the hotline is told (see the table in docs/hotline-12345.md)."""


def is_hotline_case(case: CaseRow) -> bool:
    return case.get("source") == HOTLINE_SOURCE and bool(case.get("external_ref"))


def plan_feedback(s: Situation, *, earlier_types: Collection[str]) -> list[EventPayload]:
    """``earlier_types``: the event types the case had before this event."""
    make = FEEDBACK.get(s.event.event_type)
    if make is None or not is_hotline_case(s.case) or HOTLINE_CHANNEL not in s.channels:
        return []
    fields = make(s, earlier_types)
    if fields is None:
        return []
    number = str(s.case["external_ref"])  # a hotline case has one (is_hotline_case)
    return [issued(s, fields, work_order_no=number, notice_id=f"{s.event.event_id}.h")]


def issued(
    s: Situation, fields: dict[str, Any], *, work_order_no: str, notice_id: str
) -> HotlineFeedbackIssued:
    """The feedback for one work order: ``fields`` as a ``FEEDBACK`` entry made them."""
    values = dict(fields)
    status: HotlineStatus = values.pop("status")
    return HotlineFeedbackIssued(
        notice_id=notice_id,
        work_order_no=work_order_no,
        status=status,
        case_number=s.case["number"],
        occurred_at=s.event.occurred_at,
        deliveries=(
            PlannedDelivery(delivery_id=f"{notice_id}.{HOTLINE_CHANNEL}", channel=HOTLINE_CHANNEL),
        ),
        **values,
    )
