"""The log port: what every service needs from the event log, whichever adapter backs it.

Concurrency control is optimistic: ``append`` takes the stream version the caller decided
on (``expected_version``) and raises ``VersionConflict`` when the stream has moved on, so
two commands on one case can never both succeed on stale state. See docs/architecture.md.
"""

from __future__ import annotations

import contextlib
import zlib
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.events.envelope import EventEnvelope
from shared.log.subscriptions import OpenSubscriptions

ANY_VERSION: int | None = None
NO_STREAM = 0


class LogError(Exception):
    """Base class of the log's refusals."""


class VersionConflict(LogError):
    def __init__(self, *, case_id: str, expected: int, actual: int) -> None:
        super().__init__(f"case {case_id} is at version {actual}, not {expected}")
        self.case_id = case_id
        self.expected = expected
        self.actual = actual


class IdempotencyKeyReused(LogError):
    """The key was used before for a different request."""

    def __init__(self, key: str) -> None:
        super().__init__(f"idempotency key {key!r} was already used for a different request")
        self.key = key


class LogUnavailable(LogError):
    """The broker did not confirm in time; the append may be retried with the same key."""


class AppendResult(NamedTuple):
    """What an append recorded. (A named tuple, like ``AppendRequest``: one per append, and
    a frozen dataclass costs several times as much to construct.)"""

    case_id: str
    events: tuple[EventEnvelope, ...]
    replayed: bool = False
    """True when the idempotency key had been used already: nothing new was written."""

    @property
    def last_sequence(self) -> int:
        return self.events[-1].sequence if self.events else 0


class AppendRequest(NamedTuple):
    """One append of a batch: the same fences and key as the arguments of ``append`` (a
    named tuple: a batch makes thousands, and a frozen dataclass costs four times as much)."""

    case_id: str
    events: Sequence[EventEnvelope]
    expected_version: int | None = ANY_VERSION
    idempotency_key: str | None = None
    fingerprint: str | None = None
    occur_when_recorded: bool = False
    """The events occur when the log records them (``occurred_at`` = ``recorded_at``): for
    decisions made ahead that take effect when appended."""
    bodies: tuple[bytes, ...] | None = None
    """The events encoded ahead without their recording fields (``codec.encode_unrecorded``),
    one per event: the SQL store only completes them, which keeps a large append short."""


BatchOutcome = AppendResult | VersionConflict | IdempotencyKeyReused


class Position(NamedTuple):
    """Where a record sits in the log: a partition and an offset in it. (Named tuples, like
    ``Delivery``: one is made per record read, and a frozen dataclass costs several times
    as much to construct.)"""

    partition: int
    offset: int


class Delivery(NamedTuple):
    """One record handed to a consumer: a decoded event, or a poison record with its reason."""

    position: Position
    raw: bytes
    event: EventEnvelope | None
    error: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class Shard:
    """One of ``count`` disjoint sets of cases: a replay over every shard, each in its own
    process, covers every case once, each case whole. Which shard a case falls in is the
    log's choice, the same in every process: ``holds`` (the CRC-32 of the case id) where
    the records are picked in Python; a store may pick them in its query instead."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.count:
            raise ValueError(f"shard {self.index} of {self.count}: 0 <= index < count")

    def holds(self, case_id: str) -> bool:
        return zlib.crc32(case_id.encode()) % self.count == self.index


class PositionLoader(Protocol):
    async def load(self, group: str) -> dict[int, int]:
        """Next offset to read per partition, as stored with the group's effects."""
        ...


class Subscription(ABC):
    """A named consumer group's view of the log."""

    group: str = ""

    @abstractmethod
    def batches(self) -> AsyncIterator[list[Delivery]]: ...

    @abstractmethod
    def stop(self) -> None:
        """End ``batches`` once the batch in hand is handled (graceful shutdown)."""

    @property
    def joined(self) -> bool:
        """The consumer has its share of the log (a group member received its assignment)."""
        return True

    @abstractmethod
    async def commit(self, deliveries: Sequence[Delivery]) -> None:
        """Tell the log these were processed (their effects are already stored)."""

    @contextlib.asynccontextmanager
    async def atomic(self, deliveries: Sequence[Delivery]) -> AsyncIterator[bool]:
        """Handle ``deliveries`` inside: yields True where the log commits the events appended
        meanwhile together with these offsets (Kafka transactions), False where it does not
        (the effects' idempotency keeps a redelivery harmless)."""
        yield False

    def owned_partitions(self) -> frozenset[int] | None:
        """The partitions this member of the group currently reads; None: all of them."""
        return None

    @abstractmethod
    async def close(self) -> None: ...


class EventLog(ABC):
    @abstractmethod
    async def start(self) -> None: ...

    @property
    def consumers(self) -> OpenSubscriptions:
        """The subscriptions of this process that are not closed yet."""
        found = self.__dict__.get("_open_subscriptions")
        if found is None:
            found = self.__dict__["_open_subscriptions"] = OpenSubscriptions()
        assert isinstance(found, OpenSubscriptions)
        return found

    @property
    def dead_letter_engine(self) -> AsyncEngine | None:
        """The database holding this log's dead letters and their re-drives (None: the log
        keeps none a process could list, as a test double)."""
        store = getattr(self, "store", None)
        engine: AsyncEngine | None = getattr(store, "engine", None)
        return engine

    async def probe(self) -> None:
        """Raise unless the log answers (readiness); the caller bounds the wait."""
        await self.read_stream("readiness-probe")

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def append(
        self,
        case_id: str,
        events: Sequence[EventEnvelope],
        *,
        expected_version: int | None = ANY_VERSION,
        idempotency_key: str | None = None,
        fingerprint: str | None = None,
    ) -> AppendResult:
        """Append events to a case stream atomically.

        ``expected_version``: None appends at the end; 0 requires a new stream; n requires
        the stream to be at n. An ``idempotency_key`` already used returns the original
        result and writes nothing (``IdempotencyKeyReused`` if ``fingerprint`` differs).
        """

    async def append_batch(self, requests: Sequence[AppendRequest]) -> list[BatchOutcome]:
        """Several appends, to any number of cases, committed together where the adapter can.

        Each request is fenced and keyed exactly as ``append`` would do it; requests on one
        case apply in the order given. A refused request (``VersionConflict``,
        ``IdempotencyKeyReused``) comes back in its place and does not stop other cases;
        the later requests of its case are refused too (they were decided on a state that
        included it).
        """
        outcomes: list[BatchOutcome] = []
        refused: dict[str, int] = {}
        for r in requests:
            if r.case_id in refused:
                actual = refused[r.case_id]
                expected = r.expected_version or 0
                outcomes.append(
                    VersionConflict(case_id=r.case_id, expected=expected, actual=actual)
                )
                continue
            try:
                outcomes.append(
                    await self.append(
                        r.case_id,
                        r.events,
                        expected_version=r.expected_version,
                        idempotency_key=r.idempotency_key,
                        fingerprint=r.fingerprint,
                    )
                )
            except VersionConflict as conflict:
                refused[r.case_id] = conflict.actual
                outcomes.append(conflict)
            except IdempotencyKeyReused as reused:
                refused[r.case_id] = len(await self.read_stream(r.case_id))
                outcomes.append(reused)
        return outcomes

    def partition_of(self, case_id: str) -> int:
        """The partition a case's events travel on (0 when the log has one)."""
        return 0

    @abstractmethod
    async def read_stream(self, case_id: str, *, after: int = 0) -> list[EventEnvelope]:
        """The case's events with sequence > ``after``, oldest first."""

    async def read_stream_until(self, case_id: str, *, until: int) -> list[EventEnvelope]:
        """The case's events with sequence <= ``until``, oldest first: the stream as it was
        when its event ``until`` was written. Those never change, so an adapter may answer
        from what it holds in memory."""
        return [e for e in await self.read_stream(case_id) if e.sequence <= until]

    async def read_streams(self, case_ids: Sequence[str]) -> dict[str, list[EventEnvelope]]:
        """Several case streams at once (adapters answer with one query)."""
        return {case_id: await self.read_stream(case_id) for case_id in case_ids}

    @abstractmethod
    def subscribe(
        self, group: str, *, positions: PositionLoader, linger_seconds: float | None = None
    ) -> Subscription:
        """The group's records from its stored positions on. ``linger_seconds``: how long a
        caught-up subscriber lets records gather before taking a batch (None: the log's
        default); the embedded log honours it, Kafka consumers keep their fetch.max.wait."""
        ...

    @abstractmethod
    def replay(
        self, start: Mapping[int, int] | None = None, *, shard: Shard | None = None
    ) -> AsyncIterator[list[Delivery]]:
        """Every record up to the log's end at the time of the call, from the start of the
        log or, per partition, from the next offsets in ``start``. With a ``shard``, only
        the records of its cases (the others are not decoded)."""

    @abstractmethod
    async def end_offsets(self) -> dict[int, int]:
        """Per partition, the offset the next record will get (what a caught-up group holds)."""

    first_offset = 0
    """The offset of a partition's first record (a group with no stored position is there)."""

    @abstractmethod
    async def dead_letter(self, delivery: Delivery, *, group: str, reason: str) -> None:
        """Park a record that cannot be handled, with the reason and its original bytes."""
