"""Events of the requests and notices around the ladder (RULES.md §3b).

Pre-breach warnings (预警), extensions (延期), bounce-backs (退单 by a unit) with the county
centre's arbitration, and chase notices (催办). Each timed rule travels as a timer on the
timer stream, like the ladder's own deadlines.
"""

from __future__ import annotations

from datetime import datetime

from shared.cases.catalogue.escalation import TimerRequest
from shared.events.payload import EventPayload
from shared.events.registry import register_event
from shared.org.levels import Level


@register_event
class PreBreachWarningIssued(EventPayload):
    """预警: most of the level's time limit has passed and the case is still open there."""

    event_type = "PreBreachWarningIssued"

    level: Level
    unit_code: str
    warn_unit_code: str | None
    """The level above, warned beside the holder; None at the county."""
    deadline_at: datetime
    timer_id: str
    ladder_version: str


@register_event
class ExtensionRequested(EventPayload):
    """延期 asked for before the level's deadline, with a reason and the new deadline."""

    event_type = "ExtensionRequested"

    request_id: str
    level: Level
    unit_code: str
    approver_unit_code: str
    """The level above, which approves or refuses."""
    reason: str
    current_deadline_at: datetime
    requested_deadline_at: datetime
    requested_at: datetime
    by: str


@register_event
class ExtensionApproved(EventPayload):
    event_type = "ExtensionApproved"

    request_id: str
    level: Level
    unit_code: str
    previous_deadline_at: datetime
    deadline_at: datetime
    approved_at: datetime
    by: str
    ladder_version: str
    timers: tuple[TimerRequest, ...]


@register_event
class ExtensionRefused(EventPayload):
    event_type = "ExtensionRefused"

    request_id: str
    level: Level
    unit_code: str
    reason: str
    refused_at: datetime
    by: str


@register_event
class OrderBouncedBack(EventPayload):
    """退单 by a unit: the order is not its responsibility; the county centre arbitrates."""

    event_type = "OrderBouncedBack"

    order_id: str
    level: Level
    unit_code: str
    reason: str
    bounced_at: datetime
    arbitration_due_at: datetime
    by: str
    timers: tuple[TimerRequest, ...]


@register_event
class BounceBackConfirmed(EventPayload):
    """The centre keeps the case at the unit: the clock never stopped, the lost time is its."""

    event_type = "BounceBackConfirmed"

    order_id: str
    level: Level
    unit_code: str
    note: str
    lost_seconds: float
    decided_at: datetime
    by: str


@register_event
class BounceBackReassigned(EventPayload):
    """The centre moves the case; a ``CaseAssigned`` (cause ``reassigned``) follows."""

    event_type = "BounceBackReassigned"

    order_id: str
    level: Level
    from_unit_code: str
    to_unit_code: str
    note: str
    decided_at: datetime
    by: str


@register_event
class BounceBackArbitrationLapsed(EventPayload):
    """The centre did not decide within its window; its leaders are told."""

    event_type = "BounceBackArbitrationLapsed"

    order_id: str
    level: Level
    unit_code: str
    due_at: datetime
    timer_id: str


@register_event
class ChaseNoticeIssued(EventPayload):
    """催办: an acknowledged order shows no recorded progress for half the time limit."""

    event_type = "ChaseNoticeIssued"

    order_id: str
    level: Level
    unit_code: str
    idle_since: datetime
    timer_id: str
