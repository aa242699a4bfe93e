"""A commit another process makes on the embedded log's file reaches this process's
subscribers within milliseconds when ``FQ_EMBEDDED_WATCH_MS`` is set, not at the next
once-a-second poll (here a minute long, so only the watch can bring it in time)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.log.port import Delivery
from tests.contract.events import new_case, noted
from tests.contract.test_embedded_recent import FromStart, two_processes


async def next_batch(batches: AsyncIterator[list[Delivery]], *, within: float) -> list[Delivery]:
    async with asyncio.timeout(within):
        return await anext(batches)


async def test_a_commit_by_another_process_wakes_the_subscribers(tmp_path: Path) -> None:
    async with two_processes(tmp_path, poll_seconds=60, watch_seconds=0.01) as (here, elsewhere):
        mine, theirs = new_case(), new_case()
        await here.append(mine, [noted(mine, "here")])
        subscription = here.subscribe("watch-test", positions=FromStart())
        batches = subscription.batches()
        first = await next_batch(batches, within=5)
        assert [d.event.case_id for d in first if d.event] == [mine]

        waiting = asyncio.create_task(next_batch(batches, within=5))
        await asyncio.sleep(0)  # the subscriber is waiting for a change
        await elsewhere.append(theirs, [noted(theirs, "elsewhere")])
        second = await waiting
        await subscription.close()

    assert [d.event.case_id for d in second if d.event] == [theirs]


async def test_without_the_watch_another_process_waits_for_the_poll(tmp_path: Path) -> None:
    async with two_processes(tmp_path, poll_seconds=60) as (here, elsewhere):
        theirs = new_case()
        subscription = here.subscribe("no-watch-test", positions=FromStart())
        batches = subscription.batches()
        waiting = asyncio.create_task(next_batch(batches, within=1))
        await asyncio.sleep(0)
        await elsewhere.append(theirs, [noted(theirs, "elsewhere")])
        with pytest.raises(TimeoutError):
            await waiting
        await subscription.close()
