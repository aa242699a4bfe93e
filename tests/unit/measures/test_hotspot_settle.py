"""The detector waits in memory for the hotspot read model to hold a report (no I/O)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from services.measures.hotspots.settle import Applied
from shared.events.envelope import EventEnvelope
from shared.log.port import Delivery, Position

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def delivery(case_id: str, sequence: int) -> Delivery:
    event = EventEnvelope(
        event_id=uuid.uuid4(),
        event_type="CaseTriaged",
        schema_version=1,
        case_id=case_id,
        sequence=sequence,
        occurred_at=AT,
        correlation_id=uuid.uuid4(),
        producer="test",
        payload={},
    )
    return Delivery(Position(0, sequence), b"", event)


async def test_a_wait_ends_when_the_projection_commits_the_event() -> None:
    applied, asked = Applied(), []

    async def stored() -> bool:
        asked.append(1)
        return False

    waiting = asyncio.create_task(applied.wait("c1", 2, stored=stored, within=5))
    await asyncio.sleep(0)
    applied.on_committed([delivery("c1", 1)])
    await asyncio.sleep(0)
    assert not waiting.done()
    applied.on_committed([delivery("c1", 2), delivery("c2", 1)])
    await asyncio.wait_for(waiting, 1)
    assert asked == [1], "the database is asked once, before waiting"


async def test_a_wait_gives_up_with_a_timeout_the_reactor_retries() -> None:
    async def stored() -> bool:
        return False

    with pytest.raises(TimeoutError):
        await Applied().wait("c1", 1, stored=stored, within=0.05)


async def test_a_wait_is_abandoned_once_the_projection_stops() -> None:
    """A draining process: the detector's batch is given up (handled after the restart)
    instead of holding the shutdown for the whole settle period."""
    applied = Applied()

    async def stored() -> bool:
        return False

    waiting = asyncio.create_task(applied.wait("c1", 1, stored=stored, within=30))
    await asyncio.sleep(0)
    applied.stop()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(waiting, 1)


async def test_a_stopped_projection_that_stored_the_event_lets_the_wait_end() -> None:
    applied, answers = Applied(), iter([False, True])

    async def stored() -> bool:
        return next(answers)

    waiting = asyncio.create_task(applied.wait("c1", 1, stored=stored, within=30))
    await asyncio.sleep(0)
    applied.stop()
    await asyncio.wait_for(waiting, 1)
