"""Re-drive: a consumer group handles again the dead letters an operator asked for.

Each runner (projection or reactor) looks every ``EVERY_SECONDS`` for its group's pending
re-drives (``shared/log/dead_letters.py``), decodes the parked record and hands it to its
handler once. The outcome is recorded: ``handled``, or ``failed`` with the error (the record
stays parked; it can be re-driven again). A transient failure (the database or the broker
away) leaves the request pending for the next look. Handlers are idempotent, so a record
re-driven by two members of a group at once has the effect of one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

from shared.consumers.errors import describe, is_transient
from shared.events.codec import PoisonEvent, decode
from shared.events.envelope import EventEnvelope, utc_now
from shared.log.dead_letters import DeadLetter, finish, pending
from shared.log.port import EventLog

log = structlog.get_logger(__name__)

EVERY_SECONDS = 1.0
Handle = Callable[[EventEnvelope], Awaitable[None]]


async def redrive_forever(event_log: EventLog, group: str, handle: Handle) -> None:
    """Until cancelled: the group's pending re-drives, handled as they are asked for."""
    engine = event_log.dead_letter_engine
    if engine is None:
        return
    while True:
        try:
            for letter in await pending(engine, group):
                outcome, detail = await redrive_one(letter, handle)
                if outcome is not None:
                    await finish(engine, letter.id, outcome=outcome, detail=detail, at=utc_now())
                    log.info("dead_letter_redriven", group=group, id=letter.id, outcome=outcome)
        except Exception as exc:  # the store away, or a bug: looked at again next time
            log.warning("redrive_unavailable", group=group, error=type(exc).__name__)
        await asyncio.sleep(EVERY_SECONDS)


async def stop_redrives(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def redrive_one(letter: DeadLetter, handle: Handle) -> tuple[str | None, str | None]:
    """(outcome, detail) of handling the letter's record again; (None, None) when the
    failure was transient and the request stays pending."""
    try:
        event = decode(letter.raw)
    except PoisonEvent as exc:
        return "failed", describe(exc)
    try:
        await handle(event)
    except Exception as exc:
        if is_transient(exc):
            return None, None
        return "failed", describe(exc)
    return "handled", None
