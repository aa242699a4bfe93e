"""The embedded log hands its subscribers what it just committed from memory: the same
records the store holds, and what another process wrote is still read from the store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from shared.log.embedded import EmbeddedLog, to_delivery
from shared.log.port import Delivery, PositionLoader
from tests.contract.events import new_case, noted


class FromStart(PositionLoader):
    async def load(self, group: str) -> dict[int, int]:
        return {}


async def first_batches(log: EmbeddedLog, count: int) -> list[Delivery]:
    subscription = log.subscribe("recent-test", positions=FromStart())
    got: list[Delivery] = []
    batches: AsyncIterator[list[Delivery]] = subscription.batches()
    while len(got) < count:
        got.extend(await anext(batches))
    await subscription.close()
    return got


async def test_subscribers_get_exactly_the_stored_records(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/log.db"
    here, elsewhere = EmbeddedLog(url, batch_size=4), EmbeddedLog(url)
    await here.start()
    await elsewhere.start()
    try:
        cases = [new_case() for _ in range(3)]
        for round_ in range(3):
            for case in cases:
                await here.append(case, [noted(case, f"{round_}a"), noted(case, f"{round_}b")])
            # another process appends in between: absent from this process's memory
            await elsewhere.append(cases[0], [noted(cases[0], f"elsewhere {round_}")])

        got = await first_batches(here, 21)
        stored = await here.store.read_from(0, limit=100)

        assert len(here.recent) == 18  # this process's own records
        assert [d.position.offset for d in got] == [position for position, _ in stored]
        expected = [to_delivery(position, body) for position, body in stored]
        assert [(d.raw, d.event, d.key) for d in got] == [(d.raw, d.event, d.key) for d in expected]
        notes = [d.event.payload["note"] for d in got if d.event is not None]
        assert notes.count("elsewhere 1") == 1 and len(notes) == 21
    finally:
        await here.close()
        await elsewhere.close()
