"""The notify planner: a reactor that turns case events into issued orders and feedback."""

from __future__ import annotations

from collections.abc import Collection

import shared.cases.catalogue
from services.notify.feedback import FEEDBACK, plan_feedback
from services.notify.feedback_folded import ATTACHED, plan_folded_feedback
from services.notify.plan import Situation
from services.notify.plan_hotspots import plan_hotspot_warnings
from services.notify.planners import PLANNERS, plan_orders
from shared.cases.catalogue.hotspots import HotspotDetected
from shared.cases.fold import fold
from shared.events.envelope import EventEnvelope, new_event, new_events
from shared.events.payload import EventPayload
from shared.log.port import ANY_VERSION, EventLog
from shared.org.tree import OrgTree

# The causes are other services' events: their schemas must be registered in this process
# too (notify may run alone), or every cause would be dead-lettered as an unknown type.
SCHEMAS = shared.cases.catalogue
PRODUCER = "notify"
CAUSES = frozenset(PLANNERS) | frozenset(FEEDBACK) | {ATTACHED, HotspotDetected.event_type}


async def record(log: EventLog, *, cause: EventEnvelope, payload: EventPayload, key: str) -> None:
    """Append one notify event to the cause's case, once per ``key``."""
    event = new_event(
        payload, case_id=cause.case_id, producer=PRODUCER, causation=cause, idempotency_key=key
    )
    await log.append(cause.case_id, [event], expected_version=ANY_VERSION, idempotency_key=key)


class NotifyPlanner:
    group = "notify"

    def __init__(self, *, log: EventLog, tree: OrgTree, channels: Collection[str]) -> None:
        self._log = log
        self._tree = tree
        self._channels = channels

    def wants(self, event: EventEnvelope) -> bool:
        return event.event_type in CAUSES

    async def react(self, event: EventEnvelope) -> None:
        if event.event_type not in CAUSES:
            return
        event.decode()  # a cause that does not match its schema is poison: dead-lettered
        payloads = await self._plan(event)
        if not payloads:
            return
        key = f"notify:{event.event_id}"
        events = new_events(
            payloads, case_id=event.case_id, producer=PRODUCER, causation=event, idempotency_key=key
        )
        await self._log.append(
            event.case_id, events, expected_version=ANY_VERSION, idempotency_key=key
        )

    async def _plan(self, event: EventEnvelope) -> list[EventPayload]:
        if event.event_type == HotspotDetected.event_type:  # a hotspot's stream, not a case
            return [*plan_hotspot_warnings(event, self._tree, self._channels)]
        history = await self._log.read_stream_until(event.case_id, until=event.sequence)
        case = fold(history)
        if case is None:
            return []
        situation = Situation(event=event, case=case, tree=self._tree, channels=self._channels)
        earlier = {e.event_type for e in history if e.sequence < event.sequence}
        return [
            *plan_orders(situation),
            *plan_feedback(situation, earlier_types=earlier),
            *plan_folded_feedback(situation, earlier_types=earlier, history=history),
        ]
