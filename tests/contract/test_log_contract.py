"""The log contract: every adapter (embedded, Kafka) must pass the same tests."""

from __future__ import annotations

import asyncio

import pytest

from shared.events.codec import encode_unrecorded
from shared.log.port import (
    NO_STREAM,
    AppendRequest,
    AppendResult,
    IdempotencyKeyReused,
    VersionConflict,
)
from tests.conftest import LogUnderTest
from tests.contract.events import new_case, noted
from tests.contract.shards import replay_in_shards_covers_each_case_once


async def test_appended_events_read_back_in_order_with_sequences(any_log: LogUnderTest) -> None:
    case = new_case()
    first = await any_log.log.append(case, [noted(case, "a"), noted(case, "b")])
    second = await any_log.log.append(case, [noted(case, "c")], expected_version=2)

    stream = await any_log.log.read_stream(case)

    assert [e.payload["note"] for e in stream] == ["a", "b", "c"]
    assert [e.sequence for e in stream] == [1, 2, 3]
    assert first.last_sequence == 2 and second.last_sequence == 3
    assert all(e.recorded_at is not None for e in stream)
    assert [e.sequence for e in await any_log.log.read_stream(case, after=2)] == [3]


async def test_stale_expected_version_is_refused(any_log: LogUnderTest) -> None:
    case = new_case()
    await any_log.log.append(case, [noted(case, "a")], expected_version=NO_STREAM)

    with pytest.raises(VersionConflict) as refused:
        await any_log.log.append(case, [noted(case, "b")], expected_version=NO_STREAM)

    assert refused.value.actual == 1
    assert len(await any_log.log.read_stream(case)) == 1


async def test_concurrent_appends_on_one_version_only_one_wins(any_log: LogUnderTest) -> None:
    case = new_case()
    await any_log.log.append(case, [noted(case, "start")])

    outcomes = await asyncio.gather(
        *(
            any_log.log.append(case, [noted(case, f"writer {i}")], expected_version=1)
            for i in range(10)
        ),
        return_exceptions=True,
    )

    winners = [o for o in outcomes if not isinstance(o, BaseException)]
    conflicts = [o for o in outcomes if isinstance(o, VersionConflict)]
    assert len(winners) == 1 and len(conflicts) == 9
    assert [e.sequence for e in await any_log.log.read_stream(case)] == [1, 2]


async def test_retry_with_a_used_idempotency_key_writes_nothing(any_log: LogUnderTest) -> None:
    case = new_case()
    events = [noted(case, "x", key="k1", index=0), noted(case, "y", key="k1", index=1)]
    original = await any_log.log.append(
        case, events, idempotency_key=f"{case}:k1", fingerprint="f1"
    )

    retried = await any_log.log.append(case, events, idempotency_key=f"{case}:k1", fingerprint="f1")

    assert retried.replayed and not original.replayed
    assert [e.event_id for e in retried.events] == [e.event_id for e in original.events]
    assert len(await any_log.log.read_stream(case)) == 2
    with pytest.raises(IdempotencyKeyReused):
        await any_log.log.append(
            case, [noted(case, "z")], idempotency_key=f"{case}:k1", fingerprint="f2"
        )


async def test_replay_yields_every_event_once(any_log: LogUnderTest) -> None:
    cases = [new_case() for _ in range(5)]
    for case in cases:
        for i in range(4):
            await any_log.log.append(case, [noted(case, str(i))])

    seen = [d.event for batch in [b async for b in any_log.log.replay()] for d in batch]

    mine = [e for e in seen if e is not None and e.case_id in cases]
    assert len(mine) == 20
    for case in cases:
        assert [e.sequence for e in mine if e.case_id == case] == [1, 2, 3, 4]


async def test_a_replay_split_into_shards_yields_each_case_in_one_shard(
    any_log: LogUnderTest,
) -> None:
    await replay_in_shards_covers_each_case_once(any_log.log)


async def test_a_batch_appends_to_many_cases_with_fences_and_keys(any_log: LogUnderTest) -> None:
    fresh, moved, keyed = new_case(), new_case(), new_case()
    await any_log.log.append(moved, [noted(moved, "a"), noted(moved, "b")])
    key = f"{keyed}:k"
    first = await any_log.log.append(keyed, [noted(keyed, "k", key=key)], idempotency_key=key)

    outcomes = await any_log.log.append_batch(
        [
            AppendRequest(fresh, [noted(fresh, "1")], expected_version=NO_STREAM),
            AppendRequest(fresh, [noted(fresh, "2"), noted(fresh, "3")], expected_version=1),
            AppendRequest(moved, [noted(moved, "stale")], expected_version=1),
            AppendRequest(keyed, [noted(keyed, "k", key=key)], idempotency_key=key),
        ]
    )

    one, two, stale, again = outcomes
    assert isinstance(one, AppendResult) and isinstance(two, AppendResult)
    assert [e.sequence for e in (*one.events, *two.events)] == [1, 2, 3]
    assert isinstance(stale, VersionConflict) and stale.actual == 2
    assert isinstance(again, AppendResult) and again.replayed
    assert [e.event_id for e in again.events] == [e.event_id for e in first.events]
    assert [e.payload["note"] for e in await any_log.log.read_stream(fresh)] == ["1", "2", "3"]
    assert [e.payload["note"] for e in await any_log.log.read_stream(moved)] == ["a", "b"]
    assert len(await any_log.log.read_stream(keyed)) == 1


async def test_a_batch_mixing_bodies_encoded_ahead_stores_every_event_as_recorded(
    any_log: LogUnderTest,
) -> None:
    """Firings arrive encoded ahead (the log only completes them), other appends of the
    same commit are encoded by the log: each stored body is its recorded event, read back
    by stream and by a replay (whichever of them an adapter answers from its store)."""
    plain, ahead, later = new_case(), new_case(), new_case()
    planned = [noted(ahead, "fires"), noted(ahead, "fires too")]
    outcomes = await any_log.log.append_batch(
        [
            AppendRequest(plain, [noted(plain, "first")]),
            AppendRequest(
                ahead,
                planned,
                occur_when_recorded=True,
                bodies=tuple(encode_unrecorded(e) for e in planned),
            ),
            AppendRequest(later, [noted(later, "last"), noted(later, "after it")]),
        ]
    )

    recorded = [e for o in outcomes if isinstance(o, AppendResult) for e in o.events]
    cases = {plain: 0, ahead: 1, later: 2}
    decoded = [d.event for batch in [b async for b in any_log.log.replay()] for d in batch]
    replayed = sorted(
        (e for e in decoded if e is not None and e.case_id in cases),
        key=lambda e: (cases[e.case_id], e.sequence),
    )
    stored = [e for case in cases for e in await any_log.log.read_stream(case)]
    assert [e.payload["note"] for e in stored] == [
        "first",
        "fires",
        "fires too",
        "last",
        "after it",
    ]
    assert stored == recorded and replayed == recorded
    assert [e.occurred_at for e in stored[1:3]] == [stored[1].recorded_at] * 2


async def test_a_batch_travels_like_single_appends_on_each_case_partition(
    any_log: LogUnderTest,
) -> None:
    cases = [new_case() for _ in range(30)]
    await any_log.log.append_batch([AppendRequest(c, [noted(c, "x")]) for c in cases])

    seen = [d for batch in [b async for b in any_log.log.replay()] for d in batch]

    mine = [d for d in seen if d.event is not None and d.event.case_id in cases]
    assert sorted(d.event.case_id for d in mine if d.event) == sorted(cases)
    assert all(
        d.position.partition == any_log.log.partition_of(d.event.case_id) for d in mine if d.event
    )


async def test_a_refused_request_refuses_the_rest_of_its_case_in_the_batch(
    any_log: LogUnderTest,
) -> None:
    case, other = new_case(), new_case()
    await any_log.log.append(case, [noted(case, "a"), noted(case, "b")])

    outcomes = await any_log.log.append_batch(
        [
            AppendRequest(case, [noted(case, "decided at 1")], expected_version=1),
            # would match the head by chance, but was decided after the refused one
            AppendRequest(case, [noted(case, "decided at 2")], expected_version=2),
            AppendRequest(other, [noted(other, "fine")], expected_version=NO_STREAM),
        ]
    )

    assert [type(o) for o in outcomes] == [VersionConflict, VersionConflict, AppendResult]
    assert [e.payload["note"] for e in await any_log.log.read_stream(case)] == ["a", "b"]


async def test_a_new_stream_append_on_an_existing_stream_is_refused_alone_in_its_batch(
    any_log: LogUnderTest,
) -> None:
    taken, fresh = new_case(), new_case()
    await any_log.log.append(taken, [noted(taken, "first")])

    outcomes = await any_log.log.append_batch(
        [
            AppendRequest(fresh, [noted(fresh, "new")], expected_version=NO_STREAM),
            AppendRequest(taken, [noted(taken, "again")], expected_version=NO_STREAM),
        ]
    )

    made, refused = outcomes
    assert isinstance(made, AppendResult) and made.last_sequence == 1
    assert isinstance(refused, VersionConflict) and refused.actual == 1
    assert [e.payload["note"] for e in await any_log.log.read_stream(taken)] == ["first"]
    assert [e.payload["note"] for e in await any_log.log.read_stream(fresh)] == ["new"]


async def test_a_lone_new_stream_append_with_a_key_on_an_existing_stream_is_refused(
    any_log: LogUnderTest,
) -> None:
    taken = new_case()
    key = f"{taken}:again"
    await any_log.log.append(taken, [noted(taken, "first"), noted(taken, "second")])

    with pytest.raises(VersionConflict) as refused:
        await any_log.log.append(
            taken, [noted(taken, "again")], expected_version=NO_STREAM, idempotency_key=key
        )

    assert refused.value.actual == 2
    assert [e.payload["note"] for e in await any_log.log.read_stream(taken)] == [
        "first",
        "second",
    ]
    made = await any_log.log.append(
        taken, [noted(taken, "third")], expected_version=2, idempotency_key=key
    )
    assert made.last_sequence == 3 and not made.replayed
