"""A rebuild's batch is grouped by case once for every projection that folds cases."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from shared.consumers.per_case import CaseStreams, by_case, new_in
from shared.consumers.rebuild_pass import Model, apply_events
from shared.events.envelope import EventEnvelope
from shared.log.port import Delivery, Position

AT = datetime(2026, 1, 5, tzinfo=UTC)


def _event(case_id: str, sequence: int) -> EventEnvelope:
    event_id = uuid.uuid4()
    return EventEnvelope(
        event_id=event_id,
        event_type="CaseNoted",
        schema_version=1,
        case_id=case_id,
        sequence=sequence,
        occurred_at=AT,
        correlation_id=event_id,
        producer="test",
        payload={},
    )


class _ByCase:
    group = "test.by_case"

    def __init__(self) -> None:
        self.handed: list[CaseStreams] = []
        self.new: list[Collection[str]] = []

    async def apply(self, event: EventEnvelope, conn: Any) -> None:
        raise AssertionError("a pass hands whole batches")

    async def apply_many(self, events: Sequence[EventEnvelope], conn: Any) -> None:
        raise AssertionError("a projection folding cases is handed them grouped")

    async def apply_cases(
        self, cases: CaseStreams, conn: Any, *, new_cases: Collection[str] = ()
    ) -> None:
        self.handed.append(cases)
        self.new.append(new_cases)


class _Flat:
    group = "test.flat"

    def __init__(self) -> None:
        self.handed: list[Sequence[EventEnvelope]] = []
        self.new: list[Collection[str]] = []

    async def apply(self, event: EventEnvelope, conn: Any) -> None:
        raise AssertionError("a pass hands whole batches")

    async def apply_many(
        self, events: Sequence[EventEnvelope], conn: Any, *, new_cases: Collection[str] = ()
    ) -> None:
        self.handed.append(events)
        self.new.append(new_cases)


def test_events_are_grouped_by_case_in_sequence_order() -> None:
    a1, b1, a2, a3, b2 = (
        _event(c, s) for c, s in [("a", 1), ("b", 1), ("a", 2), ("a", 3), ("b", 2)]
    )
    streams = by_case([a1, b1, a3, a2, b2])
    assert list(streams) == ["a", "b"]
    assert streams["a"] == [a1, a2, a3]
    assert streams["b"] == [b1, b2]


async def test_every_projection_folding_cases_gets_one_grouping_of_the_batch() -> None:
    events = [_event("a", 1), _event("b", 1), _event("a", 2)]
    batch = [Delivery(Position(0, i + 1), b"", e, None, e.case_id) for i, e in enumerate(events)]
    first, second, flat = _ByCase(), _ByCase(), _Flat()
    models = [Model(projection, [], projection) for projection in (first, second, flat)]  # type: ignore[arg-type]

    applied = await apply_events(models, batch, conn=None)  # type: ignore[arg-type]

    assert applied == 3
    (grouped,) = first.handed
    assert second.handed == [grouped] and second.handed[0] is grouped
    assert grouped == {"a": [events[0], events[2]], "b": [events[1]]}
    assert flat.handed == [events]


def test_a_case_is_new_where_its_events_begin_with_the_first() -> None:
    streams = by_case([_event("a", 1), _event("b", 4), _event("a", 2), _event("c", 1)])
    assert new_in(streams) == {"a", "c"}


def _batch(events: list[EventEnvelope]) -> list[Delivery]:
    return [Delivery(Position(0, i + 1), b"", e, None, e.case_id) for i, e in enumerate(events)]


async def test_the_pass_tells_every_projection_which_cases_are_new() -> None:
    events = [_event("a", 1), _event("b", 3), _event("a", 2)]
    folding, flat = _ByCase(), _Flat()
    models = [Model(projection, [], projection) for projection in (folding, flat)]  # type: ignore[arg-type]

    await apply_events(models, _batch(events), conn=None, in_pass=True)  # type: ignore[arg-type]

    assert folding.new == [{"a"}]
    assert flat.new == [{"a"}]


async def test_records_applied_again_at_the_swap_have_no_new_cases() -> None:
    """The swap's catch-up may apply again what the pass applied: every row is looked up."""
    folding, flat = _ByCase(), _Flat()
    models = [Model(projection, [], projection) for projection in (folding, flat)]  # type: ignore[arg-type]

    await apply_events(models, _batch([_event("a", 1)]), conn=None)  # type: ignore[arg-type]

    assert folding.new == [frozenset()]
    assert flat.new == [frozenset()]
