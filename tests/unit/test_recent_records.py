"""The window of recent records answers exactly what a plain map of the newest records
would: by position, in runs after a position, and by case prefix, however commits of
different sizes (some from another process, so never added) push the oldest out."""

from __future__ import annotations

import random

from shared.events.envelope import EventEnvelope
from shared.log.tail import RecentRecords
from tests.contract.events import noted

CAPACITY = 50


def recorded(case_id: str, sequence: int) -> EventEnvelope:
    return noted(case_id, f"{case_id}#{sequence}").recorded(
        sequence=sequence, recorded_at=noted(case_id, "now").occurred_at
    )


def test_the_window_answers_as_a_map_of_the_newest_records() -> None:
    rng = random.Random(22)
    window = RecentRecords(capacity=CAPACITY)
    kept: dict[int, EventEnvelope] = {}  # position -> event, the newest CAPACITY added
    heads: dict[str, int] = {}
    position = 0
    for commit in range(600):
        size = rng.choice((1, 1, 1, 2, 3, 7, 60))
        events = []
        for _ in range(size):
            case = f"case-{rng.randrange(40)}"
            heads[case] = heads.get(case, 0) + 1
            events.append(recorded(case, heads[case]))
        first = position + 1
        position += size
        if rng.random() < 0.1:
            continue  # another process's commit: in the store, never in this window
        window.add(first, events, [b"body"] * size)
        kept.update(zip(range(first, position + 1), events, strict=True))
        for old in sorted(kept)[: max(0, len(kept) - CAPACITY)]:
            del kept[old]
        if commit % 7 == 0:
            check(window, kept, position, rng)


def check(
    window: RecentRecords, kept: dict[int, EventEnvelope], last: int, rng: random.Random
) -> None:
    assert len(window) == len(kept)
    for position in range(last - 3 * CAPACITY, last + 2):
        assert window.event_at(position) is kept.get(position), position
        run = window.after(position - 1, limit=9)
        expected = []
        while position + len(expected) in kept and len(expected) < 9:
            expected.append(kept[position + len(expected)])
        assert [d.event for d in run or []] == expected, position
        assert all(d.position.offset == position + i for i, d in enumerate(run or []))
    for case in {e.case_id for e in kept.values()}:
        mine = sorted((e for e in kept.values() if e.case_id == case), key=lambda e: e.sequence)
        until = rng.randint(1, 4)
        whole = [e.sequence for e in mine[:until]] == list(range(1, until + 1))
        assert (window.prefix(case, until=until) is not None) == whole, (case, until)
