"""Events of the escalation ladder (四级闭环). Each future wake-up travels as a timer."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.events.payload import EventPayload
from shared.events.registry import register_event
from shared.org.levels import Level
from shared.vocabulary import Tier

TimerKind = Literal[
    "deadline", "ack", "supervision", "follow_up", "warning", "chase", "arbitration"
]
EscalationReason = Literal["deadline", "early_request", "tier_rise"]


class TimerRequest(BaseModel):
    """A wake-up for the timer stream; its id tells a current timer from a stale one."""

    model_config = ConfigDict(frozen=True)

    timer_id: str
    kind: TimerKind
    due_at: datetime


@register_event
class CaseAssigned(EventPayload):
    """The case is held by a unit at a level, with a dispatch order (派单) and a deadline."""

    event_type = "CaseAssigned"

    level: Level
    unit_code: str
    tier: Tier
    assignment: int
    order_id: str
    assigned_at: datetime
    deadline_at: datetime
    ack_due_at: datetime
    ladder_version: str
    cause: Literal["triage", "deadline", "early_request", "tier_rise", "reopen", "reassigned"]
    ruleset_version: str | None = None
    """The triage rule set that produced the tier; None on events written before pinning."""
    timers: tuple[TimerRequest, ...]


@register_event
class DeadlineReached(EventPayload):
    event_type = "DeadlineReached"

    level: Level
    unit_code: str
    deadline_at: datetime
    timer_id: str


@register_event
class CaseEscalated(EventPayload):
    event_type = "CaseEscalated"

    from_level: Level
    to_level: Level
    reason: EscalationReason
    overdue: bool
    """True when the level missed its deadline (marked overdue at that level)."""


@register_event
class SupervisionRaised(EventPayload):
    """At the county the case never leaves; the centre's leaders supervise it (督办)."""

    event_type = "SupervisionRaised"

    count: int
    unit_code: str
    next_due_at: datetime
    timers: tuple[TimerRequest, ...]


@register_event
class ClockPaused(EventPayload):
    event_type = "ClockPaused"

    reason: str
    paused_at: datetime
    remaining_seconds: float
    by: str


@register_event
class ClockResumed(EventPayload):
    event_type = "ClockResumed"

    resumed_at: datetime
    paused_seconds: float
    deadline_at: datetime
    timers: tuple[TimerRequest, ...]
    by: str
    reason: str = ""


@register_event
class MediationAttemptRecorded(EventPayload):
    event_type = "MediationAttemptRecorded"

    level: Level
    result: Literal["failed", "succeeded", "partial"]
    note: str
    by: str
    recorded_at: datetime | None = None
    """None on events written before it was stamped."""
    timers: tuple[TimerRequest, ...] = ()
    """The chase notice (催办) timer counted from here; none on events written before it."""


@register_event
class OrderAcknowledged(EventPayload):
    """签收: the unit confirmed it received the dispatch order."""

    event_type = "OrderAcknowledged"

    order_id: str
    level: Level
    acknowledged_at: datetime
    by: str
    timers: tuple[TimerRequest, ...] = ()
    """The chase notice (催办) timer counted from here; none on events written before it."""


@register_event
class AcknowledgementLapsed(EventPayload):
    """Not acknowledged in time: re-send to the backup contact and warn the level above."""

    event_type = "AcknowledgementLapsed"

    order_id: str
    level: Level
    unit_code: str
    resend_to_backup: bool
    warn_unit_code: str | None


@register_event
class CaseResolved(EventPayload):
    """化解: resolved at a level with an outcome; the ladder stops, the follow-up is due."""

    event_type = "CaseResolved"

    level: Level
    unit_code: str
    outcome: Literal["mediated", "litigation", "line_department", "withdrawn"]
    judicial_confirmation: bool = False
    """司法确认 of a mediated agreement."""
    result_text: str
    resolved_at: datetime
    by: str
    follow_up_due_at: datetime | None = None
    """When the follow-up visit (回访) is due; None on events written before it was timed."""
    timers: tuple[TimerRequest, ...] = ()


@register_event
class FollowUpDue(EventPayload):
    """The follow-up visit was not recorded by its due time: it is overdue from now on."""

    event_type = "FollowUpDue"

    level: Level
    unit_code: str
    due_at: datetime
    timer_id: str
    overdue: bool = True


@register_event
class FollowUpRecorded(EventPayload):
    """回访: whether the parties are satisfied with the resolution."""

    event_type = "FollowUpRecorded"

    satisfied: bool
    note: str
    recorded_at: datetime
    by: str


@register_event
class CaseClosed(EventPayload):
    """结案 after a satisfied follow-up."""

    event_type = "CaseClosed"

    closed_at: datetime


@register_event
class CaseReopened(EventPayload):
    """An unsatisfied follow-up reopens the case where it was resolved, one tier up."""

    event_type = "CaseReopened"

    level: Level
    tier: Tier
    reason: str
