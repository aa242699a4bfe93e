"""What the SQL event store's writer works with: the calls queued for it (each call's
appends as the caller made them, answered together), and the pure part of an append (what
each request becomes against the stored heads and keys, its stored bytes and rows)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import repeat
from operator import attrgetter
from typing import NamedTuple

from shared.events.codec import encode, encode_instant, recorded_body, uuid_texts
from shared.events.envelope import EventEnvelope, event_now, stamped
from shared.log.port import AppendRequest, AppendResult, IdempotencyKeyReused, VersionConflict

Outcome = AppendResult | BaseException


class Submission:
    """The requests of one call, answered together: one future for all their outcomes (a
    batch of a thousand appends wakes its caller once, not a thousand times)."""

    __slots__ = ("future", "outcomes", "pending")

    def __init__(self, count: int, future: asyncio.Future[list[Outcome]]) -> None:
        self.future = future
        self.outcomes: list[Outcome | None] = [None] * count
        self.pending = count

    def settle(self, slot: int, outcome: Outcome) -> None:
        if self.outcomes[slot] is not None:
            return
        self.outcomes[slot] = outcome
        self.pending -= 1
        if not self.pending and not self.future.done():
            self.future.set_result(self.outcomes)  # type: ignore[arg-type]

    def settle_all(self, outcomes: list[Outcome], first_slot: int = 0) -> None:
        """The outcomes of the requests from ``first_slot`` on, in slot order."""
        if first_slot or len(outcomes) != self.pending or self.pending != len(self.outcomes):
            for slot, outcome in enumerate(outcomes, first_slot):
                self.settle(slot, outcome)
            return
        self.outcomes = outcomes  # type: ignore[assignment]
        self.pending = 0
        if not self.future.done():
            self.future.set_result(outcomes)


class Call(NamedTuple):
    """The appends of one call to the store, as its writer takes them: answered through
    ``submission`` (from its ``first_slot``); calls share a ``group`` with nothing else, and
    a refusal refuses the rest of its case within its group."""

    requests: Sequence[AppendRequest]
    submission: Submission
    group: int
    first_slot: int = 0

    def slots(self) -> range:
        return range(self.first_slot, self.first_slot + len(self.requests))


def settle(calls: Sequence[Call], outcomes: Sequence[Outcome]) -> None:
    """Answer the requests of ``calls`` with ``outcomes``, in the same order."""
    start = 0
    for call in calls:
        end = start + len(call.requests)
        call.submission.settle_all(list(outcomes[start:end]), call.first_slot)
        start = end


def checked(requests: Sequence[AppendRequest]) -> None:
    """Refuse a malformed append before it is queued (ValueError)."""
    for r in requests:
        case_id, events = r.case_id, r.events
        if not events:
            raise ValueError("an append needs at least one event")
        for event in events:
            if event.case_id != case_id:
                raise ValueError("every event of an append must belong to its case")
        if r.bodies is not None and len(r.bodies) != len(events):
            raise ValueError("bodies encoded ahead must be one per event")


class Committed(NamedTuple):
    """What one write transaction recorded: events and their stored bytes, in position
    order from ``first`` (None: the positions are not known without reading them)."""

    first: int | None
    events: Sequence[EventEnvelope]
    bodies: Sequence[bytes]


class Stamp(NamedTuple):
    """What one write transaction stamps on its rows: the recording time as the driver takes
    it and as JSON, and whether rows are recorded as published."""

    recorded_at: object
    recorded_json: bytes
    published: bool


@dataclass(frozen=True)
class Replay:
    case_id: str
    first: int
    last: int


_result = tuple.__new__
"""``AppendResult``'s constructor without the Python function of a named tuple's."""

# Bound on the values of one IN list (drivers cap the parameters of a statement).
IN_CHUNK = 5000


def chunks(values: Sequence[str]) -> list[Sequence[str]]:
    return [values[i : i + IN_CHUNK] for i in range(0, len(values), IN_CHUNK)]


def replay_of(result: AppendResult) -> Replay:
    return Replay(result.case_id, result.events[0].sequence, result.last_sequence)


EVENT_COLUMNS = (
    "event_id",
    "case_id",
    "sequence",
    "event_type",
    "recorded_at",
    "body",
    "published",
)
KEY_COLUMNS = ("key", "case_id", "first_sequence", "last_sequence", "fingerprint")


def event_rows(
    events: Sequence[EventEnvelope], bodies: Sequence[bytes], stamp: Stamp
) -> list[tuple[object, ...]]:
    """The values of ``EVENT_COLUMNS`` of the recorded events, built column by column."""
    if not events:
        return []
    return list(
        zip(
            uuid_texts(list(map(_EVENT_ID, events))),
            map(_CASE_ID, events),
            map(_SEQUENCE, events),
            map(_EVENT_TYPE, events),
            repeat(stamp.recorded_at),
            bodies,
            repeat(stamp.published),
            strict=False,  # the repeats are endless
        )
    )


_EVENT_ID = attrgetter("event_id")
_CASE_ID = attrgetter("case_id")
_SEQUENCE = attrgetter("sequence")
_EVENT_TYPE = attrgetter("event_type")


def add_bodies(
    request: AppendRequest,
    recorded: Sequence[EventEnvelope],
    stamp: Stamp,
    bodies: list[bytes | None],
    at: int,
) -> None:
    """The stored bytes of ``recorded`` from the bodies ``request`` encoded ahead (completed
    with the recording fields), at index ``at`` of ``bodies`` (None up to there: encoded in
    ``complete``)."""
    ahead = request.bodies
    assert ahead is not None
    bodies += [None] * (at - len(bodies))
    for body, e in zip(ahead, recorded, strict=True):
        bodies.append(
            recorded_body(
                body,
                sequence=e.sequence,
                occurred_at=encode_instant(e.occurred_at),
                recorded_at=stamp.recorded_json,
            )
        )


def complete(events: Sequence[EventEnvelope], bodies: list[bytes | None]) -> list[bytes]:
    """``bodies`` with the events it lacks (None, or past its end) encoded: the stored
    bytes of ``events``, one each (encoded in one pass when none came encoded ahead)."""
    if not bodies:
        return list(map(encode, events))
    bodies += [None] * (len(events) - len(bodies))
    return [encode(e) if body is None else body for e, body in zip(events, bodies, strict=True)]


def key_row(request: AppendRequest, result: AppendResult) -> tuple[object, ...]:
    """The values of ``KEY_COLUMNS``."""
    return (
        request.idempotency_key,
        result.case_id,
        result.events[0].sequence,
        result.last_sequence,
        request.fingerprint,
    )


def after_refusal(request: AppendRequest, head: int) -> VersionConflict:
    """A request decided on a state that included a refused request of its batch."""
    return VersionConflict(
        case_id=request.case_id, expected=request.expected_version or 0, actual=head
    )


def decide(
    request: AppendRequest,
    known: dict[str, tuple[Replay, str | None]],
    heads: dict[str, int],
    now: datetime,
) -> AppendResult | Replay | Exception:
    key = request.idempotency_key
    if key and key in known:
        replay, fingerprint = known[key]
        if request.fingerprint and fingerprint and request.fingerprint != fingerprint:
            return IdempotencyKeyReused(key)
        return replay
    head = heads.get(request.case_id, 0)
    if request.expected_version is not None and request.expected_version != head:
        return VersionConflict(
            case_id=request.case_id, expected=request.expected_version, actual=head
        )
    occurred = event_now(now) if request.occur_when_recorded else None
    events = request.events
    if len(events) == 1:
        recorded: tuple[EventEnvelope, ...] = (stamped(events[0], head + 1, now, occurred),)
    else:
        recorded = tuple(
            [
                stamped(event, sequence, now, occurred)
                for sequence, event in enumerate(events, head + 1)
            ]
        )
    heads[request.case_id] = head + len(recorded)
    return _result(AppendResult, (request.case_id, recorded, False))
