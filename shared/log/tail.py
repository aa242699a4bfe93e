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

A commit is kept as it came (its first position, events and bodies): what a subscriber
takes (its deliveries) and the per-case index are built when first asked for, once, so a
commit nobody reads costs the writer no work per event.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict, deque
from collections.abc import Sequence

from shared.events.envelope import EventEnvelope
from shared.log.port import Delivery, Position


class _Commit:
    """One commit's records, those from ``start`` on still in the window."""

    __slots__ = ("bodies", "deliveries", "events", "first", "indexed", "start")

    def __init__(self, first: int, events: Sequence[EventEnvelope], bodies: Sequence[bytes]):
        self.first = first
        self.events = events
        self.bodies = bodies
        self.start = 0
        self.indexed = False
        self.deliveries: list[Delivery] | None = None

    @property
    def end(self) -> int:
        """The position after its last record."""
        return self.first + len(self.events)

    def delivered(self, partition: int) -> list[Delivery]:
        if self.deliveries is None:
            first = self.first
            self.deliveries = [
                Delivery(Position(partition, first + i), body, event, None, event.case_id)
                for i, (event, body) in enumerate(zip(self.events, self.bodies, strict=True))
            ]
        return self.deliveries


class RecentRecords:
    def __init__(self, *, capacity: int = 5_000, partition: int = 0) -> None:
        self._capacity = capacity
        self._partition = partition
        self._commits: list[_Commit] = []
        self._firsts: list[int] = []
        """The first position of each commit in ``_commits`` (kept records or not), for
        a binary search; both lists hold forgotten commits before ``_head``, dropped in
        bulk now and then."""
        self._head = 0
        self._size = 0
        self._cases: defaultdict[str, deque[EventEnvelope]] = defaultdict(deque)
        """Per case, its events in the indexed commits of the window, oldest first."""
        self._unindexed = 0
        """How many of the newest commits are not in ``_cases`` yet."""
        self.last: int | None = None
        """The newest position added (None: none yet)."""

    @property
    def capacity(self) -> int:
        """How many of the newest records it keeps."""
        return self._capacity

    def __len__(self) -> int:
        return self._size

    def add(self, first: int, events: Sequence[EventEnvelope], bodies: Sequence[bytes]) -> None:
        """The records of a commit just made, at positions ``first``, ``first`` + 1, ...
        (only the newest ``capacity`` of a larger commit are kept)."""
        if not events:
            return
        skip = max(0, len(events) - self._capacity)
        if skip:
            first, events, bodies = first + skip, events[skip:], bodies[skip:]
        self._commits.append(_Commit(first, events, bodies))
        self._firsts.append(first)
        self._unindexed += 1
        self._size += len(events)
        self.last = first + len(events) - 1
        if self._size > self._capacity:
            self._evict(self._size - self._capacity)

    def _evict(self, count: int) -> None:
        """Forget the ``count`` oldest records."""
        self._size -= count
        commits = self._commits
        while count:
            oldest = commits[self._head]
            kept = len(oldest.events) - oldest.start
            gone = min(count, kept)
            if oldest.indexed:
                for event in oldest.events[oldest.start : oldest.start + gone]:
                    self._forget(event)
            count -= gone
            if gone == kept:
                self._head += 1
                if not oldest.indexed:
                    self._unindexed -= 1
            else:
                oldest.start += gone
        if self._head > 64 and 2 * self._head > len(commits):
            del commits[: self._head], self._firsts[: self._head]
            self._head = 0

    def _forget(self, event: EventEnvelope) -> None:
        events = self._cases[event.case_id]
        events.popleft()  # a case's oldest record here leaves first: positions are in order
        if not events:
            del self._cases[event.case_id]

    def _commit_holding(self, position: int) -> tuple[int, _Commit] | None:
        """The index in ``_commits`` of the commit holding ``position`` still, and it."""
        index = bisect_right(self._firsts, position, self._head) - 1
        if index < self._head:
            return None
        commit = self._commits[index]
        if position >= commit.end or position < commit.first + commit.start:
            return None
        return index, commit

    def event_at(self, position: int) -> EventEnvelope | None:
        """The event stored at ``position``, if it is here."""
        found = self._commit_holding(position)
        return found[1].events[position - found[1].first] if found is not None else None

    def after(self, position: int, *, limit: int) -> list[Delivery] | None:
        """The records right after ``position`` (consecutive, at most ``limit``); None when
        the next one is not here."""
        following = position + 1
        found = self._commit_holding(following)
        if found is None:
            return None
        index, commit = found
        records: list[Delivery] = []
        while len(records) < limit:
            offset = following - commit.first
            taken = commit.delivered(self._partition)[offset : offset + limit - len(records)]
            records.extend(taken)
            following += len(taken)
            index += 1
            if index == len(self._commits) or self._firsts[index] != following:
                break
            commit = self._commits[index]
        return records

    def prefix(self, case_id: str, *, until: int) -> list[EventEnvelope] | None:
        """The case's events with sequence 1..``until`` when all of them are here, else
        None (some are older than the window, or were written by another process)."""
        if self._unindexed:
            self._index()
        events = self._cases.get(case_id)
        if not events or until < 1 or len(events) < until:
            return None
        found = [events[i] for i in range(until)]
        # Sequences rise within a case, so 1 first and ``until`` last means none is missing.
        if found[0].sequence != 1 or found[-1].sequence != until:
            return None
        return found

    def _index(self) -> None:
        """Add the commits not indexed yet to the per-case index, oldest first."""
        cases = self._cases
        for index in range(len(self._commits) - self._unindexed, len(self._commits)):
            commit = self._commits[index]
            for event in commit.events[commit.start :]:
                cases[event.case_id].append(event)
            commit.indexed = True
        self._unindexed = 0
