"""Which failures make a record poison (parked with its reason), which are transient
(retried without bound) and which are bugs (retried a bounded number of times, then parked).

Transient means the world is away, not that the event is wrong: the database or the broker
cannot be reached, dropped the connection, timed out, or reports an operational problem
(a lock, a serialisation failure, a deadlock), or another writer moved the case on first.
Waiting and trying again clears these, so a reactor never gives up on them. Anything else a
handler raises (an OverflowError, a KeyError, a ValueError...) is deterministic: the same
event fails the same way, so after ``FQ_REACTOR_MAX_ATTEMPTS`` tries it is parked.
"""

from __future__ import annotations

import asyncpg.exceptions as pg
from aiokafka.errors import KafkaConnectionError, KafkaError
from pydantic import ValidationError
from sqlalchemy import exc as sa

from shared.db.positions import StalePositions
from shared.events.codec import PoisonEvent
from shared.events.registry import UnknownEventType
from shared.log.port import LogUnavailable, VersionConflict


class Unprocessable(Exception):
    """Raised by a handler for an event it can never handle; the record is dead-lettered."""


POISON_ERRORS: tuple[type[Exception], ...] = (
    PoisonEvent,
    UnknownEventType,
    ValidationError,
    Unprocessable,
)

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # ConnectionError, TimeoutError (asyncio's too), socket errors
    sa.DisconnectionError,
    sa.TimeoutError,  # no pooled connection in time
    sa.OperationalError,
    sa.InterfaceError,
    pg.PostgresConnectionError,
    pg.InterfaceError,
    pg.TooManyConnectionsError,
    pg.CannotConnectNowError,
    pg.SerializationError,
    pg.DeadlockDetectedError,
    KafkaConnectionError,
    LogUnavailable,
    VersionConflict,
    StalePositions,
)


def is_poison(exc: BaseException) -> bool:
    return isinstance(exc, POISON_ERRORS)


def is_transient(exc: BaseException) -> bool:
    """The infrastructure failed, not the handler: retry without bound. Looks through the
    exceptions a driver or SQLAlchemy wrapped around the original one."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, TRANSIENT_ERRORS):
            return True
        if isinstance(current, KafkaError) and current.retriable:
            return True
        if isinstance(current, sa.DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__  # set by `raise ... from`, as drivers wrap errors
    return False


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]
