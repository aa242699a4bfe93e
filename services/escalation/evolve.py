"""``evolve(state, event) -> state``: the ladder state after one event of the case."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import services.escalation.events
import services.intake.events
import services.triage.events
from services.escalation.rules import timer_kind
from services.escalation.state import LadderState
from shared.events.envelope import EventEnvelope
from shared.events.payload import EventPayload
from shared.events.registry import REGISTRY
from shared.vocabulary import Tier

# The fold decodes other services' events too: register their schemas in this process,
# which may run alone (an unknown type would be skipped and the state would be wrong).
SCHEMAS = (services.escalation.events, services.intake.events, services.triage.events)
CLOCK_KINDS = {"deadline", "supervision"}


def _without(state: LadderState, kinds: set[str], *also: str) -> frozenset[str]:
    return frozenset(t for t in state.live_timers if timer_kind(t) not in kinds and t not in also)


def _tier(state: LadderState, e: Any) -> LadderState:
    return replace(state, tier=Tier(e.tier))


def _assigned(state: LadderState, e: Any) -> LadderState:
    return replace(
        state,
        tier=e.tier,
        level=e.level,
        unit_code=e.unit_code,
        assignment=e.assignment,
        order_id=e.order_id,
        deadline_at=e.deadline_at,
        ack_due_at=e.ack_due_at,
        acknowledged=False,
        live_timers=frozenset(t.timer_id for t in e.timers),
        paused_at=None,
        remaining_seconds=None,
        paused_seconds=0.0,
        resumes=0,
        failed_attempts=0,
        supervision_count=0,
    )


def _deadline_reached(state: LadderState, e: Any) -> LadderState:
    return replace(state, live_timers=state.live_timers - {e.timer_id})


def _escalated(state: LadderState, e: Any) -> LadderState:
    overdue = (*state.overdue_levels, e.from_level) if e.overdue else state.overdue_levels
    return replace(state, overdue_levels=overdue)


def _supervised(state: LadderState, e: Any) -> LadderState:
    timers = _without(state, CLOCK_KINDS) | {t.timer_id for t in e.timers}
    return replace(
        state, supervision_count=e.count, deadline_at=e.next_due_at, live_timers=frozenset(timers)
    )


def _paused(state: LadderState, e: Any) -> LadderState:
    return replace(
        state,
        paused_at=e.paused_at,
        remaining_seconds=e.remaining_seconds,
        live_timers=_without(state, CLOCK_KINDS),
    )


def _resumed(state: LadderState, e: Any) -> LadderState:
    return replace(
        state,
        paused_at=None,
        remaining_seconds=None,
        resumes=state.resumes + 1,
        paused_seconds=state.paused_seconds + e.paused_seconds,
        deadline_at=e.deadline_at,
        live_timers=state.live_timers | {t.timer_id for t in e.timers},
    )


def _attempted(state: LadderState, e: Any) -> LadderState:
    failed = state.failed_attempts + (1 if e.result == "failed" else 0)
    return replace(state, failed_attempts=failed)


def _acknowledged(state: LadderState, e: Any) -> LadderState:
    return replace(state, acknowledged=True, live_timers=_without(state, {"ack"}))


def _ack_lapsed(state: LadderState, e: Any) -> LadderState:
    return replace(state, live_timers=_without(state, {"ack"}))


def _resolved(state: LadderState, e: Any) -> LadderState:
    return replace(
        state,
        closed=True,
        live_timers=frozenset(t.timer_id for t in e.timers),
        resolved_level=e.level,
        follow_up_due_at=e.follow_up_due_at,
        follow_up_overdue=False,
    )


def _follow_up_due(state: LadderState, e: Any) -> LadderState:
    return replace(state, follow_up_overdue=True, live_timers=state.live_timers - {e.timer_id})


def _visited(state: LadderState, e: Any) -> LadderState:
    return replace(state, live_timers=_without(state, {"follow_up"}))


def _finished(state: LadderState, e: Any) -> LadderState:
    return replace(state, closed=True, finished=True, live_timers=frozenset())


def _reopened(state: LadderState, e: Any) -> LadderState:
    return replace(
        state,
        closed=False,
        resolved_level=None,
        tier=e.tier,
        follow_up_due_at=None,
        follow_up_overdue=False,
    )


EVOLVERS: dict[str, Callable[[LadderState, Any], LadderState]] = {
    "CaseTriaged": _tier,
    "TierOverridden": _tier,
    "CaseAssigned": _assigned,
    "DeadlineReached": _deadline_reached,
    "CaseEscalated": _escalated,
    "SupervisionRaised": _supervised,
    "ClockPaused": _paused,
    "ClockResumed": _resumed,
    "MediationAttemptRecorded": _attempted,
    "OrderAcknowledged": _acknowledged,
    "AcknowledgementLapsed": _ack_lapsed,
    "CaseResolved": _resolved,
    "FollowUpDue": _follow_up_due,
    "FollowUpRecorded": _visited,
    "CaseClosed": _finished,
    "CaseRejected": _finished,
    "CaseReopened": _reopened,
}


def evolve(state: LadderState, event: EventPayload) -> LadderState:
    handler = EVOLVERS.get(event.event_type)
    return handler(state, event) if handler else state


def fold(case_id: str, events: Iterable[EventEnvelope]) -> LadderState:
    """The state of a case from its stream (event types this service does not know are skipped)."""
    state = LadderState(case_id=case_id)
    for envelope in events:
        if envelope.event_type in EVOLVERS and REGISTRY.knows(envelope.event_type):
            state = evolve(state, envelope.decode())
    return state
