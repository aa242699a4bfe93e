"""Events: the envelope, compact JSON, the registry and upcasting of old versions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.events.codec import (
    PoisonEvent,
    decode,
    encode,
    encode_instant,
    encode_unrecorded,
    recorded_body,
)
from shared.events.envelope import EventEnvelope, new_event
from shared.events.payload import EventPayload
from shared.events.registry import EventRegistry, UnknownEventType


class PartyMoved(EventPayload):
    """Version 2 split ``address`` (v1) into ``town`` and ``street``."""

    event_type = "PartyMoved"
    schema_version = 2

    town: str
    street: str


def registry_with_upcaster() -> EventRegistry:
    registry = EventRegistry()
    registry.register(PartyMoved)

    @registry.upcaster("PartyMoved", from_version=1)
    def split_address(raw: dict[str, object]) -> dict[str, object]:
        town, _, street = str(raw["address"]).partition("/")
        return {"town": town, "street": street}

    return registry


def test_an_old_version_is_upcast_on_read() -> None:
    registry = registry_with_upcaster()
    stored = EventEnvelope(
        event_id=uuid.uuid4(),
        event_type="PartyMoved",
        schema_version=1,
        case_id="c1",
        occurred_at="2026-01-01T00:00:00Z",
        correlation_id=uuid.uuid4(),
        producer="old-build",
        payload={"address": "枫桥镇/新街"},
    )

    payload = stored.decode(registry)

    assert payload == PartyMoved(town="枫桥镇", street="新街")


def test_a_version_newer_than_the_build_or_without_upcaster_is_refused() -> None:
    registry = EventRegistry()
    registry.register(PartyMoved)
    with pytest.raises(UnknownEventType, match="no upcaster"):
        registry.decode("PartyMoved", 1, {"address": "x/y"})
    with pytest.raises(UnknownEventType, match="newer"):
        registry.decode("PartyMoved", 3, {})
    with pytest.raises(UnknownEventType, match="unknown event type"):
        registry.decode("NeverHeardOf", 1, {})


def test_a_type_cannot_be_registered_twice_with_different_classes() -> None:
    registry = registry_with_upcaster()

    class Impostor(EventPayload):
        event_type = "PartyMoved"

    with pytest.raises(ValueError, match="twice"):
        registry.register(Impostor)


def test_envelopes_round_trip_through_compact_json_and_are_immutable() -> None:
    cause = new_event(PartyMoved(town="a", street="b"), case_id="c1", producer="test")
    effect = new_event(
        PartyMoved(town="c", street="d"),
        case_id="c1",
        producer="test",
        causation=cause,
        idempotency_key="k",
    )

    data = encode(effect)

    assert b" " not in data.replace(b"PartyMoved", b"")  # compact
    assert decode(data) == effect
    assert effect.causation_id == cause.event_id
    assert effect.correlation_id == cause.correlation_id
    with pytest.raises(ValidationError):
        effect.case_id = "other"  # type: ignore[misc]


def test_keyed_events_have_stable_ids_per_case() -> None:
    payload = PartyMoved(town="a", street="b")
    first = new_event(payload, case_id="c1", producer="t", idempotency_key="k")
    again = new_event(payload, case_id="c1", producer="t", idempotency_key="k")
    other_case = new_event(payload, case_id="c2", producer="t", idempotency_key="k")
    assert first.event_id == again.event_id != other_case.event_id


def test_undecodable_bytes_are_poison() -> None:
    with pytest.raises(PoisonEvent):
        decode(b"{not json")
    with pytest.raises(PoisonEvent):
        decode(b'{"event_type": "X"}')


_zones = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-3))])
_instants = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=_zones
)
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@given(
    occurred=_instants,
    recorded=st.none() | _instants,
    sequence=st.integers(min_value=0, max_value=10**6),
    causation=st.none() | st.uuids(),
    key=st.none() | st.text(max_size=20),
    payload=st.dictionaries(st.text(max_size=10), _json, max_size=5),
)
def test_the_stored_bytes_are_the_envelopes_json_without_its_unset_fields(
    occurred: datetime,
    recorded: datetime | None,
    sequence: int,
    causation: uuid.UUID | None,
    key: str | None,
    payload: dict[str, object],
) -> None:
    envelope = EventEnvelope(
        event_id=uuid.uuid4(),
        event_type="CaseNoted",
        schema_version=1,
        case_id="c-1",
        sequence=sequence,
        occurred_at=occurred,
        recorded_at=recorded,
        causation_id=causation,
        correlation_id=uuid.uuid4(),
        producer="test",
        idempotency_key=key,
        payload=payload,
    )
    assert encode(envelope) == orjson.dumps(envelope.model_dump(mode="json", exclude_none=True))
    assert decode(encode(envelope)) == envelope


@given(
    occurred=_instants,
    stamp=_instants,
    sequence=st.integers(min_value=1, max_value=10**6),
    payload=st.dictionaries(st.text(max_size=10), _json, max_size=5),
)
def test_a_body_encoded_ahead_and_completed_by_the_log_decodes_to_the_recorded_event(
    occurred: datetime, stamp: datetime, sequence: int, payload: dict[str, object]
) -> None:
    planned = EventEnvelope(
        event_id=uuid.uuid4(),
        event_type="CaseNoted",
        schema_version=1,
        case_id="c-1",
        occurred_at=occurred,
        correlation_id=uuid.uuid4(),
        producer="test",
        payload=payload,
    )
    body = recorded_body(
        encode_unrecorded(planned),
        sequence=sequence,
        occurred_at=encode_instant(stamp),
        recorded_at=encode_instant(stamp),
    )
    recorded = planned.model_copy(
        update={"sequence": sequence, "occurred_at": stamp, "recorded_at": stamp}
    )
    assert decode(body) == recorded


@pytest.mark.parametrize("occurs_when_recorded", [False, True])
def test_the_log_stamps_a_copy_as_pydantic_would_and_leaves_the_original_alone(
    occurs_when_recorded: bool,
) -> None:
    event = new_event(PartyMoved(town="a", street="b"), case_id="c-1", producer="test")
    at = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    occurred = at if occurs_when_recorded else None
    stamped = event.recorded(sequence=3, recorded_at=at, occurred_at=occurred)
    update: dict[str, object] = {"sequence": 3, "recorded_at": at}
    if occurs_when_recorded:
        update["occurred_at"] = at
    expected = event.model_copy(update=update)

    assert stamped == expected
    assert stamped.model_fields_set == expected.model_fields_set
    assert encode(stamped) == encode(expected)
    assert decode(encode(stamped)) == expected
    assert (event.sequence, event.recorded_at) == (0, None)
    with pytest.raises(ValidationError):
        stamped.sequence = 4  # type: ignore[misc]
