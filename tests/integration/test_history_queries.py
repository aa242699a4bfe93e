"""The history read model on SQLite and PostgreSQL: a redelivered batch changes nothing,
and the earlier cases of a report are those of its window, itself and later ones aside,
a bounded number per category at its grid."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.triage.history.projection import CaseHistoryProjection
from services.triage.history.queries import EARLIER_MAX, Window, earlier_cases, months_before
from services.triage.history.tables import case_history, party_cases
from shared.cases.party_keys import party_keys
from shared.events.envelope import EventEnvelope
from tests.conftest import _migrated_engine, fresh_pg_database, integration_available
from tests.unit.notify.test_planning import AT
from tests.unit.triage.test_history import SECRET, envelope

GRID, OTHER_GRID = "330681001001001", "330681001001002"
PARTY = {"name": "张三", "phone": "13812345678"}


@pytest.fixture(params=["sqlite", "postgresql"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    if request.param == "postgresql":
        if not integration_available():
            pytest.skip("needs PostgreSQL (see .ci/run)")
        async with fresh_pg_database() as url:
            made = await _migrated_engine(url)
            yield made
            await made.dispose()
        return
    made = await _migrated_engine(f"sqlite+aiosqlite:///{tmp_path}/app.db")
    yield made
    await made.dispose()


def reported(case_id: str, days_ago: float, *, grid: str, party: bool) -> EventEnvelope:
    payload = {"number": f"N-{case_id}", "unit_code": grid, "parties": [PARTY] if party else []}
    event = envelope(1, "CaseReported", payload, case_id=case_id)
    return event.model_copy(update={"occurred_at": AT - timedelta(days=days_ago)})


def triaged(case_id: str, category: str) -> EventEnvelope:
    return envelope(2, "CaseTriaged", {"category": category}, case_id=case_id)


async def test_earlier_cases_are_those_of_the_window_bounded_per_category(
    engine: AsyncEngine,
) -> None:
    events = [
        reported("old", 400, grid=OTHER_GRID, party=True),
        reported("party", 330, grid=OTHER_GRID, party=True),
        reported("self", 0, grid=GRID, party=True),
        reported("later", -1, grid=GRID, party=True),
        reported("refund", 5, grid=GRID, party=False),
        triaged("refund", "consumer"),
        *(reported(f"noise{i}", 20 + i, grid=GRID, party=False) for i in range(12)),
        *(triaged(f"noise{i}", "neighbour") for i in range(12)),
    ]
    projection = CaseHistoryProjection(secret=SECRET)
    for _ in range(2):  # the second time, as a redelivery
        async with engine.begin() as conn:
            await projection.apply_many(events, conn)
    async with engine.connect() as conn:
        counts = [
            (await conn.execute(select(func.count()).select_from(t))).scalar_one()
            for t in (case_history, party_cases)
        ]
        window = Window("self", months_before(AT, 12), AT)
        keys = party_keys([PARTY], secret=SECRET)
        found = await earlier_cases(conn, keys=keys, grid=GRID, window=window)

    assert counts == [17, 4]
    by_number = {case.number: case for case in found}
    noise = sorted(n for n in by_number if n.startswith("N-noise"))
    assert noise == sorted(f"N-noise{i}" for i in range(EARLIER_MAX))  # the most recent ones
    assert set(by_number) - set(noise) == {"N-party", "N-refund"}
    assert by_number["N-party"].same_party and not by_number["N-party"].same_grid
    assert by_number["N-refund"].same_grid and by_number["N-refund"].category == "consumer"
    assert by_number["N-noise0"].category == "neighbour"


async def test_a_report_folded_into_an_incident_is_not_an_earlier_dispute(
    engine: AsyncEngine,
) -> None:
    """Five neighbours calling about one barking dog are one dispute, not a repeat: the
    reports folded into the incident (合并工单) do not count until one is unfolded."""
    callers = [reported(f"caller{i}", 1, grid=GRID, party=True) for i in range(3)]
    folded = [
        envelope(3, "ReportFolded", {"into_case_id": "caller0"}, case_id=f"caller{i}")
        for i in (1, 2)
    ]
    unfolded = envelope(4, "ReportUnfolded", {"from_case_id": "caller0"}, case_id="caller2")
    projection = CaseHistoryProjection(secret=SECRET)
    window = Window("self", months_before(AT, 12), AT)
    keys = party_keys([PARTY], secret=SECRET)
    seen = []
    for batch in ([*callers, *folded], [unfolded]):
        async with engine.begin() as conn:
            await projection.apply_many(batch, conn)
        async with engine.connect() as conn:
            found = await earlier_cases(conn, keys=keys, grid=GRID, window=window)
        seen.append(sorted(case.number for case in found))

    assert seen == [["N-caller0"], ["N-caller0", "N-caller2"]]


async def test_without_places_only_the_parties_cases_are_earlier(engine: AsyncEngine) -> None:
    events = [
        reported("party", 30, grid=OTHER_GRID, party=True),
        reported("neighbour", 20, grid=GRID, party=False),
    ]
    async with engine.begin() as conn:
        await CaseHistoryProjection(secret=SECRET).apply_many(events, conn)
    window = Window("self", months_before(AT, 12), AT)
    keys = party_keys([PARTY], secret=SECRET)
    async with engine.connect() as conn:
        everywhere = await earlier_cases(conn, keys=keys, grid=GRID, window=window)
        parties_only = await earlier_cases(conn, keys=keys, grid=None, window=window)

    assert sorted(case.number for case in everywhere) == ["N-neighbour", "N-party"]
    assert [case.number for case in parties_only] == ["N-party"]
