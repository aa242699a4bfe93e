"""Who is told about the requests and notices around the ladder (RULES.md §3b): no I/O.

Warnings (预警) go to the holder and the level above; an extension request (延期) to the
unit that decides it, its decision to the holder; a bounce-back (退单) and a lapsed
arbitration to the county centre, its decision to the unit that bounced; a chase notice
(催办) to the holder.
"""

from __future__ import annotations

from collections.abc import Callable

from services.notify.plan import Situation, notice
from shared.cases.catalogue.notify import DispatchOrderIssued

Notices = list[DispatchOrderIssued | None]


def _order(s: Situation) -> str | None:
    order = s.event.payload.get("order_id") or s.case["details"].get("order_id")
    return str(order) if order else None


def on_pre_breach_warning(s: Situation) -> Notices:
    p = s.event.payload
    holder = notice(
        s,
        0,
        purpose="pre_breach_warning",
        unit_code=p["unit_code"],
        order_id=_order(s),
        deadline_at=p["deadline_at"],
    )
    above = notice(
        s,
        1,
        purpose="pre_breach_warning",
        unit_code=p.get("warn_unit_code"),
        order_id=_order(s),
        deadline_at=p["deadline_at"],
        show_parties=False,
    )
    return [holder, above]


def on_extension_requested(s: Situation) -> Notices:
    p = s.event.payload
    return [
        notice(
            s,
            0,
            purpose="extension_request",
            unit_code=p["approver_unit_code"],
            order_id=_order(s),
            deadline_at=p["requested_deadline_at"],
            show_parties=False,
        )
    ]


def on_extension_decided(s: Situation) -> Notices:
    p = s.event.payload
    deadline = p.get("deadline_at") or s.case.get("deadline_at")
    return [
        notice(
            s,
            0,
            purpose="extension_decision",
            unit_code=p["unit_code"],
            order_id=_order(s),
            deadline_at=deadline,
        )
    ]


def on_bounced_back(s: Situation) -> Notices:
    p = s.event.payload
    return [
        notice(
            s,
            0,
            purpose="bounce_back",
            unit_code=s.tree.county.code,
            order_id=_order(s),
            deadline_at=p["arbitration_due_at"],
            show_parties=False,
        )
    ]


def on_bounce_decided(s: Situation) -> Notices:
    p = s.event.payload
    unit = p.get("from_unit_code") or p["unit_code"]
    return [
        notice(
            s,
            0,
            purpose="bounce_back_decision",
            unit_code=unit,
            order_id=_order(s),
            show_parties=False,
        )
    ]


def on_arbitration_lapsed(s: Situation) -> Notices:
    p = s.event.payload
    return [
        notice(
            s,
            0,
            purpose="arbitration_lapsed",
            unit_code=s.tree.county.code,
            order_id=_order(s),
            deadline_at=p["due_at"],
            show_parties=False,
        )
    ]


def on_chase(s: Situation) -> Notices:
    p = s.event.payload
    return [notice(s, 0, purpose="chase", unit_code=p["unit_code"], order_id=_order(s))]


PRACTICE_PLANNERS: dict[str, Callable[[Situation], Notices]] = {
    "PreBreachWarningIssued": on_pre_breach_warning,
    "ExtensionRequested": on_extension_requested,
    "ExtensionApproved": on_extension_decided,
    "ExtensionRefused": on_extension_decided,
    "OrderBouncedBack": on_bounced_back,
    "BounceBackConfirmed": on_bounce_decided,
    "BounceBackReassigned": on_bounce_decided,
    "BounceBackArbitrationLapsed": on_arbitration_lapsed,
    "ChaseNoticeIssued": on_chase,
}
