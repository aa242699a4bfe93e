"""Which events a consumer acts on.

Most consumers act on a few event types. One that says so (``wants(event) -> bool``) is
handed only those; the others cost it nothing but the position it stores for the batch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from shared.events.envelope import EventEnvelope
from shared.log.port import Delivery
from shared.runtime.metrics import EVENTS_CONSUMED

Wants = Callable[[EventEnvelope], bool]


def needs_work(batch: Sequence[Delivery], wants: Wants | None) -> bool:
    """Whether any record of the batch is for this consumer (a poison record always is)."""
    if wants is None:
        return True
    return any(d.event is None or wants(d.event) for d in batch)


def count_consumed(group: str, deliveries: Sequence[Delivery]) -> None:
    """Every decoded record counts as consumed by the group, acted on or passed over."""
    counts = Counter(d.event.event_type for d in deliveries if d.event is not None)
    for event_type, count in counts.items():
        EVENTS_CONSUMED.labels(group, event_type).inc(count)
