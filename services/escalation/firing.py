"""Plan the firing of a case's due timers in memory, from one read of its stream.

The stream is folded once; each due timer, in due order, is decided on the state the
previous one left (its events evolved in memory, not read back), and becomes one append
request keyed ``timer:<id>`` and fenced on the version it was decided on. A stale timer
(the case moved on) plans nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.escalation.ladder.commands import FireTimer
from services.escalation.ladder.context import Refused
from services.escalation.ladder.decide import decide
from services.escalation.ladder.evolve import evolve, fold
from services.escalation.service import PRODUCER, CaseNotFound, Ladder, unit_path
from shared.events.codec import encode_unrecorded
from shared.events.envelope import EventEnvelope, new_events
from shared.log.port import AppendRequest

FIRED, STALE, REFUSED = "fired", "stale", "refused"


def timer_key(timer_id: str) -> str:
    return f"timer:{timer_id}"


@dataclass(frozen=True)
class PlannedFiring:
    timer_id: str
    request: AppendRequest | None
    """None when the timer is stale or its decision was refused."""
    outcome: str


def plan_case(
    ladder: Ladder, case_id: str, stream: list[EventEnvelope], timer_ids: Sequence[str]
) -> list[PlannedFiring]:
    """The firings of one case's due timers (given in due order)."""
    if not stream:
        return [PlannedFiring(t, None, STALE) for t in timer_ids]
    try:
        _, path = unit_path(stream, ladder.tree)
    except CaseNotFound:
        return [PlannedFiring(t, None, REFUSED) for t in timer_ids]
    state = fold(case_id, stream)
    version, cause = stream[-1].sequence, stream[-1]
    now = ladder.clock.now()
    planned: list[PlannedFiring] = []
    for timer_id in timer_ids:
        try:
            payloads = decide(
                FireTimer(timer_id=timer_id, unit_path=path),
                state,
                now=now,
                settings=ladder.settings,
                calendar=ladder.calendar,
            )
        except Refused:
            planned.append(PlannedFiring(timer_id, None, REFUSED))
            continue
        if not payloads:
            planned.append(PlannedFiring(timer_id, None, STALE))
            continue
        key = timer_key(timer_id)
        events = new_events(
            payloads, case_id=case_id, producer=PRODUCER, causation=cause, idempotency_key=key
        )
        request = AppendRequest(
            case_id,
            events,
            expected_version=version,
            idempotency_key=key,
            occur_when_recorded=True,  # a firing occurs when appended, not when planned
            bodies=tuple(encode_unrecorded(event) for event in events),
        )
        planned.append(PlannedFiring(timer_id, request, FIRED))
        for payload in payloads:
            state = evolve(state, payload)
        version, cause = version + len(events), events[-1]
    return planned
