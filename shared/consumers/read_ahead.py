"""Read the next batch while the current one is applied (the log and the read models are
different connections, often different machines)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterable, AsyncIterator
from typing import TypeVar

Item = TypeVar("Item")


async def read_ahead(source: AsyncIterable[Item]) -> AsyncIterator[Item]:
    """The items of ``source`` in order, the next one already being fetched."""
    iterator = aiter(source)
    coming: asyncio.Future[Item] = asyncio.ensure_future(anext(iterator))
    try:
        while True:
            try:
                item = await coming
            except StopAsyncIteration:
                return
            coming = asyncio.ensure_future(anext(iterator))
            yield item
    finally:
        if not coming.done():
            coming.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await coming
