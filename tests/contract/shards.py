"""What every log's replay by shards must give: each case in one shard, whole and in order."""

from __future__ import annotations

from shared.log.port import EventLog, Shard
from tests.contract.events import new_case, noted


async def replay_in_shards_covers_each_case_once(log: EventLog, *, count: int = 3) -> None:
    cases = [new_case() for _ in range(12)]
    for case in cases:
        for i in range(3):
            await log.append(case, [noted(case, str(i))])

    sequences: dict[int, dict[str, list[int]]] = {}
    for index in range(count):
        mine: dict[str, list[int]] = {}
        async for batch in log.replay(shard=Shard(index, count)):
            for delivery in batch:
                if delivery.event is not None and delivery.event.case_id in cases:
                    mine.setdefault(delivery.event.case_id, []).append(delivery.event.sequence)
        sequences[index] = mine

    for case in cases:
        holders = [index for index, mine in sequences.items() if case in mine]
        assert len(holders) == 1, f"{case} is in shards {holders}"
        assert sequences[holders[0]][case] == [1, 2, 3]
