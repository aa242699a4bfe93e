"""A process's open subscriptions: who has joined its group, stop them all, await their close
(readiness waits for the joins; a drain stops every consumer and waits for it to leave)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.log.port import Subscription


class OpenSubscriptions:
    """Track a process's subscriptions: who has joined, stop them all, await their close."""

    def __init__(self) -> None:
        self._open: set[Subscription] = set()
        self._changed = asyncio.Event()

    def opened(self, subscription: Subscription) -> None:
        self._open.add(subscription)

    def closed(self, subscription: Subscription) -> None:
        self._open.discard(subscription)
        self._changed.set()

    def waiting_to_join(self) -> list[str]:
        return sorted(s.group for s in self._open if not s.joined)

    def stop_all(self) -> None:
        for subscription in list(self._open):
            subscription.stop()

    async def all_closed(self) -> None:
        while self._open:
            self._changed.clear()
            await self._changed.wait()
