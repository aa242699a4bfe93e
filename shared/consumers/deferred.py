"""Positions of batches a consumer had nothing to do for, saved later.

Most consumers act on a few event types. A batch with none of them has no effect to commit,
so its position waits (in memory) for the next batch that does, or for ``every`` seconds,
instead of costing a transaction of its own. Losing it (a crash) only means those
irrelevant events are looked at again, and skipped again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

from shared.events.envelope import EventEnvelope
from shared.log.port import Delivery

Wants = Callable[[EventEnvelope], bool]


def needs_work(batch: Sequence[Delivery], wants: Wants | None) -> bool:
    """Whether any record of the batch is for this consumer (a poison record always is)."""
    if wants is None:
        return True
    return any(d.event is None or wants(d.event) for d in batch)


class DeferredPositions:
    def __init__(self, *, every: float = 2.0) -> None:
        self._every = every
        self._pending: dict[int, int] = {}
        self._since = 0.0

    def defer(self, batch: Sequence[Delivery]) -> bool:
        """Note the batch's next offsets; True when they have waited long enough to save."""
        if not self._pending:
            self._since = time.monotonic()
        for delivery in batch:
            partition, offset = delivery.position.partition, delivery.position.offset
            self._pending[partition] = max(self._pending.get(partition, 0), offset + 1)
        return time.monotonic() - self._since >= self._every

    def merged(self, new: Mapping[int, int]) -> dict[int, int]:
        """``new`` with the waiting offsets folded in (which are then no longer waiting)."""
        merged = dict(self._pending)
        for partition, offset in new.items():
            merged[partition] = max(merged.get(partition, 0), offset)
        self._pending = {}
        return merged
