"""What the SQL event store's writer works with: queued requests, key and head look-ups."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.keys import key_in
from shared.events.envelope import EventEnvelope
from shared.log.port import AppendResult, VersionConflict
from shared.log.sql_schema import append_keys, event_log


@dataclass
class Request:
    case_id: str
    events: Sequence[EventEnvelope]
    expected_version: int | None
    key: str | None
    fingerprint: str | None
    future: asyncio.Future[AppendResult] = field(repr=False)
    occur_when_recorded: bool = False
    bodies: tuple[bytes, ...] | None = None
    group: int = 0
    """Requests submitted together share a group: a refusal refuses the rest of its case."""


@dataclass(frozen=True)
class Replay:
    case_id: str
    first: int
    last: int


# Bound on the values of one IN list (drivers cap the parameters of a statement).
IN_CHUNK = 5000


def chunks(values: Sequence[str]) -> list[Sequence[str]]:
    return [values[i : i + IN_CHUNK] for i in range(0, len(values), IN_CHUNK)]


async def known_keys(
    conn: AsyncConnection, keys: list[str]
) -> dict[str, tuple[Replay, str | None]]:
    known: dict[str, tuple[Replay, str | None]] = {}
    for part in chunks(keys):
        rows = await conn.execute(
            select(append_keys).where(key_in(append_keys.c.key, part, conn.dialect))
        )
        for row in rows:
            replay = Replay(row.case_id, row.first_sequence, row.last_sequence)
            known[row.key] = (replay, row.fingerprint)
    return known


async def stream_heads(conn: AsyncConnection, case_ids: set[str]) -> dict[str, int]:
    heads: dict[str, int] = {}
    for part in chunks(sorted(case_ids)):
        query = (
            select(event_log.c.case_id, func.max(event_log.c.sequence))
            .where(key_in(event_log.c.case_id, part, conn.dialect))
            .group_by(event_log.c.case_id)
        )
        heads.update((case_id, int(head)) for case_id, head in (await conn.execute(query)).all())
    return heads


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


def key_row(request: Request, result: AppendResult) -> tuple[object, ...]:
    """The values of ``KEY_COLUMNS``."""
    return (
        request.key,
        result.case_id,
        result.events[0].sequence,
        result.last_sequence,
        request.fingerprint,
    )


def after_refusal(request: Request, head: int) -> VersionConflict:
    """A request decided on a state that included a refused request of its batch."""
    return VersionConflict(
        case_id=request.case_id, expected=request.expected_version or 0, actual=head
    )


def resolve(request: Request, result: AppendResult) -> None:
    if not request.future.done():
        request.future.set_result(result)


def fail(request: Request, exc: BaseException) -> None:
    if not request.future.done():
        request.future.set_exception(exc)
