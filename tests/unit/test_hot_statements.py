"""A hot select run on the embedded database's driver reads the same rows, with the same
values and types (datetimes, booleans, JSON documents, nulls, a literal limit), as the same
select through SQLAlchemy; a hot update changes what it would, counts the rows it changed,
and is undone with its transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from services.triage.duplicates.index import CANDIDATES, KNOWN
from services.triage.history.queries import AT_GRID
from services.triage.history.tables import case_history
from shared.db.engine import make_engine
from shared.db.hot_statements import (
    hot_execute,
    hot_execute_in_core,
    hot_execute_many,
    hot_rows,
)
from shared.db.positions import ADVANCE
from shared.db.schema import consumer_positions, duplicate_index, metadata

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
VILLAGE = "330681001001"


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/app.db", durable=False)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(duplicate_index.insert(), [index_row(n) for n in range(6)])
        await conn.execute(case_history.insert(), [history_row(n) for n in range(20)])
    yield engine
    await engine.dispose()


def index_row(n: int) -> dict[str, object]:
    return {
        "case_id": f"case-{n}",
        "case_number": f"N-{n}",
        "neighbourhood": VILLAGE,
        "unit_code": f"{VILLAGE}00{n % 2}",
        "category": None if n == 3 else "neighbour",
        "text": f"楼上漏水 {n}",
        "party_keys": [f"key-{n}"] if n % 2 else [],
        "reported_at": T0 + timedelta(minutes=n, microseconds=n),
        "open": n != 4,
        "decision": "fold" if n == 4 else "new",
        "decided_case_id": "case-0" if n == 4 else None,
        "decided_case_number": "N-0" if n == 4 else None,
        "score": 0.93 if n == 4 else None,
        "decided_at": T0 if n == 4 else None,
    }


def history_row(n: int) -> dict[str, object]:
    return {
        "case_id": f"case-{n}",
        "version": 1,
        "number": f"N-{n}",
        "unit_code": f"{VILLAGE}001",
        "category": "neighbour" if n % 3 else "labour",
        "reported_at": T0 + timedelta(hours=n),
        "folded_into": "case-0" if n == 5 else None,
    }


Rows = list[dict[str, object]]


async def both(
    engine: AsyncEngine, statement: object, bound: dict[str, object]
) -> tuple[Rows, Rows]:
    async with engine.connect() as conn:
        hot = [dict(row) for row in await hot_rows(conn, statement, bound)]  # type: ignore[arg-type]
        usual = [dict(row) for row in (await conn.execute(statement, bound)).mappings()]  # type: ignore[call-overload]
    return hot, usual


async def test_the_candidates_read_alike(engine: AsyncEngine) -> None:
    bound = {
        "neighbourhood": VILLAGE,
        "since": T0 - timedelta(days=3),
        "until": T0 + timedelta(days=3),
        "case_id": "case-1",
        "most": 3,
    }
    hot, usual = await both(engine, CANDIDATES, bound)
    assert hot == usual
    assert [row["case_id"] for row in hot] == ["case-5", "case-3", "case-2"]
    assert hot[1]["category"] is None and hot[0]["party_keys"] == ["key-5"]


async def test_a_decided_row_reads_alike(engine: AsyncEngine) -> None:
    hot, usual = await both(engine, KNOWN, {"case_id": "case-4"})
    assert hot == usual
    (row,) = hot
    assert row["open"] is False and row["score"] == 0.93
    assert isinstance(row["decided_at"], datetime) and row["party_keys"] == []


async def test_the_earlier_cases_at_a_grid_read_alike_with_their_literal_limit(
    engine: AsyncEngine,
) -> None:
    bound = {
        "grid": f"{VILLAGE}001",
        "window_case_id": "case-19",
        "window_since": T0,
        "window_until": T0 + timedelta(days=1),
    }
    hot, usual = await both(engine, AT_GRID, bound)
    assert sorted(hot, key=str) == sorted(usual, key=str)
    labour = [row for row in hot if row["category"] == "labour"]
    assert len(hot) == 10 + 7 and len(labour) == 7  # the latest ten neighbour disputes


async def positions(engine: AsyncEngine) -> list[tuple[str, int, int]]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(consumer_positions).order_by("consumer_group"))
        return [tuple(row) for row in rows.all()]


async def test_a_fenced_advance_moves_only_from_the_stored_offset(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            consumer_positions.insert(),
            [{"consumer_group": g, "partition": 0, "next_offset": 10} for g in ("a", "b")],
        )
    async with engine.begin() as conn:
        moved = await hot_execute(conn, ADVANCE, fence("a", stored=10, to=15))
        stale = await hot_execute(conn, ADVANCE, fence("b", stored=9, to=15))

    assert (moved, stale) == (1, 0)
    assert await positions(engine) == [("a", 0, 15), ("b", 0, 10)]


async def test_an_advance_is_undone_with_its_transaction(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            consumer_positions.insert(), {"consumer_group": "a", "partition": 0, "next_offset": 10}
        )
    with pytest.raises(RuntimeError):
        async with engine.begin() as conn:
            assert await hot_execute(conn, ADVANCE, fence("a", stored=10, to=15)) == 1
            raise RuntimeError("the batch's effects failed")

    assert await positions(engine) == [("a", 0, 10)]


def _two_advances(conn: Connection) -> tuple[int, int]:
    moved = hot_execute_in_core(conn, ADVANCE, fence("a", stored=10, to=15))
    stale = hot_execute_in_core(conn, ADVANCE, fence("b", stored=9, to=15))
    return moved, stale


async def test_a_fenced_advance_inside_sqlalchemy_s_core_moves_alike(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            consumer_positions.insert(),
            [{"consumer_group": g, "partition": 0, "next_offset": 10} for g in ("a", "b")],
        )
    async with engine.begin() as conn:
        assert await conn.run_sync(_two_advances) == (1, 0)

    assert await positions(engine) == [("a", 0, 15), ("b", 0, 10)]


def fence(group: str, *, stored: int, to: int) -> dict[str, object]:
    return {"fenced_group": group, "fenced_partition": 0, "fenced_offset": stored, "next_to": to}


async def test_an_update_for_many_parameter_sets_writes_what_one_each_would(
    engine: AsyncEngine,
) -> None:
    moved = (
        update(consumer_positions)
        .where(consumer_positions.c.consumer_group == bindparam("group"))
        .values(next_offset=bindparam("to"))
    )
    async with engine.begin() as conn:
        await conn.execute(
            consumer_positions.insert(),
            [{"consumer_group": g, "partition": 0, "next_offset": 1} for g in ("a", "b", "c")],
        )
    async with engine.begin() as conn:
        await hot_execute_many(conn, moved, [{"group": "a", "to": 7}, {"group": "c", "to": 9}])

    assert await positions(engine) == [("a", 0, 7), ("b", 0, 1), ("c", 0, 9)]
