"""``evolve`` for the requests and notices around the ladder (预警, 延期, 退单, 催办;
RULES.md §3b): the ladder state after each one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from services.escalation.ladder.context import timer_kind
from services.escalation.ladder.state import LadderState, PendingBounceBack, PendingExtension


def _spent(state: LadderState, timer: str) -> frozenset[str]:
    return state.live_timers - {timer}


def planned(state: LadderState, timers: tuple[Any, ...]) -> dict[str, Any]:
    """Counts the timers an event planned, and notes a re-planned warning's due time."""
    warning = next((t.due_at for t in timers if t.kind == "warning"), state.warning_due_at)
    return {"planned": state.planned + len(timers), "warning_due_at": warning}


def _more(state: LadderState, timers: tuple[Any, ...], *, dropping: set[str]) -> dict[str, Any]:
    """The live timers without the kinds an event replaces, plus the ones it planned."""
    kept = frozenset(t for t in state.live_timers if timer_kind(t) not in dropping)
    return {"live_timers": kept | {t.timer_id for t in timers}, **planned(state, timers)}


def _warned(state: LadderState, e: Any) -> LadderState:
    return replace(state, warned=True, live_timers=_spent(state, e.timer_id))


def _chased(state: LadderState, e: Any) -> LadderState:
    return replace(state, live_timers=_spent(state, e.timer_id))


def _extension_requested(state: LadderState, e: Any) -> LadderState:
    pending = PendingExtension(e.request_id, e.requested_deadline_at)
    return replace(
        state, extension_requests=state.extension_requests + 1, pending_extension=pending
    )


def _extension_approved(state: LadderState, e: Any) -> LadderState:
    return replace(
        state,
        deadline_at=e.deadline_at,
        ladder_version=e.ladder_version,
        extensions_approved=state.extensions_approved + 1,
        pending_extension=None,
        **_more(state, e.timers, dropping={"deadline", "supervision", "warning"}),
    )


def _extension_refused(state: LadderState, e: Any) -> LadderState:
    return replace(state, pending_extension=None)


def _bounced_back(state: LadderState, e: Any) -> LadderState:
    pending = PendingBounceBack(e.order_id, e.bounced_at, e.arbitration_due_at)
    return replace(state, bounce_back=pending, **_more(state, e.timers, dropping=set()))


def _bounce_decided(state: LadderState, e: Any) -> LadderState:
    live = frozenset(t for t in state.live_timers if timer_kind(t) != "arbitration")
    return replace(state, bounce_back=None, live_timers=live)


def _arbitration_lapsed(state: LadderState, e: Any) -> LadderState:
    return replace(state, live_timers=_spent(state, e.timer_id))


REQUEST_EVOLVERS: dict[str, Callable[[LadderState, Any], LadderState]] = {
    "PreBreachWarningIssued": _warned,
    "ChaseNoticeIssued": _chased,
    "ExtensionRequested": _extension_requested,
    "ExtensionApproved": _extension_approved,
    "ExtensionRefused": _extension_refused,
    "OrderBouncedBack": _bounced_back,
    "BounceBackConfirmed": _bounce_decided,
    "BounceBackReassigned": _bounce_decided,
    "BounceBackArbitrationLapsed": _arbitration_lapsed,
}
