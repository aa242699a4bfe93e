"""The candidate index on real PostgreSQL: two instances triaging two reports of one incident
at the same instant fold one into the other, and a redelivered report gets its first answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.triage.config import DuplicatesSettings
from services.triage.duplicates.index import DuplicateIndex, Entry
from services.triage.duplicates.similarity import ReportSketch
from shared.db.engine import make_engine
from shared.db.migrate import upgrade_to_head
from tests.conftest import fresh_pg_database, integration_available

pytestmark = pytest.mark.folding

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
DOG = "邻居家的狗每天晚上叫到深夜，吵得全家睡不着觉。"
PAIRS = 20


@pytest.fixture
async def engines() -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    """Two engines on one fresh database: two instances of the triage service."""
    if not integration_available():
        pytest.skip("needs PostgreSQL (see .ci/run)")
    async with fresh_pg_database() as url:
        await asyncio.to_thread(upgrade_to_head, url)
        one, two = make_engine(url, durable=False), make_engine(url, durable=False)
        try:
            yield one, two
        finally:
            await one.dispose()
            await two.dispose()


def entry(case_id: str, village: str) -> Entry:
    sketch = ReportSketch(text=DOG, category="neighbour", unit_code=f"{village}001")
    return Entry(case_id, f"N-{case_id}", village, T0, sketch)


async def test_two_instances_deciding_at_once_fold_one_report_into_the_other(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    settings = DuplicatesSettings()
    first, second = DuplicateIndex(engines[0], settings), DuplicateIndex(engines[1], settings)
    villages = [f"330681{n:06d}" for n in range(PAIRS)]

    decisions = await asyncio.gather(
        *(first.decide(entry(f"{v}-a", v)) for v in villages),
        *(second.decide(entry(f"{v}-b", v)) for v in villages),
    )

    for n, village in enumerate(villages):
        pair = {decisions[n].kind, decisions[PAIRS + n].kind}
        folded = decisions[n] if decisions[n].kind == "fold" else decisions[PAIRS + n]
        assert pair == {"new", "fold"}, f"{village}: {pair}"
        assert folded.case_id in {f"{village}-a", f"{village}-b"}


async def test_a_redelivered_report_gets_the_answer_it_got_first(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    index = DuplicateIndex(engines[0], DuplicatesSettings())
    village = "330681106001"
    await index.decide(entry("incident", village))
    folded = await index.decide(entry("report", village))
    await index.mark("incident", open=False)  # the incident resolved meanwhile

    again = await index.decide(entry("report", village))
    later = await index.decide(entry("late", village))

    assert folded.kind == "fold" and folded.case_id == "incident"
    assert again == folded
    assert later.kind == "new", "a resolved case is no candidate"
