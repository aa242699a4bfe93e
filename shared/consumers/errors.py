"""Which failures make a record poison (parked with its reason) and which are retried."""

from __future__ import annotations

from pydantic import ValidationError

from shared.events.codec import PoisonEvent
from shared.events.registry import UnknownEventType


class Unprocessable(Exception):
    """Raised by a handler for an event it can never handle; the record is dead-lettered."""


POISON_ERRORS: tuple[type[Exception], ...] = (
    PoisonEvent,
    UnknownEventType,
    ValidationError,
    Unprocessable,
)


def is_poison(exc: BaseException) -> bool:
    return isinstance(exc, POISON_ERRORS)


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]
