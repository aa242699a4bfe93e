"""Compact JSON encoding of envelopes (orjson)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import orjson
from pydantic_core import to_jsonable_python

from shared.events.envelope import EventEnvelope

OPTIONAL_FIELDS = tuple(
    name
    for name, field in EventEnvelope.model_fields.items()
    if not field.is_required() and field.default is None
)
"""The envelope's fields that may be None: left out of its JSON when they are."""


class PoisonEvent(ValueError):
    """Bytes that cannot be decoded into an envelope."""


def encode(envelope: EventEnvelope) -> bytes:
    """The envelope's JSON without its unset (None) fields.

    Byte for byte what ``model_dump(mode="json", exclude_none=True)`` gives, at a fraction
    of the cost: the payload is JSON-ready already (``new_event`` dumps it in JSON mode), and
    orjson writes UUIDs and datetimes in the same form as pydantic (UTC as ``Z``).
    """
    fields = envelope.__dict__.copy()
    for name in OPTIONAL_FIELDS:
        if fields[name] is None:
            del fields[name]
    return orjson.dumps(fields, default=to_jsonable_python, option=orjson.OPT_UTC_Z)


def uuid_texts(values: list[UUID]) -> list[str]:
    """``str`` of each (the hyphenated form), as orjson writes them: in one call, a tenth
    of the time."""
    if not values:
        return []
    return orjson.dumps(values).decode()[2:-2].split('","')


_VALIDATE_JSON = EventEnvelope.__pydantic_validator__.validate_json
"""What ``EventEnvelope.model_validate_json`` calls, without its wrapper (every record read
is decoded)."""


def decode(data: bytes) -> EventEnvelope:
    """The envelope in ``data``, fully validated. pydantic parses the JSON itself: a third
    less time than ``orjson.loads`` and validating the dict it gives."""
    try:
        return _VALIDATE_JSON(data)  # type: ignore[no-any-return]
    except ValueError as exc:  # pydantic's ValidationError covers malformed JSON too
        raise PoisonEvent(f"not a valid event envelope: {exc}") from exc


RECORDING_FIELDS = frozenset({"sequence", "occurred_at", "recorded_at"})
"""The fields the log may set when it records an event (``recorded_body`` adds them)."""


def encode_unrecorded(envelope: EventEnvelope) -> bytes:
    """The envelope's JSON without its recording fields: encoded ahead of the append (a
    timer firing planned while the scheduler waits), so the log only has to add them."""
    fields = {
        name: value
        for name, value in envelope.__dict__.items()
        if value is not None and name not in RECORDING_FIELDS
    }
    return orjson.dumps(fields, default=to_jsonable_python, option=orjson.OPT_UTC_Z)


def encode_instant(value: datetime) -> bytes:
    """A datetime as a JSON string, in the form ``encode`` writes it."""
    return orjson.dumps(value, option=orjson.OPT_UTC_Z)


def recorded_body(
    unrecorded: bytes, *, sequence: int, occurred_at: bytes, recorded_at: bytes
) -> bytes:
    """``encode_unrecorded``'s bytes completed with the recording fields (instants as
    ``encode_instant`` gives them): decodes to the recorded envelope."""
    return b'%s,"sequence":%d,"occurred_at":%s,"recorded_at":%s}' % (
        unrecorded[:-1],
        sequence,
        occurred_at,
        recorded_at,
    )
