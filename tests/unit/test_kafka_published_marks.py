"""The Kafka log marks the rows the broker acknowledged as published, many at a time. A mark
that fails or is cut short (the log closing while it runs) is kept for the next flush, so
the close's last flush still marks it and the relay does not publish the row a second time."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from shared.log.kafka import KafkaLog
from shared.log.kafka_config import KafkaConfig


class MarksOnSecondTry:
    """Stands in for the event store's ``mark_published``: the first call fails."""

    def __init__(self, first: BaseException) -> None:
        self._first: BaseException | None = first
        self.marked: list[str] = []

    async def mark_published(self, event_ids: Sequence[str]) -> None:
        await asyncio.sleep(0)
        if self._first is not None:
            failure, self._first = self._first, None
            raise failure
        self.marked.extend(event_ids)


@pytest.mark.parametrize(
    "failure", [ConnectionResetError("database away"), asyncio.CancelledError()]
)
async def test_a_mark_that_failed_or_was_cancelled_is_made_by_the_next_flush(
    failure: BaseException,
) -> None:
    log = KafkaLog(
        KafkaConfig(
            bootstrap="127.0.0.1:1", database_url="postgresql+asyncpg://u:p@127.0.0.1:1/none"
        )
    )
    store = MarksOnSecondTry(failure)
    log.store = store  # type: ignore[assignment]
    log._published = ["e1", "e2"]  # acknowledged by the broker, not yet marked

    with pytest.raises(type(failure)):
        await log._flush_published()
    log._published.append("e3")  # acknowledged meanwhile
    await log._flush_published()

    assert store.marked == ["e1", "e2", "e3"]
