"""Waiting for the hotspot read model to hold a report, without asking the database each time.

The projection's runner tells ``Applied`` what each committed batch held (``on_committed``);
a detector in the same process then waits in memory. Where the projection runs elsewhere
(another instance owns the partition), the database is asked once a second instead.

When the projection of this process stops (the process drains), a detector still waiting
abandons its batch: nothing will apply the case here any more, and the batch, uncommitted,
is handled again after the restart. Without this the drain waited out its whole grace period.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence

from shared.log.port import Delivery

KEPT = 100_000
"""Cases whose last applied sequence is remembered (the oldest are forgotten first)."""


class Applied:
    def __init__(self) -> None:
        self._sequences: OrderedDict[str, int] = OrderedDict()
        self._changed = asyncio.Event()
        self._stopped = False

    def stop(self) -> None:
        """The projection stopped consuming: wake the waiters to abandon their batch."""
        self._stopped = True
        self._changed.set()

    def on_committed(self, batch: Sequence[Delivery]) -> None:
        for delivery in batch:
            event = delivery.event
            if event is None:
                continue
            seen = self._sequences.pop(event.case_id, 0)
            self._sequences[event.case_id] = max(seen, event.sequence)
        while len(self._sequences) > KEPT:
            self._sequences.popitem(last=False)
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def holds(self, case_id: str, sequence: int) -> bool:
        return self._sequences.get(case_id, 0) >= sequence

    async def wait(
        self, case_id: str, sequence: int, *, stored: Callable[[], Awaitable[bool]], within: float
    ) -> None:
        """Return once the case's ``sequence`` is applied (in this process's memory, or
        ``stored`` says so: at once, as after a restart, then once a second); TimeoutError
        (retried) after ``within`` seconds; cancelled once the projection has stopped."""
        if self.holds(case_id, sequence) or await stored():
            return
        async with asyncio.timeout(within):
            while not self.holds(case_id, sequence):
                if self._stopped:
                    if await stored():
                        return
                    raise asyncio.CancelledError("the hotspot read model stopped")
                changed = self._changed
                try:
                    async with asyncio.timeout(1):
                        await changed.wait()
                except TimeoutError:
                    if await stored():
                        return
