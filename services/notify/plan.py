"""Who is told what, decided from one case event and the case's history: no I/O.

One function per kind of cause. Each notice gets an id derived from the event that caused
it, and each of its deliveries (one per channel the recipient prefers) an id derived from
the notice, so planning the same event twice plans the same deliveries.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Literal

from shared.cases.catalogue.notify import DispatchOrderIssued, PlannedDelivery, Purpose
from shared.cases.row import CaseRow
from shared.events.envelope import EventEnvelope
from shared.org.models import Contact
from shared.org.tree import OrgTree


@dataclass(frozen=True)
class Situation:
    """What planning reads: the event, the case as of that event, the tree, the channels."""

    event: EventEnvelope
    case: CaseRow
    tree: OrgTree
    channels: Collection[str]

    def notice_id(self, index: int) -> str:
        return f"{self.event.event_id}.{index}"


def deliveries_for(
    contact: Contact, notice_id: str, channels: Collection[str]
) -> tuple[PlannedDelivery, ...]:
    """The contact's preferred channels that this deployment can deliver on."""
    usable = [
        name
        for name in dict.fromkeys(contact.channels)
        if name in channels and (name != "webhook" or contact.webhook_url)
    ]
    return tuple(
        PlannedDelivery(delivery_id=f"{notice_id}.{name}", channel=name) for name in usable
    )


def notice(
    s: Situation,
    index: int,
    *,
    purpose: Purpose,
    unit_code: str | None,
    recipient: Literal["primary", "backup"] = "primary",
    order_id: str | None = None,
    show_parties: bool = True,
    deadline_at: Any = None,
    ack_due_at: Any = None,
    summary: str | None = None,
) -> DispatchOrderIssued | None:
    unit = s.tree.get(unit_code) if unit_code else None
    if unit is None:
        return None
    contact = unit.backup if recipient == "backup" else unit.primary
    notice_id = s.notice_id(index)
    return DispatchOrderIssued(
        notice_id=notice_id,
        purpose=purpose,
        order_id=order_id,
        unit_code=unit.code,
        level=unit.level,
        recipient=recipient,
        team=unit.team,
        case_number=s.case["number"],
        tier=s.case.get("tier"),
        category=s.case.get("category"),
        summary=summary if summary is not None else s.case["title"],
        deadline_at=deadline_at if deadline_at is not None else s.case.get("deadline_at"),
        ack_due_at=ack_due_at,
        show_parties=show_parties,
        deliveries=deliveries_for(contact, notice_id, s.channels),
    )


def on_assigned(s: Situation) -> list[DispatchOrderIssued | None]:
    p = s.event.payload
    return [
        notice(
            s,
            0,
            purpose="order",
            unit_code=p["unit_code"],
            order_id=p["order_id"],
            deadline_at=p["deadline_at"],
            ack_due_at=p["ack_due_at"],
        )
    ]


def on_ack_lapsed(s: Situation) -> list[DispatchOrderIssued | None]:
    """Re-send the order to the backup contact and warn the level above (网格预警)."""
    p = s.event.payload
    notices: list[DispatchOrderIssued | None] = []
    if p.get("resend_to_backup"):
        notices.append(
            notice(
                s,
                0,
                purpose="resend_backup",
                unit_code=p["unit_code"],
                recipient="backup",
                order_id=p["order_id"],
            )
        )
    if p.get("warn_unit_code"):
        notices.append(
            notice(
                s,
                1,
                purpose="warning",
                unit_code=p["warn_unit_code"],
                order_id=p["order_id"],
                show_parties=False,
            )
        )
    return notices


def on_supervision(s: Situation) -> list[DispatchOrderIssued | None]:
    """督办: the county centre's leaders are told the case is still open."""
    p = s.event.payload
    return [
        notice(
            s,
            0,
            purpose="supervision",
            unit_code=p["unit_code"],
            order_id=s.case["details"].get("order_id"),
            deadline_at=p["next_due_at"],
        )
    ]


def on_resolved(s: Situation) -> list[DispatchOrderIssued | None]:
    """The holder learns the case is resolved, so its order is done."""
    p = s.event.payload
    return [
        notice(
            s,
            0,
            purpose="closure",
            unit_code=p.get("unit_code"),
            order_id=s.case["details"].get("order_id"),
            show_parties=False,
        )
    ]


LADDER_PLANNERS: dict[str, Callable[[Situation], list[DispatchOrderIssued | None]]] = {
    "CaseAssigned": on_assigned,
    "AcknowledgementLapsed": on_ack_lapsed,
    "SupervisionRaised": on_supervision,
    "CaseResolved": on_resolved,
}
