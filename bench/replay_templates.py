"""Real case streams for the replay benchmark, from a short simulated stretch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from shared.log.embedded import EmbeddedLog


@dataclass(frozen=True)
class Template:
    event_id: str
    case_id: str
    sequence: int
    event_type: str
    recorded_at: datetime
    body: bytes


async def harvest_templates(directory: Path, *, cases: int, days: int = 21) -> list[Template]:
    """Simulate ``cases`` cases over ``days`` days; the log's events in log order."""
    # Imported here: the rebuild's worker processes import the benchmark's module again,
    # and do not need the whole system the simulation loads.
    from services.year_demo import demo

    await demo(directory, cases=cases, days=days, seed=7, quiet=True)
    log = EmbeddedLog(f"sqlite+aiosqlite:///{directory}/log.db")
    await log.start()
    try:
        templates: list[Template] = []
        async for batch in log.replay():
            for delivery in batch:
                event = delivery.event
                if event is None or event.recorded_at is None:
                    continue
                templates.append(
                    Template(
                        str(event.event_id),
                        event.case_id,
                        event.sequence,
                        event.event_type,
                        event.recorded_at,
                        delivery.raw,
                    )
                )
        return templates
    finally:
        await log.close()
