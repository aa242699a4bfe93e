"""Compact JSON encoding of envelopes (orjson)."""

from __future__ import annotations

import orjson

from shared.events.envelope import EventEnvelope


class PoisonEvent(ValueError):
    """Bytes that cannot be decoded into an envelope."""


def encode(envelope: EventEnvelope) -> bytes:
    return orjson.dumps(envelope.model_dump(mode="json", exclude_none=True))


def decode(data: bytes) -> EventEnvelope:
    try:
        return EventEnvelope.model_validate(orjson.loads(data))
    except (orjson.JSONDecodeError, ValueError) as exc:
        raise PoisonEvent(f"not a valid event envelope: {exc}") from exc
