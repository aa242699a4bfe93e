"""``evolve(state, event) -> state``: the ladder state after one event of the case."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

import shared.cases.catalogue
from services.escalation.ladder.context import timer_kind
from services.escalation.ladder.evolve_requests import REQUEST_EVOLVERS, planned
from services.escalation.ladder.state import LadderState
from shared.events.envelope import EventEnvelope
from shared.events.payload import EventPayload
from shared.events.registry import REGISTRY
from shared.vocabulary import Tier

# The fold decodes other services' events too: register their schemas in this process,
# which may run alone (an unknown type would be skipped and the state would be wrong).
SCHEMAS = shared.cases.catalogue
CLOCK_KINDS = {"deadline", "supervision"}
PROGRESS_KINDS = {"warning", "chase"}
"""Timers a pause stops as well: re-planned when the clock resumes."""


def _warning_due(timers: Iterable[Any]) -> datetime | None:
    return next((t.due_at for t in timers if t.kind == "warning"), None)


def _without(state: LadderState, kinds: set[str], *also: str) -> frozenset[str]:
    return frozenset(t for t in state.live_timers if timer_kind(t) not in kinds and t not in also)


def _tier(state: LadderState, e: Any) -> LadderState:
    return replace(state, tier=Tier(e.tier), ruleset_version=getattr(e, "ruleset_version", None))


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
        assigned_at=e.assigned_at,
        ladder_version=e.ladder_version,
        planned=len(e.timers),
        warning_due_at=_warning_due(e.timers),
        warned=False,
        last_progress_at=None,
        extension_requests=0,
        extensions_approved=0,
        pending_extension=None,
        bounce_back=None,
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
        live_timers=_without(state, CLOCK_KINDS | PROGRESS_KINDS),
        last_progress_at=e.paused_at,
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
        last_progress_at=e.resumed_at,
        **planned(state, e.timers),
    )


def _attempted(state: LadderState, e: Any) -> LadderState:
    failed = state.failed_attempts + (1 if e.result == "failed" else 0)
    progress = e.recorded_at or state.last_progress_at
    if not e.timers:
        return replace(state, failed_attempts=failed, last_progress_at=progress)
    live = _without(state, {"chase"}) | {t.timer_id for t in e.timers}
    return replace(
        state,
        failed_attempts=failed,
        last_progress_at=progress,
        live_timers=live,
        **planned(state, e.timers),
    )


def _acknowledged(state: LadderState, e: Any) -> LadderState:
    live = _without(state, {"ack"}) | {t.timer_id for t in e.timers}
    return replace(
        state,
        acknowledged=True,
        live_timers=live,
        last_progress_at=e.acknowledged_at,
        **planned(state, e.timers),
    )


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


def _folded(state: LadderState, e: Any) -> LadderState:
    """A folded report stops: its order and timers lapse, the incident's case runs the clock."""
    return replace(
        state,
        folded_into=e.into_case_id,
        level=None,
        unit_code=None,
        order_id=None,
        deadline_at=None,
        ack_due_at=None,
        live_timers=frozenset(),
        paused_at=None,
        remaining_seconds=None,
    )


def _unfolded(state: LadderState, e: Any) -> LadderState:
    return replace(state, folded_into=None)


EVOLVERS: dict[str, Callable[[LadderState, Any], LadderState]] = {
    **REQUEST_EVOLVERS,
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
    "ReportFolded": _folded,
    "ReportUnfolded": _unfolded,
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
