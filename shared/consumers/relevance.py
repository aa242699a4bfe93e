"""Which events a consumer acts on.

Most consumers act on a few event types. One that says so (``wants(event) -> bool``) is
handed only those; the others cost it nothing but the position it stores for the batch.
What a runner counts per event and per batch goes to metric series looked up once
(``labelled`` in shared/runtime/metrics.py), not on every use.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from shared.events.envelope import EventEnvelope
from shared.log.port import Delivery
from shared.runtime.lag import CONSUMER_POSITION
from shared.runtime.metrics import EVENTS_CONSUMED, labelled

Wants = Callable[[EventEnvelope], bool]


def needs_work(batch: Sequence[Delivery], wants: Wants | None) -> bool:
    """Whether any record of the batch is for this consumer (a poison record always is)."""
    if wants is None:
        return True
    return any(d.event is None or wants(d.event) for d in batch)


def consumed(group: str, event_type: str) -> Any:
    """The counter of the events of ``event_type`` the group consumed."""
    return labelled(EVENTS_CONSUMED, group, event_type)


def count_consumed(group: str, deliveries: Sequence[Delivery]) -> None:
    """Every decoded record counts as consumed by the group, acted on or passed over."""
    counts = Counter(d.event.event_type for d in deliveries if d.event is not None)
    for event_type, count in counts.items():
        consumed(group, event_type).inc(count)


def show_positions(group: str, positions: Mapping[int, int]) -> None:
    """The group's next offsets (those just stored) on its position gauges."""
    for partition, offset in positions.items():
        labelled(CONSUMER_POSITION, group, str(partition)).set(offset)
