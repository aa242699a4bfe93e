"""A read model's rows read and removed by case on statements built once (on the embedded
database's driver) are the rows SQLAlchemy reads and removes with an IN list, values and
types alike; an update run once per row on the driver writes what SQLAlchemy would, and
rows inserted in bulk on the driver are undone with their transaction. A datetime goes to
SQLite as the very text SQLAlchemy writes (SQLite compares and orders that text)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import DateTime, bindparam, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.bulk import insert_rows
from shared.db.engine import make_engine
from shared.db.hot_statements import bind_processor, hot_execute_many
from shared.db.keys import delete_with_keys, rows_with_keys
from shared.db.schema import metadata, unit_queue

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def queue_row(n: int) -> dict[str, object]:
    return {
        "case_id": f"case-{n}",
        "version": n + 1,
        "number": f"N-{n}",
        "unit_code": "330681001001",
        "status": "assigned",
        "tier": None if n == 2 else "blue",
        "level": "grid",
        "holder_unit_code": "330681001001",
        "order_id": f"order-{n}",
        "acknowledged": n % 2 == 0,
        "ack_due_at": T0 + timedelta(hours=n, microseconds=n),
        "paused": False,
        "deadline_at": None,
        "follow_up_due_at": None,
        "follow_up_overdue": n == 3,
        "updated_at": T0,
    }


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/app.db", durable=False)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await insert_rows(conn, unit_queue, [queue_row(n) for n in range(6)])
    yield engine
    await engine.dispose()


async def stored(engine: AsyncEngine) -> list[dict[str, object]]:
    async with engine.connect() as conn:
        found = await conn.execute(select(unit_queue).order_by(unit_queue.c.case_id))
        return [dict(row) for row in found.mappings()]


async def test_rows_read_by_case_are_those_an_in_list_reads(engine: AsyncEngine) -> None:
    keys = ["case-1", "case-2", "case-3", "case-9"]
    async with engine.connect() as conn:
        hot = await rows_with_keys(conn, unit_queue, "case_id", keys)
        usual = await conn.execute(select(unit_queue).where(unit_queue.c.case_id.in_(keys)))
        expected = [dict(row) for row in usual.mappings()]

    assert sorted((dict(row) for row in hot), key=str) == sorted(expected, key=str)
    assert sorted(row["case_id"] for row in hot) == ["case-1", "case-2", "case-3"]
    assert all(isinstance(row["acknowledged"], bool) for row in hot)


async def test_rows_removed_by_case_are_only_those(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await delete_with_keys(conn, unit_queue, "case_id", ["case-0", "case-4", "case-9"])

    assert [row["case_id"] for row in await stored(engine)] == [
        "case-1",
        "case-2",
        "case-3",
        "case-5",
    ]


async def test_an_update_per_row_writes_what_sqlalchemy_writes(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    statement = (
        update(unit_queue)
        .where(unit_queue.c.case_id == bindparam("key"))
        .values(acknowledged=bindparam("acked"), ack_due_at=bindparam("due"))
    )
    changes = [{"key": f"case-{n}", "acked": n != 1, "due": T0 + timedelta(days=n)} for n in (1, 4)]
    async with engine.begin() as conn:
        await hot_execute_many(conn, statement, changes)
    hot = await stored(engine)

    other = make_engine(f"sqlite+aiosqlite:///{tmp_path}/usual.db", durable=False)
    async with other.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await insert_rows(conn, unit_queue, [queue_row(n) for n in range(6)])
        await conn.execute(statement, changes)
    usual = await stored(other)
    await other.dispose()

    assert hot == usual
    assert [row["acknowledged"] for row in hot] == [True, False, True, False, True, False]


async def test_rows_inserted_in_bulk_are_undone_with_their_transaction(
    engine: AsyncEngine,
) -> None:
    with pytest.raises(RuntimeError):
        async with engine.begin() as conn:
            await insert_rows(conn, unit_queue, [queue_row(n) for n in range(6, 9)])
            raise RuntimeError("the batch's effects failed")

    assert len(await stored(engine)) == 6


@pytest.mark.parametrize("aware", [False, True])
def test_a_datetime_is_written_as_the_text_sqlalchemy_writes(aware: bool) -> None:
    dialect = sqlite.dialect()
    column = DateTime(timezone=aware)
    usual = column.dialect_impl(dialect).bind_processor(dialect)
    fast = bind_processor(column, dialect)
    assert usual is not None and fast is not None
    values = [
        datetime(2026, 3, 2, 1, 0),
        datetime(2026, 3, 2, 1, 0, 0, 5, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=8))),
        datetime(1, 1, 1),
        date(2026, 1, 2),
        None,
    ]
    assert [fast(value) for value in values] == [usual(value) for value in values]
    assert fast(values[0]) == "2026-03-02 01:00:00.000000"
