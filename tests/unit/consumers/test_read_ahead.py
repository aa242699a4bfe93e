"""Reading ahead keeps the order and fetches the next batch while one is being applied."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from shared.consumers.read_ahead import read_ahead


async def test_items_come_in_order_and_the_next_is_fetched_during_the_work() -> None:
    fetched: list[int] = []
    started = [asyncio.Event() for _ in range(3)]

    async def source() -> AsyncIterator[int]:
        for n in range(3):
            fetched.append(n)
            started[n].set()
            yield n

    seen = []
    async for item in read_ahead(source()):
        if item < 2:
            await asyncio.wait_for(started[item + 1].wait(), 1)  # fetched before we finish
        seen.append(item)
    assert seen == [0, 1, 2] and fetched == [0, 1, 2]


async def test_stopping_early_cancels_the_fetch_in_flight() -> None:
    async def endless() -> AsyncIterator[int]:
        n = 0
        while True:
            yield n
            n += 1

    seen = []
    async for item in read_ahead(endless()):
        seen.append(item)
        if item == 2:
            break
    assert seen == [0, 1, 2]
