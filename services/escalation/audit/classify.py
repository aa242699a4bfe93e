"""Classify every timer of a case from its stream alone (no I/O).

The stream is folded with the ladder's own ``evolve``. A timer is *planned* by the event
whose ``timers`` name it, and is *live* while the ladder state holds it. It then ends in
one of these ways:

* ``fired``: an event keyed ``timer:<id>`` (a firing) was recorded; lateness is the
  firing's time stamp minus the due time.
* ``cancelled``: another event took it out of the live set before it came due (a pause, an
  acknowledgement, an escalation, a resolution...): it rightly never fired.
* ``missed``: it came due while live, and either another event took it out of the live set
  after its due time without it firing, or it is still live ``grace`` after its due time.
* ``pending``: still live, not due yet, or due less than ``grace`` ago.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from services.escalation.ladder.evolve import evolve
from services.escalation.ladder.state import LadderState
from shared.events.envelope import EventEnvelope
from shared.events.registry import REGISTRY

Outcome = Literal["fired", "cancelled", "missed", "pending"]
FIRING_PREFIX = "timer:"


@dataclass(frozen=True)
class TimerRecord:
    timer_id: str
    case_id: str
    kind: str
    due_at: datetime
    planned_at: datetime
    fired_at: datetime | None = None
    ended_at: datetime | None = None
    """When another event took it out of the live set (None: fired or still live)."""

    def outcome(self, now: datetime, grace: timedelta) -> Outcome:
        if self.fired_at is not None:
            return "fired"
        if self.ended_at is not None:
            return "cancelled" if self.ended_at < self.due_at else "missed"
        return "missed" if self.due_at + grace <= now else "pending"

    @property
    def late_seconds(self) -> float | None:
        if self.fired_at is None:
            return None
        return (self.fired_at - self.due_at).total_seconds()


def _firing(event: EventEnvelope) -> str | None:
    key = event.idempotency_key or ""
    return key[len(FIRING_PREFIX) :] if key.startswith(FIRING_PREFIX) else None


def audit_stream(case_id: str, stream: Iterable[EventEnvelope]) -> list[TimerRecord]:
    """Every timer the case's events planned, with how it ended (in planning order)."""
    state = LadderState(case_id=case_id)
    records: dict[str, TimerRecord] = {}
    for event in stream:
        if not REGISTRY.knows(event.event_type):
            continue
        payload = event.decode()
        for timer in getattr(payload, "timers", ()):
            if timer.timer_id not in records:
                records[timer.timer_id] = TimerRecord(
                    timer.timer_id, case_id, timer.kind, timer.due_at, event.occurred_at
                )
        before = state.live_timers
        state = evolve(state, payload)
        fired = _firing(event)
        if fired in records and records[fired].fired_at is None:
            records[fired] = replace(records[fired], fired_at=event.occurred_at)
        for gone in before - state.live_timers:
            record = records.get(gone)
            if record is not None and record.fired_at is None and record.ended_at is None:
                records[gone] = replace(record, ended_at=event.occurred_at)
    return list(records.values())
