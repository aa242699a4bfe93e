"""The newest records of the embedded log, kept decoded for the subscribers in its process.

Every subscriber of the embedded log reads what the writer just committed. The writer
holds those events already (recorded, and validated when they were built), so it hands
them here with their positions, and a subscriber whose next position is here takes its
batch from memory: no read and no decode per subscriber. Positions are facts of the store
(an event once at a position stays there), so a record found here is the stored one; a
position missing here (older than the window, or written by another process) is read
from the store.
"""

from __future__ import annotations

from collections.abc import Sequence

from shared.log.port import Delivery


class RecentRecords:
    def __init__(self, *, capacity: int = 5_000) -> None:
        self._capacity = capacity
        self._records: dict[int, Delivery] = {}
        self.last: int | None = None
        """The newest position added (None: none yet)."""

    def __len__(self) -> int:
        return len(self._records)

    def add(self, records: Sequence[Delivery]) -> None:
        """Records just committed, in position order."""
        for record in records:
            self._records[record.position.offset] = record
        if records:
            self.last = records[-1].position.offset
        excess = len(self._records) - self._capacity
        if excess > 0:
            for position in list(self._records)[:excess]:
                del self._records[position]

    def after(self, position: int, *, limit: int) -> list[Delivery] | None:
        """The records right after ``position`` (consecutive, at most ``limit``); None when
        the next one is not here."""
        records = self._records
        found: list[Delivery] = []
        following = position + 1
        while len(found) < limit:
            record = records.get(following)
            if record is None:
                break
            found.append(record)
            following += 1
        return found or None
