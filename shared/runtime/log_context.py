"""Which case a log line is about: case id and correlation id bound in contextvars.

A consumer binds them while it handles an event, a request once it knows its case; every
log line written meanwhile carries them (``merge_contextvars`` in shared/runtime/logging).
Only ids are bound, never personal data.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import structlog

from shared.events.envelope import EventEnvelope


@contextlib.contextmanager
def handling(event: EventEnvelope, *, group: str) -> Iterator[None]:
    """While a consumer group handles one event."""
    with structlog.contextvars.bound_contextvars(
        case_id=event.case_id,
        correlation_id=str(event.correlation_id),
        event_type=event.event_type,
        group=group,
    ):
        yield


def about_case(case_id: str, stream: list[EventEnvelope] | None = None) -> None:
    """For the rest of a request: the case it handles (and its correlation id, if known)."""
    values: dict[str, str] = {"case_id": case_id}
    if stream:
        values["correlation_id"] = str(stream[0].correlation_id)
    structlog.contextvars.bind_contextvars(**values)
