"""The one envelope every event travels in.

An event is immutable once recorded. ``sequence`` is its position in its case's stream
(1-based, gap-free); the log assigns it on append together with ``recorded_at``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.events.payload import EventPayload
from shared.events.registry import REGISTRY, EventRegistry

EVENT_ID_NAMESPACE = uuid.UUID("5f1c0a52-9a43-4a52-8a4e-6b8f6bb0e7a1")


def utc_now() -> datetime:
    return datetime.now(UTC)


_event_clock: Callable[[], datetime] | None = None


def use_event_clock(now: Callable[[], datetime] | None) -> None:
    """Events of this process occur at ``now()`` (a simulated clock's), or, with None, at
    the machine's time. Set where the process's clock is made (``shared/runtime/build.py``)."""
    global _event_clock
    _event_clock = now


def event_now(recorded: datetime | None = None) -> datetime:
    """When an event made now occurs: the simulated clock's instant under CLOCK=simulated,
    else ``recorded`` (the log's stamp, for events that occur when recorded) or the time."""
    if _event_clock is not None:
        return _event_clock()
    return recorded or utc_now()


def deterministic_event_id(case_id: str, idempotency_key: str, index: int = 0) -> uuid.UUID:
    """The id of the ``index``-th event a keyed command wrote to a case: stable across retries."""
    return uuid.uuid5(EVENT_ID_NAMESPACE, f"{case_id}/{idempotency_key}#{index}")


class EventEnvelope(BaseModel):
    """Metadata plus payload of one event, as stored in the log."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: uuid.UUID
    event_type: str = Field(description="Past-tense event name, e.g. CaseReported")
    schema_version: int = Field(ge=1)
    case_id: str = Field(min_length=1, description="Stream id and partition key")
    sequence: int = Field(default=0, ge=0, description="Position in the case stream, 1-based")
    occurred_at: datetime
    recorded_at: datetime | None = None
    causation_id: uuid.UUID | None = None
    correlation_id: uuid.UUID
    producer: str
    idempotency_key: str | None = None
    payload: dict[str, Any]

    def decode(self, registry: EventRegistry = REGISTRY) -> EventPayload:
        """The typed payload, upcast to the current schema version."""
        return registry.decode(self.event_type, self.schema_version, self.payload)

    def recorded(
        self, *, sequence: int, recorded_at: datetime, occurred_at: datetime | None = None
    ) -> EventEnvelope:
        """This event as the log stored it: its sequence and recording time set (and its
        occurrence time, for events that occur when recorded).

        What ``model_copy(update=...)`` gives, built the way ``model_construct`` builds a
        model (the values are the validated ones, so nothing is checked again): the log
        stamps every event it appends, and pydantic's copy costs three times this."""
        return stamped(self, sequence, recorded_at, occurred_at)


_RECORDED_FIELDS = set(EventEnvelope.model_fields)
"""What a recorded envelope counts as set: every field (the log wrote each, None ones by
leaving them out). One set shared by them all: a frozen model never adds to it, and its
copies copy it; a set per event cost a third of the stamping."""
_new = object.__new__
_set = object.__setattr__


def stamped(
    event: EventEnvelope, sequence: int, recorded_at: datetime, occurred_at: datetime | None
) -> EventEnvelope:
    """``event.recorded(...)`` with its arguments in order (the log's loop calls it per
    event)."""
    values = event.__dict__.copy()
    values["sequence"] = sequence
    values["recorded_at"] = recorded_at
    if occurred_at is not None:
        values["occurred_at"] = occurred_at
    result = _new(EventEnvelope)
    _set(result, "__dict__", values)
    _set(result, "__pydantic_fields_set__", _RECORDED_FIELDS)
    _set(result, "__pydantic_extra__", None)
    _set(result, "__pydantic_private__", None)
    return result


def new_event(
    payload: EventPayload,
    *,
    case_id: str,
    producer: str,
    correlation_id: uuid.UUID | None = None,
    causation: EventEnvelope | None = None,
    idempotency_key: str | None = None,
    index: int = 0,
    occurred_at: datetime | None = None,
) -> EventEnvelope:
    """Wrap a payload in a fresh envelope.

    With an idempotency key the event id is derived from it, so a retried command produces
    byte-identical ids. Causation and correlation follow the causing event when given.
    """
    event_id = (
        deterministic_event_id(case_id, idempotency_key, index) if idempotency_key else uuid.uuid4()
    )
    if correlation_id is None:
        correlation_id = causation.correlation_id if causation else event_id
    return EventEnvelope(
        event_id=event_id,
        event_type=payload.event_type,
        schema_version=payload.schema_version,
        case_id=case_id,
        occurred_at=occurred_at or event_now(),
        causation_id=causation.event_id if causation else None,
        correlation_id=correlation_id,
        producer=producer,
        idempotency_key=idempotency_key,
        payload=payload.model_dump(mode="json"),
    )


def new_events(
    payloads: Sequence[EventPayload],
    *,
    case_id: str,
    producer: str,
    causation: EventEnvelope,
    idempotency_key: str | None,
    occurred_at: datetime | None = None,
) -> list[EventEnvelope]:
    """The envelopes of one decision: the payloads in order, caused by ``causation``, their
    ids derived from ``idempotency_key`` and their place when one is given, all occurring
    at ``occurred_at`` when given."""
    return [
        new_event(
            payload,
            case_id=case_id,
            producer=producer,
            causation=causation,
            idempotency_key=idempotency_key,
            index=index,
            occurred_at=occurred_at,
        )
        for index, payload in enumerate(payloads)
    ]
