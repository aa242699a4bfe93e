"""The newest records of the embedded log, kept decoded for the subscribers in its process.

Every subscriber of the embedded log reads what the writer just committed. The writer
holds those events already (recorded, and validated when they were built), so it hands
them here with their positions, and a subscriber whose next position is here takes its
batch from memory: no read and no decode per subscriber. Positions are facts of the store
(an event once at a position stays there), so a record found here is the stored one; a
position missing here (older than the window, or written by another process) is read
from the store.

The same holds per case: the first events of a stream never change once written, so a
case whose events 1..n are all here answers "its events up to n" without the store.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence
from itertools import islice

from shared.events.envelope import EventEnvelope
from shared.log.port import Delivery


class RecentRecords:
    def __init__(self, *, capacity: int = 5_000) -> None:
        self._capacity = capacity
        self._records: dict[int, Delivery] = {}
        self._cases: defaultdict[str, deque[EventEnvelope]] = defaultdict(deque)
        """Per case, its events in the window, oldest first."""
        self.last: int | None = None
        """The newest position added (None: none yet)."""

    @property
    def capacity(self) -> int:
        """How many of the newest records it keeps."""
        return self._capacity

    def __len__(self) -> int:
        return len(self._records)

    def add(self, records: Sequence[Delivery]) -> None:
        """Records just committed, in position order."""
        for record in records:
            self._records[record.position.offset] = record
            if record.event is not None:
                self._cases[record.event.case_id].append(record.event)
        if records:
            self.last = records[-1].position.offset
        excess = len(self._records) - self._capacity
        if excess > 0:
            # The oldest first (a dict keeps insertion order): only those are walked.
            for position in list(islice(self._records, excess)):
                self._forget(self._records.pop(position))

    def _forget(self, record: Delivery) -> None:
        if record.event is None:
            return
        case_id = record.event.case_id
        events = self._cases[case_id]
        events.popleft()  # a case's oldest record here leaves first: positions are in order
        if not events:
            del self._cases[case_id]

    def event_at(self, position: int) -> EventEnvelope | None:
        """The event stored at ``position``, if it is here."""
        record = self._records.get(position)
        return record.event if record is not None else None

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

    def prefix(self, case_id: str, *, until: int) -> list[EventEnvelope] | None:
        """The case's events with sequence 1..``until`` when all of them are here, else
        None (some are older than the window, or were written by another process)."""
        events = self._cases.get(case_id)
        if not events or until < 1 or len(events) < until:
            return None
        found = [events[i] for i in range(until)]
        # Sequences rise within a case, so 1 first and ``until`` last means none is missing.
        if found[0].sequence != 1 or found[-1].sequence != until:
            return None
        return found
