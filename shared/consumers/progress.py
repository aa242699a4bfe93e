"""Commit notifications of a consumer, so a caller can await 'projected up to here'."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence

from shared.log.port import Delivery


class Progress:
    def __init__(self) -> None:
        self._changed = asyncio.Condition()
        self.committed_batches = 0

    def on_committed(self, batch: Sequence[Delivery]) -> None:
        self.committed_batches += 1
        asyncio.get_running_loop().create_task(self._wake())

    async def _wake(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _moved_past(self, seen: int) -> Callable[[], bool]:
        return lambda: self.committed_batches != seen

    async def wait_until(self, check: Callable[[], Awaitable[bool]], *, within: float) -> None:
        """Return once ``check()`` holds, re-checking after every commit; TimeoutError after."""

        async def _loop() -> None:
            while True:
                seen = self.committed_batches
                if await check():
                    return
                async with self._changed:
                    with contextlib.suppress(TimeoutError):  # re-check at least every second
                        async with asyncio.timeout(1):
                            await self._changed.wait_for(self._moved_past(seen))

        async with asyncio.timeout(within):
            await _loop()
