"""The events and the interface both sides of ``bench/peers.py`` work with.

Every event starts a stream of its own (a new case); they come in a few types so that the
count projection has more than one row. Each side turns them into what its own callers
would hand it (an envelope here, a state dictionary there) before the clock starts.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

EVENT_TYPES = ("CaseReported", "CaseTriaged", "CaseAssigned")
PAYLOAD = {
    "region": "330102",
    "category": "neighbour_dispute",
    "channel": "hotline",
    "summary": "Noise from a workshop at night; both households agree to mediation.",
}


@dataclass(frozen=True)
class BenchEvent:
    stream_id: uuid.UUID
    event_type: str
    occurred_at: datetime
    payload: dict[str, Any]


def make_events(count: int) -> list[BenchEvent]:
    """``count`` events, each the first of a new stream."""
    now = datetime.now(UTC)
    return [
        BenchEvent(uuid.uuid4(), EVENT_TYPES[i % len(EVENT_TYPES)], now, {**PAYLOAD, "ordinal": i})
        for i in range(count)
    ]


def expected_counts(events: Sequence[BenchEvent]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for event in events:
        counts[event.event_type] = counts.get(event.event_type, 0) + 1
    return counts


class Side(Protocol):
    """One event store under the four workloads; ``prepare`` runs before the clock starts."""

    name: str

    async def open(self) -> None: ...

    def prepare(self, events: Sequence[BenchEvent]) -> Any: ...

    async def append_lone(self, prepared: Any) -> None:
        """One event per durable commit, one after the other."""

    async def append_batched(self, prepared: Any, per_commit: int) -> None:
        """``per_commit`` stream-appends (each to a stream of its own) per commit."""

    async def reopen(self) -> None:
        """Connect to the store afresh: nothing the writes left in memory answers a read."""

    async def read_each(self, stream_ids: Sequence[uuid.UUID]) -> int:
        """Every stream read back in a call of its own; returns the events read."""

    async def rebuild_counts(self) -> dict[str, int]:
        """The count projection rebuilt into PostgreSQL from every stored event: events per
        type."""

    async def close(self) -> None: ...
