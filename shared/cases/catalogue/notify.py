"""Events of notify: orders and notices issued, each delivery's attempts and outcome.

A notice is issued once per cause (deterministic ids); each of its deliveries (one per
channel of the recipient) carries a ``delivery_id`` that is also the idempotency key the
receiver sees on every attempt, so a receiver can always deduplicate.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.events.payload import EventPayload
from shared.events.registry import register_event
from shared.org.levels import Level

Purpose = Literal[
    "order",
    "resend_backup",
    "warning",
    "supervision",
    "closure",
    "pre_breach_warning",
    "extension_request",
    "extension_decision",
    "bounce_back",
    "bounce_back_decision",
    "arbitration_lapsed",
    "chase",
    "hotspot_warning",
    "duplicate_proposal",
]
HotlineStatus = Literal["签收", "办理中", "办结", "回访", "退单", "延期"]


class PlannedDelivery(BaseModel):
    model_config = ConfigDict(frozen=True)

    delivery_id: str
    channel: str


@register_event
class DispatchOrderIssued(EventPayload):
    """A dispatch order (派单) or a notice about one, for one recipient of one unit."""

    event_type = "DispatchOrderIssued"

    notice_id: str
    purpose: Purpose
    order_id: str | None
    unit_code: str
    level: Level
    recipient: Literal["primary", "backup"]
    team: str
    case_number: str
    tier: str | None
    category: str | None
    summary: str
    deadline_at: datetime | None
    ack_due_at: datetime | None
    show_parties: bool
    """The holding unit sees the parties; a unit that is only warned does not."""
    deliveries: tuple[PlannedDelivery, ...]


@register_event
class HotlineFeedbackIssued(EventPayload):
    """A status change the 12345 hotline expects for its work order (工单), in its words."""

    event_type = "HotlineFeedbackIssued"

    notice_id: str
    work_order_no: str
    status: HotlineStatus
    case_number: str
    level: Level | None = None
    unit_code: str | None = None
    outcome: str | None = None
    result_text: str | None = None
    satisfied: bool | None = None
    reason: str | None = None
    deadline_at: datetime | None = None
    """The new deadline of an approved extension (延期)."""
    occurred_at: datetime
    deliveries: tuple[PlannedDelivery, ...]


@register_event
class DispatchOrderDelivered(EventPayload):
    event_type = "DispatchOrderDelivered"

    delivery_id: str
    notice_id: str
    channel: str
    attempts: int
    delivered_at: datetime
    status_code: int | None = None


@register_event
class DeliveryAttemptFailed(EventPayload):
    """One failed attempt; another follows after ``retry_in_seconds``."""

    event_type = "DeliveryAttemptFailed"

    delivery_id: str
    channel: str
    attempt: int
    reason: str
    retry_in_seconds: float


@register_event
class DeliveryFailed(EventPayload):
    """Given up after the configured total time; a supervisor can re-drive it."""

    event_type = "DeliveryFailed"

    delivery_id: str
    notice_id: str
    channel: str
    attempts: int
    reason: str
    failed_at: datetime


@register_event
class DeliveryRetryRequested(EventPayload):
    """A person asked to deliver a failed delivery again (same idempotency key)."""

    event_type = "DeliveryRetryRequested"

    delivery_id: str
    by: str
    requested_at: datetime
