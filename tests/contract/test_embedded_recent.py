"""The embedded log hands its subscribers what it just committed from memory: the same
records the store holds, and what another process wrote is still read from the store."""

from __future__ import annotations

import contextlib
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


@contextlib.asynccontextmanager
async def two_processes(
    tmp_path: Path, **options: float
) -> AsyncIterator[tuple[EmbeddedLog, EmbeddedLog]]:
    """This process's log and another one over the same store."""
    url = f"sqlite+aiosqlite:///{tmp_path}/log.db"
    here, elsewhere = EmbeddedLog(url, **options), EmbeddedLog(url)
    await here.start()
    await elsewhere.start()
    try:
        yield here, elsewhere
    finally:
        await here.close()
        await elsewhere.close()


async def test_subscribers_get_exactly_the_stored_records(tmp_path: Path) -> None:
    async with two_processes(tmp_path, batch_size=4) as (here, elsewhere):
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


async def test_stream_prefixes_are_the_stored_ones(tmp_path: Path) -> None:
    async with two_processes(tmp_path, recent_records=14) as (here, elsewhere):
        mine, shared, old = new_case(), new_case(), new_case()
        await here.append(old, [noted(old, "first"), noted(old, "second")])
        for round_ in range(4):
            await here.append(mine, [noted(mine, f"{round_}")])
            await here.append(shared, [noted(shared, f"{round_}")])
            if round_ == 1:  # another process writes in the middle of this stream
                await elsewhere.append(shared, [noted(shared, "elsewhere")])
        for filler in range(6):  # pushes the oldest case out of the window
            case = new_case()
            await here.append(case, [noted(case, str(filler))])

        for case, length in ((mine, 4), (shared, 5), (old, 2)):
            stored = await here.store.read_stream(case)
            assert len(stored) == length
            for until in range(1, length + 1):
                got = await here.read_stream_until(case, until=until)
                assert got == stored[:until], (case, until)
        assert here.recent.prefix(mine, until=4) is not None  # answered from memory
        assert here.recent.prefix(shared, until=3) is None  # its third event is elsewhere's
        assert here.recent.prefix(old, until=1) is None  # evicted


async def test_a_commit_larger_than_the_window_keeps_its_newest_records(tmp_path: Path) -> None:
    async with two_processes(tmp_path, recent_records=4) as (here, _):
        case = new_case()
        await here.append(case, [noted(case, str(i)) for i in range(10)])

        stored = await here.store.read_from(0, limit=100)
        assert len(here.recent) == 4
        newest = [here.recent.event_at(position) for position, _ in stored[-4:]]
        assert newest == [to_delivery(p, body).event for p, body in stored[-4:]]
        assert here.recent.event_at(stored[-5][0]) is None
        got = await first_batches(here, 10)  # the older six come from the store
        assert [d.raw for d in got] == [body for _, body in stored]
