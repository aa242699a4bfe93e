"""Which case a log line is about: case id and correlation id bound in contextvars.

A consumer marks the event it handles, a request binds its case once it knows it; every
log line written meanwhile carries them (``merge_contextvars`` and ``add_handled_event``
in shared/runtime/logging). Only ids are bound, never personal data.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, MutableMapping
from contextvars import ContextVar
from typing import Any

import structlog

from shared.events.envelope import EventEnvelope

_HANDLED: ContextVar[tuple[EventEnvelope, str] | None] = ContextVar("handled_event", default=None)
"""The event a consumer group handles now. Its ids are read only when a line is written:
a consumer handles far more events than it logs lines."""


@contextlib.contextmanager
def handling(event: EventEnvelope, *, group: str) -> Iterator[None]:
    """While a consumer group handles one event."""
    token = _HANDLED.set((event, group))
    try:
        yield
    finally:
        _HANDLED.reset(token)


def add_handled_event(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A structlog processor: the handled event's ids, unless the line names its own."""
    handled = _HANDLED.get()
    if handled is not None:
        event, group = handled
        event_dict.setdefault("case_id", event.case_id)
        event_dict.setdefault("correlation_id", str(event.correlation_id))
        event_dict.setdefault("event_type", event.event_type)
        event_dict.setdefault("group", group)
    return event_dict


def about_case(case_id: str, stream: list[EventEnvelope] | None = None) -> None:
    """For the rest of a request: the case it handles (and its correlation id, if known)."""
    values: dict[str, str] = {"case_id": case_id}
    if stream:
        values["correlation_id"] = str(stream[0].correlation_id)
    structlog.contextvars.bind_contextvars(**values)
